#pragma once
// The cgroup2 device controller is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to
// the container's cgroup. This builds it from device rules (last matching rule wins, as in
// cgroup v1 and runc) and attaches it, replacing the one sandbox attached before (update).
#include <linux/bpf.h>

#include <cstdint>
#include <vector>

#include "oci/resources.hpp"

namespace sandbox::cgroup {

// The program for RULES: pure, for unit tests.
std::vector<bpf_insn> device_program(const std::vector<oci::DeviceRule>& rules);

// Loads the program and attaches it to the cgroup2 directory CGROUP_FD with BPF_F_ALLOW_MULTI,
// then detaches every other device program attached there before (so `update` replaces).
// Needs CAP_SYS_ADMIN (root on the host); throws sandbox::Error with the reason otherwise.
void attach_device_program(int cgroup_fd, const std::vector<oci::DeviceRule>& rules);

// True when this process can attach device programs (privileged, bpf(2) available).
bool can_attach_device_programs();

}  // namespace sandbox::cgroup
