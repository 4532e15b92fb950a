// start: release the init that `create` left waiting on exec.fifo.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "process/hooks.hpp"
#include "runtime/operations.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {

namespace {

struct Released {
  std::optional<NotifyRelay> relay;
  std::vector<oci::Hook> poststart;
  std::string state;  // for the poststart hooks
  Fd fifo;            // our write end, kept to see the init's read end close at its execve
};

// The init holds the fifo's only read end, close-on-exec: once it is gone the user's program
// has been exec'd (or the init died). poll with no events waits for exactly that (POLLERR).
void wait_for_exec(int fifo) {
  pollfd p{fifo, 0, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

Released release(const GlobalOptions& g, const std::string& id) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  auto st = dir.load();
  auto status = dir.status(st);
  if (status != state::Status::Created)
    fail("cannot start container \"{}\": not in created state (status: {})", id,
         state::status_name(status));
  // Bound before the process runs, so that no message of it is lost.
  std::optional<NotifyRelay> relay = NotifyRelay::open(dir.fd());
  // The init holds the fifo's read end. Opening without blocking fails with ENXIO when no
  // reader is left, i.e. the init died since the status check.
  Fd fifo(::openat(dir.fd(), state::kExecFifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo) {
    if (errno == ENXIO) fail("cannot start container \"{}\": container not running", id);
    throw_errno("cannot start container \"" + id + "\": open exec fifo");
  }
  char go = '0';
  if (::write(fifo.get(), &go, 1) != 1) throw_errno("cannot start container \"" + id + "\"");
  // Without the fifo the container counts as running.
  ::unlinkat(dir.fd(), state::kExecFifo, 0);
  Released r;
  r.relay = std::move(relay);
  if (st && !st->poststart.empty()) {
    r.poststart = st->poststart;
    r.state = state::oci_state_json(*st, state::Status::Running, id).dump();
    r.fifo = std::move(fifo);
  }
  return r;
}

}  // namespace

std::optional<NotifyRelay> release_container(const GlobalOptions& g, const std::string& id) {
  Released r = release(g, id);
  // poststart: after the program is executed (and the startContainer hooks ran), and after
  // the state lock is released (a hook may ask `state`). Failures are warnings, as the spec
  // says (runc kills the container instead).
  if (!r.poststart.empty()) {
    wait_for_exec(r.fifo.get());
    process::run_hooks_warning_only("poststart", r.poststart, r.state);
  }
  return std::move(r.relay);
}

void start_container(const GlobalOptions& g, const std::string& id) {
  std::optional<NotifyRelay> relay = release_container(g, id);
  if (!relay) return;
  // The state lock is released by now: waiting for READY=1 must not block `state` or `kill`.
  auto root = open_existing_root(g);
  auto st = state::ContainerDir::open(root, id).load();
  if (!st) return;
  Fd pidfd = sys::open_process(st->pid, st->pid_start_time);
  if (pidfd) relay->relay_until_ready(st->pid, pidfd.get());
}

}  // namespace sandbox::runtime
