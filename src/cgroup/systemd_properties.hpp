#pragma once
// The container's limits as properties of its systemd unit, sent with StartTransientUnit
// (create) and SetUnitProperties (update), as runc and crun do: systemd rewrites a unit's own
// cgroup files from its properties on `systemctl daemon-reload`, so limits written only into
// the files would be reset to "unlimited". The properties are derived from the very file
// writes sandbox makes (settings.hpp), so that what systemd writes back is the same value.
// Pure, unit-tested; the helper sandbox-systemd turns them into D-Bus values.
#include <cstdint>
#include <string>
#include <vector>

#include "cgroup/record.hpp"
#include "cgroup/settings.hpp"
#include "oci/resources.hpp"

namespace sandbox::cgroup {

struct UnitProperty {
  std::string name;            // e.g. "MemoryMax"
  bool bitmask = false;        // D-Bus "ay" (AllowedCPUs, AllowedMemoryNodes), else "t"
  uint64_t number = 0;         // "t"; UINT64_MAX is systemd's "infinity"
  std::vector<uint8_t> bytes;  // "ay": bit N of the mask is CPU (or node) N
  bool operator==(const UnitProperty&) const = default;
};

// The properties for the cgroup2 files in V2 and the v1 files in V1 (each as v2_settings /
// v1_settings give them). Files systemd has no property for are left out (sandbox still
// writes them); optional writes (runc's additions) too.
std::vector<UnitProperty> unit_properties(const std::vector<Setting>& v2,
                                          const std::vector<Setting>& v1);

// RES as properties of the unit whose cgroups R records: each part as it is written there
// (split_resources, then v1_settings / v2_settings). Throws what those throw.
std::vector<UnitProperty> unit_properties(const Record& r, const oci::Resources& res);

// "0-3,8" -> the bitmask systemd's AllowedCPUs takes. Throws sandbox::Error on a malformed list.
std::vector<uint8_t> cpu_list_mask(const std::string& list);

// One property as an argument of sandbox-systemd: "NAME=t:NUMBER" or "NAME=ay:HEX", and back
// (false when ARG is not one).
std::string property_arg(const UnitProperty& p);
bool parse_property_arg(const std::string& arg, UnitProperty* out);

}  // namespace sandbox::cgroup
