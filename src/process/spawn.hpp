#pragma once
// The runtime's side of starting a container init: clone3 into the new namespaces, write the id
// maps from outside, and wait until the init reports that it is set up (or why it failed).
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linux/idmap.hpp"
#include "process/init.hpp"
#include "sys/fd.hpp"

namespace sandbox::process {

struct SpawnPlan {
  InitConfig init;                           // sync_fd is filled in here
  uint64_t clone_flags = 0;                  // CLONE_NEW* for the namespaces to create
  std::optional<linux_::IdMapPlan> id_maps;  // set when CLONE_NEWUSER is in clone_flags
  // Namespaces given by path, in the order to join them. The runtime never enters them itself
  // (it must stay in the caller's namespaces for its state, sockets and rollback): a
  // short-lived helper joins them and clones the init from there.
  struct Join {
    int fd;
    int type;          // CLONE_NEW*
    std::string what;  // "join network namespace", for the error
  };
  std::vector<Join> join;
  int cgroup_fd = -1;  // a cgroup2 directory to clone the init into (CLONE_INTO_CGROUP), or -1
  // Called first after clone, before anything that can block: records the init (its pid and
  // start time) so that a runtime killed from here on leaves an init some command can find.
  std::function<void(pid_t pid)> cloned;
  // Called right after clone, before the init is told to go: puts it in its cgroups.
  // CLONED_INTO says whether CLONE_INTO_CGROUP did the cgroup2 part already.
  std::function<void(pid_t pid, bool cloned_into)> place;
  // Called when the init stops for the hooks of create (its mounts are in place, before
  // pivot_root): runs prestart and createRuntime; throws when one fails.
  std::function<void(pid_t pid)> run_hooks;
  // Called when the init has loaded a notifying seccomp filter, with its listener fd: hands
  // it to the agent (linux.seccomp.listenerPath); throws when that fails.
  std::function<void(pid_t pid, int listener)> seccomp_listener;
};

struct Spawned {
  pid_t pid = 0;
  Fd pidfd;
  Fd sync;      // stays open: EOF on it means the user program was exec'd
  Fd terminal;  // the pty master when process.terminal is true
};

// Returns once the init is ready (it then waits for Committed on `sync`, then for `start`).
// On failure the init is killed and reaped, and the init's own error is thrown.
Spawned spawn_init(SpawnPlan& plan);

// Sends SIGKILL through the pidfd and reaps the child.
void kill_and_reap(pid_t pid, int pidfd);
// Tells the ready init that the container is recorded; false when the init is gone.
bool send_committed(const Spawned& s);

}  // namespace sandbox::process
