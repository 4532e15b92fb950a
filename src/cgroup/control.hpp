#pragma once
// What later commands do with a container's cgroups (from its Record): list, freeze, signal,
// join and tear down. Every function is a no-op (or empty) for a container without a cgroup.
#include <sys/types.h>

#include <vector>

#include "cgroup/record.hpp"

namespace sandbox::cgroup {

// The container's processes (host pids, ascending), from cgroup2 when it has a cgroup2
// directory, else from one v1 hierarchy; sub-cgroups included.
std::vector<pid_t> processes(const Record& r);

// pause/resume: the v1 freezer where the container has one (root on v1 and hybrid hosts),
// else cgroup.freeze; returns once the kernel reports the cgroup frozen (or thawed).
void freeze(const Record& r);
void thaw(const Record& r);
bool is_frozen(const Record& r);
// create: throws when any cgroup of the new container is frozen already (a cgroupsPath naming
// a frozen cgroup, or one below a frozen parent). A process put there would stop at once, and
// the runtime waiting for it with it; runc refuses the same way ("unexpectedly frozen").
void refuse_frozen(const Record& r);
// Whether pause/resume can work at all; WHY says why not.
bool can_freeze(const Record& r, std::string* why);

// Signals every process; SIGKILL goes through cgroup.kill when the kernel has it. A frozen v1
// cgroup is thawed after SIGKILL so the processes can die.
void signal_all(const Record& r, int sig);

// Moves PID into every cgroup of the container (exec). Returns 0 or the first errno.
int join(const Record& r, pid_t pid);

// delete: kills what is left, waits until the cgroups are empty and removes the directories
// sandbox made. Throws when something stays behind. (The systemd scope: below.)
void destroy(const Record& r);
// The systemd driver's last step of delete: StopUnit, unless systemd collected the empty
// scope by itself already.
void stop_scope_unless_collected(const Record& r);

}  // namespace sandbox::cgroup
