#pragma once
// Plain file operations on cgroup directories, shared by the drivers and the commands. Paths
// are absolute directories inside a cgroup mount.
#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sandbox::cgroup {

// Writes VALUE to DIR/FILE; returns 0 or the errno (callers decide what a failure means).
int try_write(const std::string& dir, const std::string& file, const std::string& value);
// Writes or throws "cgroup DIR/FILE: write VALUE: <errno text>".
void write_file(const std::string& dir, const std::string& file, const std::string& value);
// The file's content without the trailing newline; nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& dir, const std::string& file);
bool exists(const std::string& dir, const std::string& file);

// mkdir -p of MOUNT + PATH; returns the directories it made, parents first. For the v1
// cpuset hierarchy, new directories inherit cpuset.cpus/mems from their parent (the kernel
// leaves them empty, and an empty cpuset takes no processes).
std::vector<std::string> make_dirs(const std::string& mount, const std::string& path, bool cpuset);
// Removes DIRS, children first, retrying while the kernel still counts exiting tasks.
// Returns the first directory it could not remove with the errno, or "".
std::string remove_dirs(const std::vector<std::string>& dirs, int* err = nullptr);

// cgroup2: the controllers of DIR (cgroup.controllers).
std::set<std::string> controllers(const std::string& dir);
// cgroup2: enables CONTROLLERS for DIR by writing "+c" into each ancestor's subtree_control,
// from the hierarchy's root (MOUNT) down, where allowed; what stays unavailable is for the
// caller to report.
void enable_controllers(const std::string& mount, const std::string& dir,
                        const std::set<std::string>& wanted);

// The pids in DIR and, when RECURSIVE, in every cgroup below it.
std::vector<pid_t> read_procs(const std::string& dir, bool recursive = true);

// The nearest existing ancestor of MOUNT + PATH (or the directory itself).
std::string nearest_existing(const std::string& mount, const std::string& path);

}  // namespace sandbox::cgroup
