// Unit tests: what `update` writes back to undo a setting when a later write fails.
#include <gtest/gtest.h>

#include "cgroup/restore.hpp"

namespace sandbox::cgroup {
namespace {

Setting set(const char* file, const char* value) {
  return {"", file, value};
}

TEST(CgroupRestore, PlainFilesGetTheirContentBack) {
  EXPECT_EQ(value_to_restore(set("memory.limit_in_bytes", "1"), "9223372036854771712\n"),
            "9223372036854771712");
  EXPECT_EQ(value_to_restore(set("cpu.max", "5000"), "max 100000\n"), "max 100000");
  EXPECT_EQ(value_to_restore(set("pids.max", "5"), "max\n"), "max");
}

TEST(CgroupRestore, OomControlGivesTheDisableFlag) {
  EXPECT_EQ(value_to_restore(set("memory.oom_control", "1"),
                             "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"),
            "0");
}

TEST(CgroupRestore, PerDeviceFilesGetTheDevicesLineOrItsDefault) {
  std::string io_max =
      "8:0 rbps=1000 wbps=max riops=max wiops=max\n8:16 rbps=max wbps=5 riops=max wiops=max\n";
  EXPECT_EQ(value_to_restore(set("io.max", "8:16 rbps=7"), io_max),
            "8:16 rbps=max wbps=5 riops=max wiops=max");
  EXPECT_EQ(value_to_restore(set("io.max", "8:32 rbps=7"), io_max),
            "8:32 rbps=max wbps=max riops=max wiops=max");
  EXPECT_EQ(value_to_restore(set("io.weight", "default 500"), "default 100\n8:0 300\n"),
            "default 100");
  EXPECT_EQ(value_to_restore(set("blkio.throttle.read_bps_device", "8:0 100"), ""), "8:0 0");
  EXPECT_EQ(value_to_restore(set("blkio.weight_device", "8:0 100"), "8:0 300\n"), "8:0 300");
}

TEST(CgroupRestore, AnUnknownFileOfSeveralLinesCannotBeUndone) {
  EXPECT_EQ(value_to_restore(set("memory.stat", "x"), "a 1\nb 2\n"), std::nullopt);
}

}  // namespace
}  // namespace sandbox::cgroup
