#pragma once
// Choosing a cgroup driver and giving a new container its cgroups (create). Drivers:
//   systemd   a transient scope with Delegate=yes (user manager when rootless, system manager
//             as root); limits are written into the delegated cgroup.
//   cgroupfs  directories made by sandbox in every hierarchy it may write (cgroup2 and, on v1
//             and hybrid hosts, each v1 controller); the init is cloned straight into the
//             cgroup2 one (CLONE_INTO_CGROUP) where the kernel allows.
//   none      no cgroup: `--cgroup-manager disabled`, or rootless with nothing delegated.
// Default: root -> cgroupfs; rootless -> systemd user session (when its bus answers and the
// scope can be made), else a delegated cgroupfs subtree, else none. Limits that cannot be
// applied are an error, never dropped.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cgroup/apply.hpp"
#include "cgroup/record.hpp"
#include "cgroup/systemd_scope.hpp"
#include "oci/resources.hpp"
#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::cgroup {

struct Probe {
  bool ok = false;
  std::string why;  // why not, when !ok
};

struct Choice {
  Driver driver = Driver::None;
  std::string why_none;  // what was tried, when driver is None
};

// MANAGER: "" (default), "systemd", "cgroupfs", "disabled". The probes run only when needed.
// An explicit systemd or cgroupfs that does not work is an error.
Choice choose_driver(const std::string& manager, bool rootless,
                     const std::function<Probe()>& systemd, const std::function<Probe()>& cgroupfs);

struct Request {
  std::string manager;    // from --cgroup-manager / --systemd-cgroup
  bool rootless = false;  // not root in the initial user namespace
  std::string id;
  std::string cgroups_path;
  const oci::Resources* resources = nullptr;
  // Called with the record of what is about to be made (the container's own directories, no
  // parents yet) before the first mkdir: create writes it down first, so a runtime killed
  // while the directories are made leaves a record that names them.
  std::function<void(const Record&)> before_mkdir;
};

// A new container's cgroups, from before clone until create succeeds. Destroying it without
// commit() removes whatever it made (a failed create leaves nothing behind).
class Setup {
 public:
  explicit Setup(const Request& req);
  Setup(Setup&&) = default;
  ~Setup();

  // The cgroup2 directory to clone the init into (CLONE_INTO_CGROUP), or -1.
  int clone_into_fd() const { return clone_into_.get(); }
  // After clone, before the init does anything: the scope (systemd) or cgroup.procs writes for
  // every hierarchy the clone did not place it in; then the limits where systemd made the
  // cgroup.
  void place(pid_t pid, bool cloned_into);
  // Once the init has made its device nodes (at the hooks of create, else when it is ready):
  // the device rules, as runc writes them at procHooks/procReady. A node of linux.devices
  // that a rule denies is still made (mknod is a device access the rules govern), then
  // denied. Only the first call writes.
  void apply_device_rules();
  const Record& record() const { return record_; }
  void commit() { committed_ = true; }

 private:
  void prepare_cgroupfs();
  void fall_back_from_systemd(pid_t pid, const std::string& why);
  void apply();
  ApplyOptions options() const;
  Request req_;
  Record record_;
  Fd clone_into_;
  // systemd: the helper started at construction, connecting to the bus while the init is
  // cloned; place() hands it the pid.
  std::unique_ptr<PendingScope> pending_scope_;
  bool committed_ = false;
  bool device_rules_applied_ = false;
};

}  // namespace sandbox::cgroup
