#include "runtime/cgroup_update.hpp"

#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {

void update_cgroup(cgroup::ContainerCgroup& c, oci::Resources res, bool privileged,
                   const std::string& id) {
  if (c.none())
    fail(
        "cannot update container \"{}\": it runs without a cgroup of its own, so there are no "
        "limits to change",
        id);
  if (!res.devices.empty()) {
    // As runc: device access is fixed at create.
    log::debug("update: linux.resources.devices is not changed by update");
    res.devices.clear();
  }
  c.update(res, privileged);
}

}  // namespace sandbox::runtime
