#pragma once
// Writing linux.resources into a container's cgroups (create and `update`).
#include <string>
#include <vector>

#include "cgroup/layout.hpp"
#include "cgroup/record.hpp"
#include "oci/resources.hpp"
#include "oci/spec.hpp"

namespace sandbox::cgroup {

// The resources split by where they go: each part to the v1 hierarchy of its controller when
// the container has a directory there, else to cgroup2 (pure, unit-tested).
struct Split {
  oci::Resources v1;
  oci::Resources v2;
  bool devices_v1 = false;  // device rules go to the v1 devices hierarchy (else cgroup2 eBPF)
};
Split split_resources(const Record& r, const oci::Resources& res);

struct ApplyOptions {
  bool privileged = false;          // root in the initial user namespace: device rules are enforced
  bool enable_controllers = false;  // cgroupfs: enable cgroup2 controllers in the ancestors
  std::string advice;               // appended to "no controller" errors (what the user can do)
  // update: read each file before writing it and put back what was written when a later
  // write fails (create needs no undo: a failed create removes the cgroup).
  bool undo_on_failure = false;
};

// linux.resources.unified names cgroup2 files: on a host whose cgroup2 has no such controller
// (a v1 or hybrid host, where the controller is a v1 hierarchy) they can never be written.
// Throws runc's "invalid configuration" for them, before anything is made.
void check_unified_fits_host(const oci::Resources& res, const Layout& host);

// Writes RES into R's directories. A limit with no directory to go to, a controller that is
// not there and a value the kernel refuses are errors naming the file; nothing is dropped.
void apply_resources(const Record& r, const oci::Resources& res, const ApplyOptions& o);

}  // namespace sandbox::cgroup
