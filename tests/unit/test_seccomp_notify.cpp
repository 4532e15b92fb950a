// SCMP_ACT_NOTIFY and the filter flags: the config rules, the listener a load returns, and the
// container process state the agent receives.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "linux/seccomp.hpp"
#include "linux/seccomp_listener.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::compile_seccomp;
using sandbox::linux_::load_seccomp;
using sandbox::linux_::SeccompProgram;
using sandbox::oci::Seccomp;
using sandbox::oci::SeccompSyscall;

namespace {

Seccomp notify_getppid() {
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  SeccompSyscall sc;
  sc.names = {"getppid"};
  sc.action = "SCMP_ACT_NOTIFY";
  s.syscalls.push_back(sc);
  s.listener_path = "/run/agent.sock";
  return s;
}

std::string compile_error(const Seccomp& s) {
  try {
    compile_seccomp(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(SeccompNotify, ListenerPathAndNotifyGoTogether) {
  Seccomp s = notify_getppid();
  s.listener_path.clear();
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");

  s = notify_getppid();
  s.syscalls[0].action = "SCMP_ACT_ERRNO";
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.listenerPath: given, but no rule uses SCMP_ACT_NOTIFY");
}

TEST(SeccompNotify, RefusedWhereTheProcessWouldWaitForever) {
  Seccomp s = notify_getppid();
  s.default_action = "SCMP_ACT_NOTIFY";
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY as the default action "
            "needs a rule that allows sendmsg (the listener fd is sent with it)");
  // With sendmsg allowed by a rule of its own, a notifying default is taken (seccomp record).
  Seccomp d;
  d.default_action = "SCMP_ACT_NOTIFY";
  d.listener_path = "/run/agent.sock";
  d.syscalls.push_back({{"sendmsg"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
  EXPECT_TRUE(compile_seccomp(d).notify);

  s = notify_getppid();
  s.syscalls[0].names = {"getppid", "sendmsg"};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.syscalls[0].names: SCMP_ACT_NOTIFY cannot be used for "
            "the sendmsg syscall (the listener fd is sent with it)");
}

TEST(SeccompNotify, NotifyAsksForAListener) {
  SeccompProgram p = compile_seccomp(notify_getppid());
  EXPECT_TRUE(p.notify);
  EXPECT_EQ(p.flags, static_cast<unsigned>(SECCOMP_FILTER_FLAG_NEW_LISTENER));
}

TEST(SeccompFlags, KnownFlagsAreSetUnknownAndMisplacedRefused) {
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  SeccompProgram p = compile_seccomp(s);
  EXPECT_EQ(p.flags,
            static_cast<unsigned>(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
  EXPECT_FALSE(p.notify);

  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_TSYNC\"");

  s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  EXPECT_EQ(compile_error(s),
            "config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a "
            "SCMP_ACT_NOTIFY rule");

  Seccomp n = notify_getppid();
  n.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  EXPECT_NE(compile_seccomp(n).flags & SECCOMP_FILTER_FLAG_NEW_LISTENER, 0u);
}

TEST(SeccompFlags, FeaturesListWhatTheKernelTakes) {
  auto known = sandbox::linux_::seccomp_known_flag_names();
  EXPECT_EQ(known.size(), 3u);
  // Every supported flag is a known one; LOG is older (4.14) than any kernel sandbox runs on.
  auto supported = sandbox::linux_::seccomp_supported_flag_names();
  for (const auto& f : supported) EXPECT_NE(std::find(known.begin(), known.end(), f), known.end());
  EXPECT_NE(std::find(supported.begin(), supported.end(), "SECCOMP_FILTER_FLAG_LOG"),
            supported.end());
  auto actions = sandbox::linux_::seccomp_action_names();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY"), actions.end());
}

// The listener a load returns works: a child under the filter calls getppid, the parent (also
// under it, but answering from the listener) makes it fail with 42.
TEST(SeccompNotify, LoadReturnsAWorkingListener) {
  SeccompProgram p = compile_seccomp(notify_getppid());
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(200);
    sandbox::Fd listener;
    try {
      listener = load_seccomp(p);
    } catch (const Error&) {
      ::_exit(201);
    }
    if (!listener) ::_exit(202);
    pid_t child = ::fork();
    if (child == 0) {
      long rc = ::syscall(SYS_getppid);
      ::_exit(rc == -1 ? errno : 203);
    }
    seccomp_notif req{};
    if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) ::_exit(204);
    if (req.data.nr != SYS_getppid) ::_exit(205);
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -42;
    if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) ::_exit(206);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 207);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(SeccompNotify, ContainerProcessStateIsTheSpecs) {
  Seccomp s = notify_getppid();
  s.listener_metadata = "m=1";
  sandbox::linux_::ListenerState st{"1.0.2", "c1", "creating", 100, "/b", {{"k", "v"}}};
  auto doc = nlohmann::json::parse(sandbox::linux_::container_process_state(s, 123, st));
  EXPECT_EQ(doc, nlohmann::json::parse(R"({"ociVersion": "1.0.2", "fds": ["seccompFd"],
      "pid": 123, "metadata": "m=1", "state": {"ociVersion": "1.0.2", "id": "c1",
      "status": "creating", "pid": 100, "bundle": "/b", "annotations": {"k": "v"}}})"));
}
