#pragma once
// cgroup v1 device rules as the kernel keeps them: a default (allow or deny every device) and a
// list of exceptions, each device key with the accesses that differ from the default. Writing
// a rule into devices.allow/devices.deny changes that state in a way that depends on the
// current default (an allow in an allow-all cgroup removes a deny exception, it adds nothing),
// so the rules are played through this model first, as runc's devices emulator does, and the
// cgroup is moved from what it holds now to the result with the fewest writes: the default
// ("a") first, then each exception. Pure, unit-tested.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "cgroup/settings.hpp"
#include "oci/resources.hpp"

namespace sandbox::cgroup {

using DeviceKey = std::tuple<char, int64_t, int64_t>;  // type 'c'/'b', major, minor (-1 = any)

struct DeviceException {
  DeviceKey key;
  unsigned access = 0;  // bits r=1, w=2, m=4: the accesses that differ from the default
  bool operator==(const DeviceException&) const = default;
};

struct DeviceAccessState {
  bool default_allow = false;  // a new emulation starts from "deny everything", as runc's
  // In the order the kernel keeps them (a key's first rule; later ones merge in place):
  // devices.list shows them so, and the spec asks for the rules "in the listed order"
  // (runtime-tools reads them back in that order).
  std::vector<DeviceException> exceptions;

  DeviceException* find(const DeviceKey& key);

  // One rule, with the kernel's semantics (devcgroup_update_access).
  void apply(const oci::DeviceRule& rule);
  bool operator==(const DeviceAccessState&) const = default;
};

// The state RULES leave behind, from "deny everything".
DeviceAccessState device_state(const std::vector<oci::DeviceRule>& rules);

// What devices.list shows: "a *:* rwm" for an allow-all cgroup (whose deny exceptions the
// kernel does not list), else the allowed exceptions one per line.
DeviceAccessState parse_devices_list(const std::string& list);

// The devices.allow / devices.deny writes that take a cgroup from CURRENT to TARGET. An
// allow-all cgroup may hide deny exceptions, and a change of default clears them anyway: then
// the default is written first ("a"), followed by every exception of TARGET.
std::vector<Setting> device_transition(const DeviceAccessState& current,
                                       const DeviceAccessState& target);

}  // namespace sandbox::cgroup
