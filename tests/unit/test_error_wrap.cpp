#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "sys/error.hpp"

using sandbox::Error;

TEST(ErrorWrap, PrependsContextAndKeepsTheErrno) {
  try {
    sandbox::wrap("maskedPaths: /proc/kcore", [] { sandbox::throw_errno("open", EACCES); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "maskedPaths: /proc/kcore: open: permission denied");
    EXPECT_EQ(e.code(), EACCES);
  }
}

TEST(ErrorWrap, NestsOutermostFirst) {
  try {
    sandbox::wrap("a", [] { sandbox::wrap("b", [] { sandbox::fail("c"); }); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a: b: c");
    EXPECT_EQ(e.code(), 0);
  }
}

TEST(ErrorWrap, ReturnsWhatTheBodyReturns) {
  EXPECT_EQ(sandbox::wrap("x", [] { return std::string("value"); }), "value");
  int n = 0;
  int& ref = sandbox::wrap("x", [&]() -> int& { return n; });
  EXPECT_EQ(&ref, &n);
}

TEST(ErrorWrap, LeavesOtherExceptionsAlone) {
  try {
    sandbox::wrap("x", [] { throw std::runtime_error("plain"); });
    FAIL() << "no error";
  } catch (const Error&) {
    FAIL() << "wrapped a non-Error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "plain");
  }
}

TEST(ErrorWrap, RethrowWithKeepsTheErrno) {
  try {
    try {
      sandbox::throw_errno("mount", ENOSPC);
    } catch (const Error& e) {
      sandbox::rethrow_with(e, "device /dev/null");
    }
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "device /dev/null: mount: no space left on device");
    EXPECT_EQ(e.code(), ENOSPC);
  }
}
