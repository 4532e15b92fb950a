// run: create + start, then either return (-d) or stay in the foreground (runtime/foreground):
// forward signals, proxy the terminal, wait for the container's process, delete the container,
// and exit with its status.
#include <sys/prctl.h>

#include "process/sync.hpp"
#include "runtime/foreground.hpp"
#include "runtime/operations.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {
namespace {

// Waits for the exec of the user program: EOF on the sync socket. An error message instead
// means the init failed after `start` (the checks during create make that rare).
void await_exec(const CreatedContainer& c) {
  process::SyncMessage m;
  if (process::sync_recv(c.sync.get(), m) && m.type == process::SyncType::Error)
    throw Error(m.text, m.err);
}

}  // namespace

int run_container(const GlobalOptions& g, const RunOptions& o) {
  if (!o.detach && !o.no_subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  // In the foreground, signals are caught from before the container exists.
  std::optional<SignalGate> gate;
  if (!o.detach) gate.emplace();
  CreatedContainer c = create_container(g, o, o.detach);
  std::optional<NotifyRelay> relay;
  try {
    relay = release_container(g, o.id);
    await_exec(c);
    if (o.detach && relay) relay->relay_until_ready(c.pid, c.pidfd.get());
  } catch (const Error&) {
    try {
      delete_container(g, o.id, true);
    } catch (const Error&) {
    }
    throw;
  }
  if (o.detach) return 0;

  ForegroundProcess p;
  p.pid = c.pid;
  p.pidfd = c.pidfd.get();
  p.terminal = std::move(c.terminal);
  if (relay) {
    p.extra_fd = relay->fd();
    p.on_extra = [&] { return !relay->relay_one(c.pid); };
  }
  int code = supervise(*gate, p);
  // The container may have sent its last messages just before it exited.
  if (relay) relay->relay_queued(c.pid);
  log::debug("container {} exited with code {}", o.id, code);
  if (!o.keep) delete_container(g, o.id, true);
  return code;
}

}  // namespace sandbox::runtime
