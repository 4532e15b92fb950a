#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <string>

#include "linux/seccomp.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::compile_seccomp;
using sandbox::linux_::load_seccomp;
using sandbox::linux_::SeccompProgram;
using sandbox::oci::Seccomp;
using sandbox::oci::SeccompArg;
using sandbox::oci::SeccompSyscall;

namespace {

constexpr int kBlocked = 38;  // ENOSYS, an errno none of the probed calls returns by itself

// Loads P in a forked child (after PR_SET_NO_NEW_PRIVS, so no privilege is needed), runs BODY
// there and returns its exit code; 200+ means the harness itself failed.
int run_filtered(const SeccompProgram& p, const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(200);
    try {
      load_seccomp(p);
    } catch (const Error&) {
      ::_exit(201);
    }
    // A raw exit_group: sanitizer runtimes hook _exit and make syscalls that a
    // deny-by-default filter blocks, which would turn the child's answer into their error.
    ::syscall(SYS_exit_group, body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

// The errno of a raw syscall returning -1, or 0 when it succeeded.
int errno_of(long rc) {
  return rc == -1 ? errno : 0;
}

Seccomp allow_all() {
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  return s;
}

SeccompSyscall errno_rule(std::vector<std::string> names, std::vector<SeccompArg> args = {}) {
  SeccompSyscall sc;
  sc.names = std::move(names);
  sc.action = "SCMP_ACT_ERRNO";
  sc.errno_ret = kBlocked;
  sc.args = std::move(args);
  return sc;
}

std::string compile_error(const Seccomp& s) {
  try {
    compile_seccomp(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

long getpriority_raw(int which) {
  return ::syscall(SYS_getpriority, which, 0);
}

}  // namespace

TEST(Seccomp, ErrnoRuleReturnsErrnoAndOtherCallsWork) {
  Seccomp s = allow_all();
  s.syscalls.push_back(errno_rule({"mkdirat", "mkdir"}));
  SeccompProgram p = compile_seccomp(s);
  ASSERT_FALSE(p.filter.empty());
  EXPECT_TRUE(p.unknown_syscalls.empty());
  std::string dir = ::testing::TempDir() + "seccomp-mkdir-" + std::to_string(::getpid());
  int code = run_filtered(p, [&] {
    if (::getpid() <= 0 || ::syscall(SYS_getpid) != ::getpid()) return 100;
    if (::mkdir(dir.c_str(), 0700) == 0) return 0;
    return errno;
  });
  ::rmdir(dir.c_str());
  EXPECT_EQ(code, kBlocked);
}

TEST(Seccomp, ErrnoDefaultsToEperm) {
  Seccomp s = allow_all();
  s.syscalls.push_back(errno_rule({"mkdirat", "mkdir"}));
  s.syscalls[0].errno_ret.reset();
  std::string dir = ::testing::TempDir() + "seccomp-eperm-" + std::to_string(::getpid());
  int code = run_filtered(compile_seccomp(s), [&] { return errno_of(::mkdir(dir.c_str(), 0700)); });
  ::rmdir(dir.c_str());
  EXPECT_EQ(code, EPERM);
}

TEST(Seccomp, ArgsOnDifferentIndexesMustAllMatch) {
  Seccomp s = allow_all();
  s.syscalls.push_back(
      errno_rule({"getpriority"}, {{0, PRIO_PGRP, 0, "SCMP_CMP_EQ"}, {1, 0, 0, "SCMP_CMP_EQ"}}));
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PGRP)); }), kBlocked);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PROCESS)); }), 0);
  // Same first argument, other second argument: the rule does not match.
  EXPECT_EQ(
      run_filtered(p, [] { return errno_of(::syscall(SYS_getpriority, PRIO_PGRP, ::getpgrp())); }),
      0);
}

TEST(Seccomp, ArgsOnTheSameIndexAreAlternatives) {
  Seccomp s = allow_all();
  s.syscalls.push_back(errno_rule(
      {"getpriority"}, {{0, PRIO_PGRP, 0, "SCMP_CMP_EQ"}, {0, PRIO_USER, 0, "SCMP_CMP_EQ"}}));
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PGRP)); }), kBlocked);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_USER)); }), kBlocked);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PROCESS)); }), 0);
}

TEST(Seccomp, ComparisonOperators) {
  Seccomp s = allow_all();
  // Blocks which > PRIO_PGRP (== PRIO_USER) only.
  s.syscalls.push_back(errno_rule({"getpriority"}, {{0, PRIO_PGRP, 0, "SCMP_CMP_GT"}}));
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_USER)); }), kBlocked);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PGRP)); }), 0);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(getpriority_raw(PRIO_PROCESS)); }), 0);
}

