#include "process/exec_child.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "linux/pty.hpp"
#include "process/single_thread.hpp"
#include "process/spawn.hpp"
#include "process/sync.hpp"
#include "process/user_process.hpp"
#include "sys/error.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::process {
namespace {

[[noreturn]] void report_and_exit(int sync_fd, const char* what) noexcept {
  std::string msg = what;
  int code = 0;
  try {
    throw;
  } catch (const Error& e) {
    msg = e.what();
    code = e.code();
  } catch (const std::exception& e) {
    msg = e.what();
  }
  sync_send(sync_fd, SyncType::Error, code, msg);
  _exit(code == ENOENT ? 127 : code == EACCES ? 126 : 1);
}

// The process itself: inside every namespace of the container, child of the runtime.
[[noreturn]] void process_main(const ExecPlan& p, int sync_fd) noexcept {
  try {
    reset_signals();
    UserProcess up;
    up.process = p.process;
    up.setgroups_denied = p.setgroups_denied;
    up.seccomp = p.seccomp;
    up.kept_fds = p.kept_fds;
    up.sync_fd = sync_fd;
    if (p.process->terminal) {
      ::setsid();
      linux_::Pty pty = linux_::open_pty();
      if (p.process->console_size)
        linux_::set_window_size(pty.master.get(), p.process->console_size->height,
                                p.process->console_size->width);
      linux_::attach_terminal(pty.slave.get());
      if (!sync_send_fd(sync_fd, SyncType::Terminal, pty.master.get())) _exit(1);
    }
    PreparedProgram prog = become_user(up);
    exec_program(up, prog);
  } catch (...) {
    report_and_exit(sync_fd, "exec");
  }
}

// The helper: joins, forks the process as the runtime's child, reports its pid.
[[noreturn]] void helper_main(const ExecPlan& p, int sync_fd) noexcept {
  try {
    // Non-dumpable until the process's execve, and holding nothing but stdio, the fds passed
    // on and what joining needs: once the process below is forked it is visible in the
    // container, and /proc/PID/exe, /proc/PID/fd and /proc/PID/mem must lead nowhere.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    if (sys::close_fds_except(3 + p.kept_fds, {sync_fd, p.init_pidfd, p.root_fd}) != 0)
      throw_errno("close the runtime's fds");
    if (p.place_helper) {
      SyncMessage go;
      if (!sync_recv(sync_fd, go) || go.type != SyncType::MapsWritten) _exit(1);
    }
    if (p.join_flags != 0 && ::setns(p.init_pidfd, static_cast<int>(p.join_flags)) != 0)
      throw_errno("join the container's namespaces");
    // The mount namespace's root is not necessarily the container's (--no-pivot chroots);
    // the init's own root is.
    if (::fchdir(p.root_fd) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0)
      throw_errno("enter the container's root");
    ::close(p.root_fd);
    ::close(p.init_pidfd);
    sys::CloneArgs args;
    args.flags = CLONE_PARENT;
    pid_t pid = sys::clone3(args);
    if (pid < 0) throw_errno("fork the process in the container");
    if (pid == 0) process_main(p, sync_fd);
    sync_send(sync_fd, SyncType::Pid, pid);
    _exit(0);
  } catch (...) {
    report_and_exit(sync_fd, "exec");
  }
}

}  // namespace

ExecSpawned spawn_exec(const ExecPlan& plan) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("socketpair");
  Fd ours(sv[0]), theirs(sv[1]);
  ExecPlan p = plan;

  sys::CloneArgs args;
  args.exit_signal = SIGCHLD;
  require_single_thread("clone the exec helper");
  pid_t helper = sys::clone3(args);
  if (helper < 0) throw_errno("fork");
  if (helper == 0) helper_main(p, theirs.get());
  theirs.reset();
  if (plan.place_helper) {
    try {
      plan.place_helper(helper);
    } catch (...) {
      ::kill(helper, SIGKILL);
      while (::waitpid(helper, nullptr, 0) < 0 && errno == EINTR) {
      }
      throw;
    }
    sync_send(ours.get(), SyncType::MapsWritten);
  }

  // Messages come from two processes in any order; EOF means both are done with the socket:
  // the helper exited and the process exec'd (or died).
  ExecSpawned s;
  std::optional<Error> error;
  SyncMessage m;
  // The listener comes from the process, its pid from the helper, in either order; the agent
  // needs both. The process may wait in a notified syscall meanwhile, so the listener goes on
  // as soon as both are known, not after EOF.
  Fd listener;
  auto pass_listener = [&] {
    if (!listener || s.pid <= 0) return;
    try {
      if (plan.seccomp_listener) plan.seccomp_listener(s.pid, listener.get());
    } catch (const Error& e) {
      if (!error) error.emplace(e);
    }
    listener.reset();  // with no agent, notified syscalls now fail (ENOSYS) instead of waiting
  };
  while (sync_recv(ours.get(), m)) {
    if (m.type == SyncType::Pid) s.pid = m.err;
    if (m.type == SyncType::Terminal) s.terminal = std::move(m.fd);
    if (m.type == SyncType::SeccompListener) listener = std::move(m.fd);
    if (m.type == SyncType::Error && !error) error.emplace(m.text, m.err);
    pass_listener();
  }
  int status = 0;
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (s.pid > 0) s.pidfd.reset(sys::pidfd_open(s.pid));
  if (error || s.pid <= 0) {
    if (s.pid > 0) kill_and_reap(s.pid, s.pidfd.get());
    if (error) throw *error;
    fail("exec: the helper died ({})", WIFSIGNALED(status) ? "killed" : "exited");
  }
  return s;
}

}  // namespace sandbox::process
