#include <gtest/gtest.h>

#include <csignal>

#include "linux/signals.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::parse_signal;
using sandbox::linux_::signal_name;

TEST(Signals, NamesInAnyCaseWithOrWithoutSig) {
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("term"), SIGTERM);
  EXPECT_EQ(parse_signal("sigKill"), SIGKILL);
  EXPECT_EQ(parse_signal("SIGWINCH"), SIGWINCH);
  EXPECT_EQ(parse_signal("USR1"), SIGUSR1);
}

TEST(Signals, Aliases) {
  EXPECT_EQ(parse_signal("IOT"), SIGABRT);
  EXPECT_EQ(parse_signal("CLD"), SIGCHLD);
  EXPECT_EQ(parse_signal("POLL"), SIGIO);
}

TEST(Signals, Numbers) {
  EXPECT_EQ(parse_signal("15"), 15);
  EXPECT_EQ(parse_signal("1"), 1);
  EXPECT_EQ(parse_signal("64"), 64);
  EXPECT_THROW(parse_signal("0"), Error);
  EXPECT_THROW(parse_signal("65"), Error);
  EXPECT_THROW(parse_signal("-9"), Error);
  EXPECT_THROW(parse_signal("9x"), Error);
  EXPECT_THROW(parse_signal("99999999999"), Error);
}

TEST(Signals, RealTime) {
  EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(parse_signal("RTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(parse_signal("SIGRTMAX-2"), SIGRTMAX - 2);
  EXPECT_EQ(parse_signal("sigrtmax"), SIGRTMAX);
  EXPECT_EQ(parse_signal(fmt::format("RTMIN+{}", SIGRTMAX - SIGRTMIN)), SIGRTMAX);
  EXPECT_THROW(parse_signal(fmt::format("RTMIN+{}", SIGRTMAX - SIGRTMIN + 1)), Error);
  EXPECT_THROW(parse_signal("RTMIN-1"), Error);
  EXPECT_THROW(parse_signal("RTMAX+1"), Error);
  EXPECT_THROW(parse_signal("RTMIN+"), Error);
}

TEST(Signals, InvalidMessage) {
  try {
    parse_signal("FOO");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid signal \"FOO\"");
  }
  EXPECT_THROW(parse_signal(""), Error);
  EXPECT_THROW(parse_signal("SIG"), Error);
  EXPECT_THROW(parse_signal(" TERM"), Error);
}

TEST(Signals, Names) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(SIGRTMAX - 2), "SIGRTMAX-2");
  EXPECT_EQ(signal_name(SIGRTMAX), "SIGRTMAX");
}

TEST(Signals, NameRoundTrips) {
  for (int sig = 1; sig <= 64; sig++) {
    if (sig > SIGSYS && sig < SIGRTMIN) continue;  // 32, 33: reserved by the C library
    EXPECT_EQ(parse_signal(signal_name(sig)), sig) << signal_name(sig);
  }
}
