#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "linux/seccomp.hpp"
#include "linux/seccomp_enosys.hpp"
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

// Syscalls newer than the profile: ENOSYS instead of the default action (runc's patchbpf rule).
// Since Linux 5.1 every architecture but alpha numbers new syscalls alike (clone3 435,
// close_range 436, faccessat2 439), so the test reads the same everywhere.
namespace {

Seccomp deny_by_default(const char* action, std::vector<std::string> allowed) {
  Seccomp s;
  s.default_action = action;
  SeccompSyscall allow;
  allow.names = std::move(allowed);
  allow.action = "SCMP_ACT_ALLOW";
  s.syscalls.push_back(allow);
  return s;
}

// What the profile's newest syscall is here: close_range; clone3 is older, faccessat2 newer.
const std::vector<std::string> kAllowed = {"exit_group", "exit", "getpid", "close_range"};

}  // namespace

TEST(SeccompEnosys, NewerThanTheProfileGetsEnosysOlderGetsTheDefault) {
  SeccompProgram p = compile_seccomp(deny_by_default("SCMP_ACT_ERRNO", kAllowed));
  // Newer than close_range: ENOSYS, also for a number no libseccomp knows.
  EXPECT_EQ(
      run_filtered(p, [] { return errno_of(::syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0)); }),
      ENOSYS);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(::syscall(1000)); }), ENOSYS);
  // Older and not named: the default errno.
  EXPECT_EQ(run_filtered(p, [] { return errno_of(::syscall(SYS_clone3, nullptr, 0)); }), EPERM);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(::syscall(SYS_getppid)); }), EPERM);
  // Named: its own action.
  EXPECT_EQ(run_filtered(p, [] { return ::syscall(SYS_getpid) > 0 ? 0 : 1; }), 0);
}

TEST(SeccompEnosys, KillDefaultAlsoGetsEnosys) {
  SeccompProgram p = compile_seccomp(deny_by_default("SCMP_ACT_KILL_PROCESS", kAllowed));
  EXPECT_EQ(
      run_filtered(p, [] { return errno_of(::syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0)); }),
      ENOSYS);
  EXPECT_EQ(run_filtered(p, [] { return errno_of(::syscall(SYS_getppid)); }), 256 + SIGSYS);
}

TEST(SeccompEnosys, NoPrefixWhenTheDefaultLetsCallsThroughOrIsEnosys) {
  std::vector<std::string> names = kAllowed;
  for (uint32_t action : {SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_TRACE(3), SCMP_ACT_ERRNO(ENOSYS)})
    EXPECT_TRUE(sandbox::linux_::enosys_prefix({}, names, action).empty()) << action;
  for (uint32_t action :
       {SCMP_ACT_ERRNO(EPERM), SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP})
    EXPECT_FALSE(sandbox::linux_::enosys_prefix({}, names, action).empty()) << action;
  // A profile naming no syscall has no "newer" to speak of.
  EXPECT_TRUE(sandbox::linux_::enosys_prefix({}, {}, SCMP_ACT_ERRNO(EPERM)).empty());
}

namespace {

// Runs a prefix (only the instructions it uses) on one syscall: the value it returns, or
// nothing when it falls through to libseccomp's program.
std::optional<uint32_t> run_prefix(const std::vector<sock_filter>& prog, uint32_t arch,
                                   uint32_t nr) {
  uint32_t acc = 0;
  for (size_t pc = 0; pc < prog.size(); pc++) {
    const sock_filter& in = prog[pc];
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        acc = in.k == 0 ? nr : in.k == 4 ? arch : 0xdead;
        break;
      case BPF_RET | BPF_K:
        return in.k;
      case BPF_JMP | BPF_JA:
        pc += in.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += acc == in.k ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += acc > in.k ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (acc & in.k) ? in.jt : in.jf;
        break;
      default:
        ADD_FAILURE() << "unexpected instruction " << in.code;
        return 0;
    }
    if (pc >= prog.size()) {
      EXPECT_EQ(pc, prog.size()) << "a jump past the program's start";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST(SeccompEnosys, EachArchitectureHasItsOwnLimitAndX32ItsOwnMode) {
  using sandbox::linux_::enosys_prefix;
  // openat: x86_64 257, x32 257|bit 30, i386 295, aarch64 56 (read is newer there: 63).
  auto prog = enosys_prefix({SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_X86, SCMP_ARCH_AARCH64},
                            {"openat", "read"}, SCMP_ACT_ERRNO(EPERM));  // read: 0, 0, 3, 63
  const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;
  const uint32_t x32 = 0x40000000;
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, 257), std::nullopt);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, 258), enosys);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, x32 | 257), std::nullopt);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, x32 | 258), enosys);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_I386, 295), std::nullopt);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_I386, 296), enosys);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_AARCH64, 63), std::nullopt);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_AARCH64, 64), enosys);
  // An architecture outside the profile goes on to libseccomp (its bad-arch action).
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_PPC64LE, 9999), std::nullopt);

  // Without x32 in the profile, x32 calls are left to libseccomp, not given ENOSYS.
  prog = enosys_prefix({SCMP_ARCH_X86_64}, {"openat"}, SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, x32 | 1000), std::nullopt);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_X86_64, 1000), enosys);

  // s390x: syscall 0 is how an unknown large number arrives.
  prog = enosys_prefix({SCMP_ARCH_S390X}, {"openat"}, SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_S390X, 0), enosys);
  EXPECT_EQ(run_prefix(prog, AUDIT_ARCH_S390X, 1), std::nullopt);
}
