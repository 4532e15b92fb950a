#pragma once
// The systemd driver's conversation with systemd over D-Bus (sd-bus): a transient scope per
// container with Delegate=yes, holding the container's init, on the user manager (rootless)
// or the system manager (root). Limits are written into the delegated cgroup by the caller.
#include <sys/types.h>

#include <string>
#include <vector>

#include "cgroup/systemd_properties.hpp"
#include "sys/run_program.hpp"

namespace sandbox::cgroup {

struct ScopeRequest {
  bool user_manager = true;  // the caller's user manager (session bus) or the system manager
  std::string slice;         // e.g. "user.slice", "system.slice", "machine.slice"
  std::string unit;          // e.g. "sandbox-<id>.scope"
  pid_t pid = 0;             // the container's init
  std::string description;   // "sandbox container <id>"
  // The limits, so that systemd knows them (a daemon-reload rewrites the unit's cgroup files
  // from its properties). A systemd too old for one of them starts the scope without it.
  std::vector<UnitProperty> properties;
};

// Whether something accepts connections on the manager's bus socket, in-process (no helper
// run); WHY gets a one-line reason when not (no DBUS_SESSION_BUS_ADDRESS and no
// $XDG_RUNTIME_DIR/bus, connection refused, ...).
bool systemd_bus_listening(bool user_manager, std::string* why);

// Starting the container's scope: StartTransientUnit(unit, "fail", [Slice, Delegate=yes,
// PIDs=[pid], Description, DefaultDependencies=no, CollectMode=inactive-or-failed, the
// limits]) and a wait
// for the job's JobRemoved signal, in two steps. begin() starts the helper, which connects to
// the bus while the caller goes on (REQ.pid is not used); finish(pid) hands it the pid and
// waits for the scope, throwing sandbox::Error with systemd's reason when it fails. Dropped without
// finish(), the helper is told there is no pid and exits.
class PendingScope {
 public:
  static PendingScope begin(const ScopeRequest& req);
  PendingScope(PendingScope&& o) noexcept;
  PendingScope& operator=(PendingScope&&) = delete;
  ~PendingScope();
  void finish(pid_t pid);

 private:
  PendingScope() = default;
  sys::RunningProgram helper_;  // its stdin takes the pid, its stderr says why it failed
};

// update: SetUnitProperties(unit, runtime=true, PROPS); a property this systemd does not know
// is left out, as at start.
void set_unit_properties(bool user_manager, const std::string& unit,
                         const std::vector<UnitProperty>& props);

// StopUnit(unit, "replace") and waits for the job; a unit that no longer exists is success.
void stop_scope(bool user_manager, const std::string& unit);

}  // namespace sandbox::cgroup
