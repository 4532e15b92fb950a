#pragma once
// Signalling a container's processes without a cgroup: the init through a pidfd (race-free
// against pid reuse), and, for --all, every process of the container (container_processes.hpp).
#include <sys/types.h>

#include <cstdint>

namespace sandbox::runtime {

// Returns false when the init (PID with START_TIME) is no longer alive.
bool signal_init(pid_t pid, uint64_t start_time, int sig);
// Signals every process of the container (container_processes), the init last. The init is
// stopped first so that it cannot start new processes meanwhile; nothing when it is gone.
void signal_all(pid_t pid, uint64_t start_time, int sig);
// Waits until the process is gone, up to TIMEOUT_MS. Returns false on timeout.
bool wait_gone(pid_t pid, uint64_t start_time, int timeout_ms);

}  // namespace sandbox::runtime
