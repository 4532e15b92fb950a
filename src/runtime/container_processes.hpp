#pragma once
// Which host processes belong to a container, for `ps` and `kill --all`.
//
// A container with a cgroup of its own is answered from the cgroup (cgroup/control.hpp); the
// /proc rules below are for a container without one (rootless without delegation,
// --cgroup-manager disabled).
//
// The /proc rules:
//  - the init has a pid namespace of its own: every process in that namespace;
//  - it shares ours: the init, and, when it has a mount namespace of its own, every process in
//    that mount namespace (processes started by `exec` join it without being the init's
//    descendants);
//  - either way, every descendant of those (this covers nested pid and mount namespaces).
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace sandbox::runtime {

// A namespace as /proc/PID/ns/* names it: the nsfs device and inode. All zero when unknown
// (a zombie has no namespaces; a process we may not inspect hides them).
struct NamespaceId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool known() const { return ino != 0; }
  bool operator==(const NamespaceId&) const = default;
};

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  NamespaceId pid_ns;
  NamespaceId mnt_ns;
};

// The rules above, as a pure function of a /proc snapshot: ALL is every process, INIT the
// container's init (also in ALL or not), OWN_* the caller's namespaces. Sorted ascending, the
// init included.
std::vector<pid_t> select_container_processes(const std::vector<ProcessInfo>& all,
                                              const ProcessInfo& init,
                                              const NamespaceId& own_pid_ns,
                                              const NamespaceId& own_mnt_ns);

// The host pids of the container whose init is PID with START_TIME, sorted ascending, the init
// included; empty when the init is gone. A snapshot: processes may come and go right after.
std::vector<pid_t> container_processes(pid_t init, uint64_t start_time);

}  // namespace sandbox::runtime
