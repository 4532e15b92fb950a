// kill: signal the init (or, with --all, every process of the container).
#include "cgroup/container_cgroup.hpp"
#include "runtime/operations.hpp"
#include "runtime/signal_processes.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {

void kill_container(const GlobalOptions& g, const std::string& id, int sig, bool all) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  auto st = dir.load();
  auto status = dir.status(st);
  // "container not running" is the phrase CRI-O matches to treat the container as gone.
  if (status == state::Status::Stopped || st->pid <= 0)
    fail("cannot kill container \"{}\": container not running", id);
  if (all) {
    // The cgroup has every process, also those outside the init's namespaces; the /proc walk
    // covers a container without a cgroup.
    cgroup::open_cgroup(cgroup::record_from_json(st->cgroup))->signal_all(sig);
    signal_all(st->pid, st->pid_start_time, sig);
    return;
  }
  if (!signal_init(st->pid, st->pid_start_time, sig))
    fail("cannot kill container \"{}\": container not running", id);
}

}  // namespace sandbox::runtime
