#pragma once
// Whether linux.sysctl may be written where the container's namespaces are. The init writes
// each entry through /proc/sys, and the kernel applies it to the writer's namespace of its
// kind. The parser already refuses global sysctls and those whose namespace is missing from
// config.json; what is left to see here is a namespace joined by path that is the caller's
// own (the host's, for root): an entry for it would change the host, so it is refused
// (runc: "sysctl ... not allowed in host network namespace").
#include <functional>
#include <map>
#include <string>

#include "oci/spec.hpp"

namespace sandbox::runtime {

enum class NamespaceSource {
  Host,    // none in config.json, or one joined by path that is the caller's own
  New,     // created for the container
  Joined,  // joined by path, and not the caller's own
};

// Throws sandbox::Error ("config.json: linux.sysctl: net.ipv4.ip_forward: ...") for the first
// entry that would be written outside the container. SOURCE tells where each namespace of
// the container comes from.
void check_sysctls(const std::map<std::string, std::string>& sysctl,
                   const std::function<NamespaceSource(oci::NamespaceType)>& source);

}  // namespace sandbox::runtime
