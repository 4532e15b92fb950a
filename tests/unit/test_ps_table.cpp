#include <gtest/gtest.h>

#include "runtime/ps_table.hpp"
#include "sys/error.hpp"

using sandbox::runtime::filter_ps_output;

TEST(PsTable, KeepsHeaderAndTheContainersLines) {
  std::string ef =
      "UID        PID  PPID  C STIME TTY          TIME CMD\n"
      "root         1     0  0 09:00 ?        00:00:01 /sbin/init\n"
      "user      4242     1  0 09:01 ?        00:00:00 sleep 100\n"
      "user      4243  4242  0 09:01 ?        00:00:00 sh -c 4242\n";
  EXPECT_EQ(filter_ps_output(ef, {4242, 4243}),
            "UID        PID  PPID  C STIME TTY          TIME CMD\n"
            "user      4242     1  0 09:01 ?        00:00:00 sleep 100\n"
            "user      4243  4242  0 09:01 ?        00:00:00 sh -c 4242\n");
  // A pid that only appears in another column (PPID, the command) does not count.
  EXPECT_EQ(filter_ps_output(ef, {1}),
            "UID        PID  PPID  C STIME TTY          TIME CMD\n"
            "root         1     0  0 09:00 ?        00:00:01 /sbin/init\n");
}

TEST(PsTable, PidColumnAnywhere) {
  EXPECT_EQ(filter_ps_output("  PID COMMAND\n  7 a\n  8 b\n", {8}), "  PID COMMAND\n  8 b\n");
}

TEST(PsTable, NoPidColumnIsAnError) {
  EXPECT_THROW(filter_ps_output("COMMAND\nsleep\n", {1}), sandbox::Error);
  EXPECT_THROW(filter_ps_output("", {1}), sandbox::Error);
}