// value is the mask, valueTwo the datum: blocked when (flags & 3) == GRND_RANDOM. The reverse
// reading ((flags & 2) == 3) could never match, so this pins the semantics down.
TEST(Seccomp, MaskedEqUsesValueAsMask) {
  Seccomp s = allow_all();
  s.syscalls.push_back(errno_rule({"getrandom"}, {{2, 3, GRND_RANDOM, "SCMP_CMP_MASKED_EQ"}}));
  SeccompProgram p = compile_seccomp(s);
  auto call = [](unsigned flags) {
    return [flags] {
      char c;
      return errno_of(::syscall(SYS_getrandom, &c, 1, flags));
    };
  };
  EXPECT_EQ(run_filtered(p, call(GRND_RANDOM)), kBlocked);
  EXPECT_EQ(run_filtered(p, call(GRND_RANDOM | 0x100)), kBlocked);  // bits outside the mask
  EXPECT_EQ(run_filtered(p, call(0)), 0);
  EXPECT_EQ(run_filtered(p, call(GRND_NONBLOCK)), 0);
}

TEST(Seccomp, UnknownSyscallsAreListedOnce) {
  Seccomp s = allow_all();
  s.syscalls.push_back(errno_rule({"mkdir", "no_such_syscall_x"}));
  s.syscalls.push_back(errno_rule({"no_such_syscall_x", "no_such_syscall_y"}));
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(p.unknown_syscalls,
            (std::vector<std::string>{"no_such_syscall_x", "no_such_syscall_y"}));
  EXPECT_FALSE(p.filter.empty());
}

TEST(Seccomp, RuleWithTheDefaultActionIsSkipped) {
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  SeccompSyscall same;
  same.names = {"mkdir"};
  same.action = "SCMP_ACT_ERRNO";  // EPERM, as the default
  s.syscalls.push_back(same);
  SeccompSyscall allow;
  allow.names = {"getpid"};
  allow.action = "SCMP_ACT_ALLOW";
  s.syscalls.push_back(allow);
  EXPECT_NO_THROW(compile_seccomp(s));
}

TEST(Seccomp, DefaultErrnoRetApplies) {
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = kBlocked;
  for (const char* name : {"exit_group", "exit", "getpid", "mkdir", "mkdirat"}) {
    SeccompSyscall allow;
    allow.names = {name};
    allow.action = "SCMP_ACT_ALLOW";
    s.syscalls.push_back(allow);
  }
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(::syscall(SYS_getppid)); }), kBlocked);
  EXPECT_EQ(run_filtered(p, [] { return ::syscall(SYS_getpid) > 0 ? 0 : 1; }), 0);
}

TEST(Seccomp, ArchitecturesAndAllActions) {
  Seccomp s = allow_all();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"};
  const char* actions[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                           "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
                           "SCMP_ACT_LOG"};
  const char* names[] = {"acct", "swapon", "swapoff", "reboot", "kexec_load", "setns", "vhangup"};
  for (size_t i = 0; i < std::size(actions); i++) {
    SeccompSyscall sc;
    sc.names = {names[i]};
    sc.action = actions[i];
    s.syscalls.push_back(sc);
  }
  EXPECT_NO_THROW(compile_seccomp(s));
}

TEST(Seccomp, ErrorMessagesNameTheField) {
  Seccomp s = allow_all();
  s.syscalls = {errno_rule({"mkdir"}), errno_rule({"rmdir"}), errno_rule({"chdir"})};
  s.syscalls[2].action = "SCMP_ACT_FOO";
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[2].action: unknown action \"SCMP_ACT_FOO\"");

  s.syscalls[2].action = "SCMP_ACT_NOTIFY";
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[2].action: SCMP_ACT_NOTIFY is not supported yet");

  s = allow_all();
  s.default_action = "SCMP_ACT_BAR";
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BAR\"");

  s = allow_all();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");

  s = allow_all();
  s.syscalls = {errno_rule({"getpriority"}, {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 1, 0, "SCMP_CMP_XX"}})};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_XX\"");

  s.syscalls = {errno_rule({"getpriority"}, {{6, 1, 0, "SCMP_CMP_EQ"}})};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[0].args[0].index: must be 0..5 (a syscall has 6 "
            "arguments)");
}

TEST(Seccomp, ErrnoRetOnlyWithErrnoOrTrace) {
  Seccomp s = allow_all();
  SeccompSyscall sc;
  sc.names = {"mkdir"};
  sc.action = "SCMP_ACT_KILL_PROCESS";
  sc.errno_ret = 1;
  s.syscalls.push_back(sc);
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and "
            "SCMP_ACT_TRACE take an errno, not SCMP_ACT_KILL_PROCESS");

  s = allow_all();
  s.default_errno_ret = 5;
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE "
            "take an errno, not SCMP_ACT_ALLOW");

  s = allow_all();
  s.syscalls = {errno_rule({"mkdir"})};
  s.syscalls[0].errno_ret = 70000;
  EXPECT_EQ(
      compile_error(s),
      "config.json: linux.seccomp.syscalls[0].errnoRet: 70000 is out of range (at most 65535)");

  s.syscalls[0].action = "SCMP_ACT_TRACE";
  s.syscalls[0].errno_ret = 7;
  EXPECT_NO_THROW(compile_seccomp(s));
}

TEST(Seccomp, LoadFailureIsReported) {
  SeccompProgram empty;
  try {
    load_seccomp(empty);
    FAIL() << "an empty filter loaded";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "seccomp: load filter: invalid argument");
  }
}
