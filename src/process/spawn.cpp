#include "process/spawn.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdio>

#include "process/single_thread.hpp"
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

struct Cloned {
  pid_t pid = -1;
  int pidfd = -1;
  bool cloned_into = false;  // CLONE_INTO_CGROUP placed it in its cgroup2 directory
};

// clone3 into the new namespaces (and the cgroup2 directory, when there is one); the child
// runs the init and never returns. Throws the clone's error.
Cloned clone_init(SpawnPlan& plan, uint64_t extra_flags = CLONE_PIDFD) {
  Cloned c;
  sys::CloneArgs args;
  args.flags = plan.clone_flags | extra_flags;
  if (extra_flags & CLONE_PIDFD) args.pidfd = reinterpret_cast<uint64_t>(&c.pidfd);
  args.exit_signal = (extra_flags & CLONE_PARENT) ? 0 : SIGCHLD;
  c.cloned_into = plan.cgroup_fd >= 0;
  if (c.cloned_into) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(plan.cgroup_fd);
  }
  require_single_thread("clone the init");
  pid_t pid = sys::clone3(args);
  if (pid < 0 && c.cloned_into) {
    // Older kernels, or a move the kernel refuses at clone time (e.g. the common-ancestor
    // permission rule): clone normally and write cgroup.procs afterwards instead.
    log::debug("clone into cgroup: {}; placing the init after clone", errno_text(errno));
    c.cloned_into = false;
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
  c.pid = pid;
  return c;
}

// What the joining helper reports: the init's pid, or the errno and the step that failed.
struct JoinReport {
  pid_t pid = -1;
  int err = 0;
  bool cloned_into = false;
  char what[96] = {};
};

// Namespaces given by path: a helper process joins them and clones the init with
// CLONE_PARENT, so the init is still the runtime's child (its pidfd, its exit status) while
// the runtime itself never leaves the caller's namespaces. A pid namespace applies only to
// children, which is why the helper cannot simply be the init.
Cloned clone_init_after_joining(SpawnPlan& plan) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd rd(pipefd[0]), wr(pipefd[1]);
  sys::CloneArgs args;
  args.exit_signal = SIGCHLD;
  require_single_thread("clone the joining helper");
  pid_t helper = sys::clone3(args);
  if (helper < 0) throw_errno("fork");
  if (helper == 0) {
    rd.reset();
    JoinReport r;
    auto report = [&](const char* what, int err) {
      r.err = err;
      std::snprintf(r.what, sizeof(r.what), "%s", what);
      (void)!::write(wr.get(), &r, sizeof(r));
      _exit(1);
    };
    for (const auto& j : plan.join) {
      if (::setns(j.fd, j.type) != 0) report(j.what.c_str(), errno);
    }
    try {
      Cloned c = clone_init(plan, CLONE_PARENT);
      r.pid = c.pid;
      r.cloned_into = c.cloned_into;
    } catch (const Error& e) {
      report("clone (create namespaces)", e.code());
    }
    (void)!::write(wr.get(), &r, sizeof(r));
    _exit(0);
  }
  wr.reset();
  JoinReport r;
  ssize_t n;
  do {
    n = ::read(rd.get(), &r, sizeof(r));
  } while (n < 0 && errno == EINTR);
  while (::waitpid(helper, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof(r)))
    fail("join the container's namespaces: the helper died");
  if (r.pid <= 0) throw_errno(r.what, r.err);
  Cloned c;
  c.pid = r.pid;
  c.cloned_into = r.cloned_into;
  // The init is our child (CLONE_PARENT) and not yet reaped, so its pid cannot be reused.
  c.pidfd = sys::pidfd_open(r.pid);
  if (c.pidfd < 0) {
    int err = errno;
    kill_and_reap(r.pid, -1);
    throw_errno("pidfd_open", err);
  }
  return c;
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

bool send_committed(const Spawned& s) {
  return sync_send(s.sync.get(), SyncType::Committed);
}

Spawned spawn_init(SpawnPlan& plan) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("socketpair");
  Fd ours(sv[0]), theirs(sv[1]);
  plan.init.sync_fd = theirs.get();
  bool go_message = plan.id_maps.has_value() || plan.place || plan.init.unshare_cgroup_namespace;
  plan.init.wait_for_maps = go_message;

  Cloned c = plan.join.empty() ? clone_init(plan) : clone_init_after_joining(plan);
  pid_t pid = c.pid;
  int pidfd = c.pidfd;
  bool cloned_into = c.cloned_into;

  Spawned s;
  s.pid = pid;
  s.pidfd.reset(pidfd);
  theirs.reset();
  try {
    if (plan.cloned) plan.cloned(pid);
    if (plan.place) plan.place(pid, cloned_into);
    if (plan.id_maps) {
      log::debug("{}", plan.id_maps->description);
      linux_::apply_id_maps(pid, *plan.id_maps);
    }
    if (go_message && !sync_send(ours.get(), SyncType::MapsWritten))
      fail("container init died early");
    SyncMessage m;
    bool got;
    while ((got = sync_recv(ours.get(), m))) {
      if (m.type == SyncType::Terminal) {
        s.terminal = std::move(m.fd);
      } else if (m.type == SyncType::SeccompListener && m.fd && plan.seccomp_listener) {
        plan.seccomp_listener(pid, m.fd.get());
        m.fd.reset();  // the agent holds it now; ours must not keep the filter's listener alive
      } else if (m.type == SyncType::RunHooks) {
        if (plan.run_hooks) plan.run_hooks(pid);
        if (!sync_send(ours.get(), SyncType::HooksDone, pid)) fail("container init died early");
      } else {
        break;
      }
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
