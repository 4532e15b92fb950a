// sys/run_program: the one way helper programs are run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "sys/error.hpp"
#include "sys/run_program.hpp"

using namespace sandbox;

namespace {

sys::Program shell(const std::string& script) {
  sys::Program p;
  p.path = "/bin/sh";
  p.args = {"-c", script};
  p.output = sys::Program::Output::Capture;
  return p;
}

// Blocks and ignores signals for the test's length, as a foreground `run` does.
struct HostileSignals {
  sigset_t old;
  struct sigaction old_int {};
  HostileSignals() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int);
  }
  ~HostileSignals() {
    sigaction(SIGINT, &old_int, nullptr);
    sigprocmask(SIG_SETMASK, &old, nullptr);
  }
};

}  // namespace

TEST(RunProgram, DescribesExitInOneWording) {
  EXPECT_EQ(sys::describe_exit(3 << 8), "exit status 3");  // as waitpid reports exit(3)
  EXPECT_EQ(sys::describe_exit(0), "exit status 0");
  EXPECT_EQ(sys::describe_exit(SIGKILL), "killed by signal 9");
  EXPECT_EQ(sys::describe_exit(SIGTERM | 0x80), "killed by signal 15");  // core dumped
}

TEST(RunProgram, RealExitsAreDescribed) {
  auto r = sys::run_program(shell("exit 3"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(sys::describe_exit(r.status), "exit status 3");
  r = sys::run_program(shell("kill -9 $$"));
  EXPECT_EQ(sys::describe_exit(r.status), "killed by signal 9");
}

TEST(RunProgram, StartsWithNoSignalBlockedOrIgnored) {
  HostileSignals h;
  auto r = sys::run_program(shell("grep -E '^Sig(Blk|Ign):' /proc/self/status"));
  ASSERT_TRUE(r.ok()) << r.err;
  auto mask = [&](const char* key) {
    auto at = r.out.find(key);
    EXPECT_NE(at, std::string::npos) << r.out;
    return at == std::string::npos ? ~0ULL : std::stoull(r.out.substr(at + 8, 16), nullptr, 16);
  };
  EXPECT_EQ(mask("SigBlk:\t"), 0ULL) << r.out;
  // glibc's posix_spawn leaves its own two internal signals (32 and 33, which sigfillset
  // cannot name) ignored; every glibc program installs its handlers for them at startup.
  EXPECT_EQ(mask("SigIgn:\t") & ~0x180000000ULL, 0ULL) << r.out;
}

TEST(RunProgram, CapturesStdoutAndStderrApart) {
  auto r = sys::run_program(shell("echo out; echo err >&2"));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunProgram, LargeOutputOnBothPipesDoesNotStall) {
  auto r = sys::run_program(shell("head -c 200000 /dev/zero >&2; head -c 300000 /dev/zero"));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out.size(), 300000u);
  EXPECT_EQ(r.err.size(), 200000u);
}

TEST(RunProgram, StdoutCanJoinStderr) {
  sys::Program p = shell("echo one; echo two >&2");
  p.output = sys::Program::Output::Stderr;
  auto r = sys::run_program(p);
  EXPECT_EQ(r.err, "one\ntwo\n");
}

TEST(RunProgram, EmptyEnvironmentWhenAsked) {
  setenv("SANDBOX_RUN_PROGRAM_TEST", "x", 1);
  sys::Program p = shell("echo \"[$SANDBOX_RUN_PROGRAM_TEST]\"");
  EXPECT_EQ(sys::run_program(p).out, "[x]\n");
  p.empty_environment = true;
  EXPECT_EQ(sys::run_program(p).out, "[]\n");
  unsetenv("SANDBOX_RUN_PROGRAM_TEST");
}

TEST(RunProgram, FailureCarriesStderrOnOneLine) {
  auto r = sys::run_program(shell("echo 'helper: first' >&2; echo second >&2; exit 1"));
  try {
    sys::check_program(r, "helper");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "helper: exit status 1: first; second");
  }
}

TEST(RunProgram, MissingProgramIsAnError) {
  sys::Program p;
  p.path = "/no/such/program";
  EXPECT_THROW(sys::run_program(p), Error);
  p.path = "no-such-program-in-path";
  p.search_path = true;
  EXPECT_THROW(sys::run_program(p), Error);
}
