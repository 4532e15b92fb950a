#pragma once
// Where a container's cgroup goes, from linux.cgroupsPath (pure functions, unit-tested).
//   cgroupfs: a path; absolute ones are taken from each hierarchy's root, relative ones (and
//             the default, the container id) nest under the caller's own cgroup, as runc does
//             (on cgroup2 under its parent: a cgroup with processes cannot have controllers
//             enabled for children).
//   systemd:  "slice:prefix:name" -> a transient scope "prefix-name.scope" in that slice;
//             by default "sandbox-<id>.scope" in user.slice (rootless) or system.slice.
#include <string>

namespace sandbox::cgroup {

// "/a/b" for a cgroup path: leading '/', no "//", no "." components; ".." is refused (it
// would leave the hierarchy or the delegated subtree). WHAT names the input in the error.
std::string clean_path(const std::string& path, const std::string& what);

// The cgroupfs path (relative to a hierarchy's root) for CGROUPS_PATH ("" = the id), given
// the caller's own path in that hierarchy (OWN) and whether it is the cgroup2 hierarchy.
std::string cgroupfs_path(const std::string& cgroups_path, const std::string& id,
                          const std::string& own, bool v2);

struct ScopeName {
  std::string slice;  // "user.slice"
  std::string unit;   // "sandbox-ID.scope"
  bool operator==(const ScopeName&) const = default;
};
// Throws sandbox::Error for a cgroupsPath that is not "slice:prefix:name".
ScopeName systemd_scope_name(const std::string& cgroups_path, const std::string& id, bool rootless);

}  // namespace sandbox::cgroup
