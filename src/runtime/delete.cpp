// delete: remove a stopped container's state; --force (and a `created` container, as in
// runc) kills what is left first.
#include <csignal>

#include "cgroup/container_cgroup.hpp"
#include "process/hooks.hpp"
#include "runtime/operations.hpp"
#include "runtime/signal_processes.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {

void delete_container(const GlobalOptions& g, const std::string& id, bool force) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open_if_exists(root, id);
  if (!dir) {
    if (force) return;  // engines delete --force what may already be gone
    fail("container \"{}\" does not exist", id);
  }
  std::optional<state::ContainerState> st;
  try {
    st = dir->load();
  } catch (const Error& e) {
    // A corrupt or unreadable state.json: only --force goes on, with what create wrote around
    // clone (the init's pid and start time, the cgroup record); without it nothing is removed.
    if (!force) fail("cannot delete container \"{}\": {}", id, e.what());
    log::warning(
        fmt::format("container \"{}\": {}; deleting from its creating record", id, e.what()));
    st = dir->load_fallback();
  }
  auto status = dir->status(st);
  if ((status == state::Status::Running || status == state::Status::Paused) && !force)
    fail(
        "cannot delete container \"{}\": it is not stopped (status: {}); stop it first "
        "or use --force",
        id, state::status_name(status));
  cgroup::Record record;
  try {
    if (st) record = cgroup::record_from_json(st->cgroup);
  } catch (const Error& e) {
    // A damaged record names nothing to trust: --force still kills the init and removes the
    // state; without it, the state stays for a look.
    if (!force) fail("cannot delete container \"{}\": {}", id, e.what());
    log::warning(fmt::format("container \"{}\": {}; its cgroups are not removed", id, e.what()));
  }
  auto cgroups = cgroup::open_cgroup(record);
  // A crashed create ("creating": its init may still live) is killed like a created one.
  if (status != state::Status::Stopped && st->pid > 0) {
    cgroups->signal_all(SIGKILL);
    signal_all(st->pid, st->pid_start_time, SIGKILL);
    if (!wait_gone(st->pid, st->pid_start_time, 10000))
      fail("cannot delete container \"{}\": its init {} did not die after SIGKILL", id, st->pid);
  }
  // Whatever is left in the cgroup (processes outside the init's pid namespace) dies here;
  // then the cgroups and the scope go. On failure the state stays, so delete can be retried.
  try {
    cgroups->destroy();
  } catch (const Error& e) {
    fail("cannot delete container \"{}\": {}", id, e.what());
  }
  dir->remove(root);
  log::debug("deleted container {}", id);
  // After the container is gone, before delete returns; failures are warnings (the spec).
  if (st && !st->poststop.empty())
    process::run_hooks_warning_only("poststop", st->poststop,
                                    state::oci_state_json(*st, state::Status::Stopped, id).dump());
}

}  // namespace sandbox::runtime
