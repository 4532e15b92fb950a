#pragma once
// `update`'s last step, on the container's cgroup whatever its driver (unit-tested with a
// fake ContainerCgroup): what update never changes is taken out, then the cgroup applies the
// rest whole or not at all.
#include <string>

#include "cgroup/container_cgroup.hpp"
#include "oci/resources.hpp"

namespace sandbox::runtime {

// PRIVILEGED: root in the initial user namespace. Errors name the container ID.
void update_cgroup(cgroup::ContainerCgroup& c, oci::Resources res, bool privileged,
                   const std::string& id);

}  // namespace sandbox::runtime
