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

namespace sandbox::cgroup {

struct Layout {
  std::string v2_mount;                       // "" when there is no cgroup2 mount
  std::set<std::string> v2_controllers;       // cgroup.controllers of the cgroup2 root
  std::map<std::string, std::string> v1;      // controller ("memory", "name=systemd") -> mount

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

}  // namespace sandbox::cgroup
