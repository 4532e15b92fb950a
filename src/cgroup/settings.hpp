#pragma once
// linux.resources -> the cgroup files to write, for cgroup v1 (one hierarchy per controller)
// and cgroup v2 (one directory), with the conversions crun documents for v1 values on v2
// (cpu.shares -> cpu.weight, blkio.weight -> io.weight, memory+swap -> swap.max, ...).
// Pure functions: the drivers decide where the files are and write them in this order.
#include <string>
#include <vector>

#include "oci/resources.hpp"
#include "oci/spec.hpp"

namespace sandbox::cgroup {

struct Setting {
  // v1: the hierarchy ("memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "hugetlb",
  //     "devices", "freezer"). v2: the controller that must be enabled for the file to exist
  //     ("memory", "cpu", "cpuset", "io", "pids", "hugetlb"), or "" for core files.
  std::string controller;
  std::string file;   // e.g. "memory.limit_in_bytes", "memory.max"
  std::string value;  // exactly what is written
  // Skipped when the kernel has no such file: what runc adds on its own (memory+swap made
  // unlimited with an unlimited memory) where the kernel may have no swap accounting.
  bool optional = false;
  bool operator==(const Setting&) const = default;
};

// Settings in the order they must be written (e.g. memory.limit_in_bytes before
// memory.memsw.limit_in_bytes, cpu.cfs_period_us before cpu.cfs_quota_us). A value the kernel
// may refuse depending on the current value (memsw below the current limit) is for the writer
// to retry after the rest; see apply in the drivers.
std::vector<Setting> v1_settings(const oci::Resources& r);
// Throws sandbox::Error for what v2 cannot express (e.g. memory.kernel, realtime cpu), naming
// the field, so nothing asked for is silently dropped. `unified` entries come last, as given.
std::vector<Setting> v2_settings(const oci::Resources& r);

// The device rules to enforce: the config's rules, then allow rules for the devices every
// container gets (null, zero, full, random, urandom, tty, ptmx, /dev/pts/*, mknod of any), as
// runc does, so a deny-all config still works. linux.devices entries get no rule of their own
// (runc's specconv neither): a rule of the config that denies one of them must stand, and
// engines that pass a device (docker --device) write its allow rule themselves.
std::vector<oci::DeviceRule> effective_device_rules(const oci::Resources& r);

}  // namespace sandbox::cgroup
