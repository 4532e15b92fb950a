#pragma once
// Which namespaces a container gets: created ones become clone flags; ones given by path are
// opened (and checked to be namespaces of the right type) to be joined before the clone.
#include <cstdint>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/sysctl_policy.hpp"
#include "sys/fd.hpp"

namespace sandbox::runtime {

struct NamespaceToJoin {
  oci::NamespaceType type;
  Fd fd;
};

struct NamespacePlan {
  uint64_t clone_flags = 0;
  std::vector<NamespaceToJoin> join;  // user namespace last
  bool new_user_namespace = false;
  bool auto_user_namespace = false;  // not in config.json: added because we are not root
};

int clone_flag(oci::NamespaceType t);
// Throws sandbox::Error naming linux.namespaces[i].path.
NamespacePlan plan_namespaces(const oci::Linux& linux, bool caller_is_root);
// Where the container's namespace of type T comes from: created, joined, or the caller's own
// (none in config.json, or a path naming the namespace the runtime is in).
NamespaceSource namespace_source(const NamespacePlan& plan, oci::NamespaceType t);

}  // namespace sandbox::runtime
