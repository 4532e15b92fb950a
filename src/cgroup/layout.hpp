#pragma once
// Where the cgroup hierarchies are mounted and where a process sits in them. Unified hosts
// have one cgroup2 mount; legacy hosts one cgroup v1 mount per controller; hybrid hosts (such
// as the CI machines: v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified) have
// both, and sandbox uses both: v1 for the controllers mounted there, cgroup2 for the rest and
// for freeze, kill and events.
#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sandbox::cgroup {

struct Layout {
  std::string v2_mount;                      // "" when there is no cgroup2 mount
  std::set<std::string> v2_controllers;      // cgroup.controllers of the cgroup2 root
  std::map<std::string, std::string> v1;     // controller ("memory", "name=systemd") -> mount
  std::map<std::string, std::string> roots;  // mount point -> the mount's ROOT in its hierarchy

  bool pure_v2() const { return v1.empty() && !v2_mount.empty(); }
  bool has_v1(const std::string& controller) const { return v1.count(controller) != 0; }
};

// The cgroup mounts in a /proc/self/mountinfo text (the first mount of each hierarchy wins;
// co-mounted controllers such as "cpu,cpuacct" map to the same mount point). v2_controllers
// is left empty: it is read from the file system.
Layout parse_layout(std::string_view mountinfo);
// This host's layout (cached for the process).
const Layout& host_layout();

// /proc/PID/cgroup: hierarchy -> path. The cgroup2 line is under "", v1 lines under each of
// their controllers ("cpu,cpuacct" gives "cpu" and "cpuacct"; "name=systemd" is kept whole).
using Membership = std::map<std::string, std::string>;
Membership parse_membership(std::string_view proc_cgroup);
Membership process_membership(pid_t pid);  // 0 = this process

// The host directory of cgroup PATH (a /proc/PID/cgroup path) through the hierarchy mount at
// MOUNT whose root is ROOT: "" when PATH is not below ROOT or either has a ".." (the cgroup is
// not reachable through that mount, e.g. outside a cgroup namespace the paths are read in).
std::string directory_through(const std::string& mount, const std::string& root,
                              const std::string& path);

// What a container's "cgroup" mount shows on a v1 or hybrid host: for each hierarchy, a
// directory NAME below the mount (the base name of the host mount point: "memory",
// "cpu,cpuacct", "systemd", "unified"), bound to SOURCE, the host directory of the process's
// own cgroup there, plus LINKS: names that point to NAME ("cpu" and "cpuacct" for
// "cpu,cpuacct").
struct OwnHierarchy {
  std::string name;
  std::string source;
  std::vector<std::string> links;
};
struct OwnCgroups {
  std::vector<OwnHierarchy> hierarchies;  // v1 hierarchies and a hybrid host's cgroup2
  std::string v2_source;                  // the own cgroup2 directory ("" when none)
  bool pure_v2 = false;                   // a unified host: cgroup2 alone
};
// From a layout (with roots) and the membership read in the same cgroup namespace. A
// hierarchy whose own cgroup is not reachable is left out (never shown at its root instead).
OwnCgroups own_cgroups(const Layout& layout, const Membership& membership);

}  // namespace sandbox::cgroup
