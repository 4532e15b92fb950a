#pragma once
// Writing a new user namespace's uid_map and gid_map, in the tier the caller can use:
//   Direct  - the runtime writes /proc/PID/{setgroups,gid_map,uid_map} itself: any map when it is
//             privileged, else only its own uid and gid (the kernel's rule for unprivileged
//             writers, which also requires setgroups to be denied first);
//   Helpers - the setuid newuidmap/newgidmap of the uidmap package write ranges that
//             /etc/subuid and /etc/subgid grant to the caller.
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

struct IdMapHelpers {
  std::string newuidmap, newgidmap;  // absolute paths
};

// Finds newuidmap/newgidmap (PATH, then /usr/bin, /bin, /usr/sbin) that can work: setuid root or
// with file capabilities (a security.capability xattr), on a mount without nosuid. Returns
// nullopt and fills *WHY (when not null) with one actionable sentence otherwise, e.g.
// "newuidmap: not found (install the uidmap package)".
std::optional<IdMapHelpers> find_id_map_helpers(std::string* why);

enum class MapMethod { Direct, Helpers };

struct IdMapPlan {
  std::vector<oci::IdMapping> uid, gid;  // an empty list is not written
  MapMethod method = MapMethod::Direct;
  bool deny_setgroups = false;  // required by the kernel for an unprivileged direct gid_map write
  IdMapHelpers helpers;         // the programs to run, for MapMethod::Helpers
  std::string description;      // one line for --debug: which tier and why
};

struct IdMapContext {  // facts about the caller, gathered by the runtime
  uid_t euid = 0;
  gid_t egid = 0;
  bool privileged = false;  // may write any map itself (CAP_SETUID/SETGID over its user namespace)
  std::optional<IdMapHelpers> helpers;
  std::string helpers_missing_why;  // find_id_map_helpers' sentence when helpers is empty
  std::optional<oci::IdRange> subuid, subgid;  // the caller's grants
};

// Chooses the tier for UID and GID (config.json's linux.uidMappings / gidMappings):
// privileged -> Direct; unprivileged with each list empty or exactly the caller's own id (one
// mapping of size 1 whose hostID is euid / egid) -> Direct with deny_setgroups; otherwise
// Helpers, after checking that the helpers exist and that every host range is the caller's own
// id or inside its grant, so that the error names the config field rather than leaving it to
// newuidmap. Throws Error("config.json: linux.uidMappings[1]: ...").
IdMapPlan plan_id_maps(const std::vector<oci::IdMapping>& uid,
                       const std::vector<oci::IdMapping>& gid, const IdMapContext& ctx);

// The maps for a non-root caller whose config.json asks for no user namespace of its own: the
// caller becomes 0, and with usable helpers its grant is mapped at 1..count (uid, then gid).
std::pair<std::vector<oci::IdMapping>, std::vector<oci::IdMapping>> default_rootless_mappings(
    const IdMapContext& ctx);

// Writes the maps of PID, a child waiting in its new user namespace. Direct writes
// /proc/PID/setgroups ("deny" when asked), gid_map, then uid_map; Helpers runs newgidmap, then
// newuidmap, with an empty environment, and throws
// Error("newuidmap: exited with status 1: <its stderr, one line>") when one fails.
void apply_id_maps(pid_t pid, const IdMapPlan& plan);

}  // namespace sandbox::linux_
