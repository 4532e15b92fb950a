#pragma once
// Facts read from /proc about processes and about ourselves.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "sys/fd.hpp"
// read_file and friends lived here once; their callers still find them through this header.
#include "sys/file_io.hpp"

namespace sandbox::sys {

// Field 22 of /proc/PID/stat (clock ticks since boot): with the pid it names one process
// for its whole life, so a reused pid is never taken for the container init.
std::optional<uint64_t> process_start_time(pid_t pid);
// True when PID is alive, not a zombie, and started at `start_time`.
bool process_is(pid_t pid, uint64_t start_time);
// Field 4 of /proc/PID/stat: the parent's pid (0 for a process whose parent is outside our pid
// namespace); nullopt when PID is gone.
std::optional<pid_t> process_parent(pid_t pid);
// A pidfd for PID when it is the process that started at START_TIME; none otherwise. The
// pidfd is opened first and the start time checked after, so it cannot name a later process
// that reused the pid.
Fd open_process(pid_t pid, uint64_t start_time);
// True when /proc/PID/setgroups (our own for PID 0) says "deny": a user namespace with a
// single-id map, where setgroups(2) is refused.
bool setgroups_denied(pid_t pid);
// True when this process is in the initial user namespace (uid_map is the identity).
bool in_initial_user_namespace();

}  // namespace sandbox::sys
