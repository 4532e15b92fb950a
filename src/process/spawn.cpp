#include "process/spawn.hpp"

#include <sys/socket.h>
#include <sys/wait.h>

#include <csignal>

#include "process/sync.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::process {
namespace {

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "unknown status";
}

}  // namespace

void kill_and_reap(pid_t pid, int pidfd) {
  if (pidfd >= 0)
    sys::pidfd_send_signal(pidfd, SIGKILL);
  else
    ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

Spawned spawn_init(SpawnPlan& plan) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("socketpair");
  Fd ours(sv[0]), theirs(sv[1]);
  plan.init.sync_fd = theirs.get();
  plan.init.close_fds.push_back(ours.get());
  bool go_message = plan.id_maps.has_value() || plan.place || plan.init.unshare_cgroup_namespace;
  plan.init.wait_for_maps = go_message;

  int pidfd = -1;
  sys::CloneArgs args;
  args.flags = plan.clone_flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  bool cloned_into = plan.cgroup_fd >= 0;
  if (cloned_into) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(plan.cgroup_fd);
  }
  pid_t pid = sys::clone3(args);
  if (pid < 0 && cloned_into) {
    // Older kernels, or a move the kernel refuses at clone time (e.g. the common-ancestor
    // permission rule): clone normally and write cgroup.procs afterwards instead.
    log::debug("clone into cgroup: {}; placing the init after clone", errno_text(errno));
    cloned_into = false;
    args.flags &= ~CLONE_INTO_CGROUP;
    args.cgroup = 0;
    pid = sys::clone3(args);
  }
  if (pid < 0) {
    int err = errno;
    if (err == EPERM || err == EACCES || err == ENOSPC || err == EUSERS)
      throw_errno("clone (create namespaces)", err);
    throw_errno("clone", err);
  }
  if (pid == 0) run_init(plan.init);

  Spawned s;
  s.pid = pid;
  s.pidfd.reset(pidfd);
  theirs.reset();
  try {
    if (plan.place) plan.place(pid, cloned_into);
    if (plan.id_maps) {
      log::debug("{}", plan.id_maps->description);
      linux_::apply_id_maps(pid, *plan.id_maps);
    }
    if (go_message && !sync_send(ours.get(), SyncType::MapsWritten))
      fail("container init died early");
    SyncMessage m;
    bool got = sync_recv(ours.get(), m);
    if (got && m.type == SyncType::Terminal) {
      s.terminal = std::move(m.fd);
      got = sync_recv(ours.get(), m);
    }
    if (!got) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      s.pid = 0;
      fail("container init exited before it was ready ({})", describe_exit(status));
    }
    if (m.type == SyncType::Error) throw Error(m.text, m.err);
    if (m.type != SyncType::Ready) fail("container init: unexpected message {}", int(m.type));
  } catch (...) {
    if (s.pid > 0) kill_and_reap(s.pid, s.pidfd.get());
    throw;
  }
  s.sync = std::move(ours);
  return s;
}

}  // namespace sandbox::process
