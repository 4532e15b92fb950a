#pragma once
// One interface for what later commands do with an existing container's cgroups, whatever
// made them (crun's and youki's shape): the driver differences (a systemd scope to stop and
// to keep informed of the limits, v1 or cgroup2, no cgroup at all) live behind it, and the
// runtime's commands never look at the driver. open_cgroup() chooses the implementation from
// the record in one place; tests/unit has a fake. Create's side is Setup (manager.hpp).
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cgroup/record.hpp"
#include "oci/resources.hpp"

namespace sandbox::cgroup {

class ContainerCgroup {
 public:
  virtual ~ContainerCgroup() = default;
  virtual const Record& record() const = 0;
  bool none() const { return record().none(); }

  // Host pids, ascending, sub-cgroups included (control.hpp: processes).
  virtual std::vector<pid_t> processes() const = 0;
  // pause/resume; can_freeze says why not in WHY.
  virtual bool can_freeze(std::string* why) const = 0;
  virtual void freeze() = 0;
  virtual void thaw() = 0;
  virtual bool is_frozen() const = 0;
  // Every process; SIGKILL through cgroup.kill where the kernel has it.
  virtual void signal_all(int sig) = 0;
  // `update`: RES into the cgroup files, all or nothing (a failed write puts back the ones
  // before it); PRIVILEGED as ApplyOptions::privileged. The systemd driver also sets them as
  // the unit's properties, so that a daemon-reload keeps them.
  virtual void update(const oci::Resources& res, bool privileged) = 0;
  // `events`.
  virtual nlohmann::ordered_json stats() const = 0;
  virtual std::optional<uint64_t> oom_kill_count() const = 0;
  // delete: kills what is left, waits for the cgroups to empty, removes what sandbox made,
  // stops the systemd scope. Throws when something stays behind.
  virtual void destroy() = 0;
};

// The implementation for R's driver.
std::unique_ptr<ContainerCgroup> open_cgroup(const Record& r);

}  // namespace sandbox::cgroup
