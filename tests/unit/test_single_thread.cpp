// process/single_thread: the clone sites' check that the runtime has one thread.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "process/single_thread.hpp"
#include "sys/error.hpp"

using sandbox::process::require_single_thread;
using sandbox::process::threads_in_stat;

namespace {
long threads_of(const char* stat) {
  return threads_in_stat(stat, static_cast<long>(std::strlen(stat)));
}
}  // namespace

TEST(SingleThread, ReadsField20OfStat) {
  EXPECT_EQ(threads_of("42 (sandbox) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 123 "
                       "4096 100"),
            3);
  // A command name with spaces and parentheses does not shift the fields.
  EXPECT_EQ(threads_of("42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123"), 1);
  EXPECT_EQ(threads_of("garbage"), -1);
  EXPECT_EQ(threads_of("42 (x) S 1 2"), -1);
}

TEST(SingleThread, QuietWithOneThreadFailsWithTwo) {
  EXPECT_NO_THROW(require_single_thread("test clone"));
  std::atomic<bool> stop{false};
  std::thread t([&] {
    while (!stop) std::this_thread::yield();
  });
  try {
    require_single_thread("test clone");
    ADD_FAILURE() << "no error with two threads";
  } catch (const sandbox::Error& e) {
    EXPECT_NE(std::string(e.what()).find("internal error: test clone: the runtime has 2 threads"),
              std::string::npos)
        << e.what();
  }
  stop = true;
  t.join();
}
