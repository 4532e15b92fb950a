#pragma once
// The -ENOSYS prefix of a deny-by-default seccomp filter (runc's rule, libcontainer/seccomp/
// patchbpf): a syscall whose number is above the highest one the profile names, for the
// calling architecture, fails with ENOSYS instead of the profile's default action. A profile
// written before a syscall existed cannot name it; ENOSYS tells the C library "not in this
// kernel", so it falls back (clone3 -> clone, faccessat2 -> faccessat, statx -> fstatat),
// where EPERM would be taken as a real refusal.
#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sandbox::linux_ {

// The BPF instructions to put in front of libseccomp's program; empty when no prefix is
// wanted: the default action (libseccomp's value) lets calls through (allow, log, trace: a
// tracer handles new syscalls itself) or already is ENOSYS. ARCHES are the profile's
// architectures as libseccomp tokens (the native one is added), NAMES every syscall name the
// profile gives, whatever its action. Every path through the prefix either returns ENOSYS or
// ends on the instruction right after it, where libseccomp's program starts.
std::vector<struct sock_filter> enosys_prefix(std::vector<uint32_t> arches,
                                              const std::vector<std::string>& names,
                                              uint32_t default_action);

}  // namespace sandbox::linux_
