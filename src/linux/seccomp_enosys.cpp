#include "linux/seccomp_enosys.hpp"

// Why a BPF prefix and not libseccomp rules: the syscalls that need ENOSYS most are the ones
// newer than everything involved, the profile and also the libseccomp sandbox was built with
// (a newer kernel and C library than both). libseccomp can only write rules for syscalls it
// knows by name; a range check on the number covers every future syscall as well. The prefix
// only compares numbers; everything at or below the profile's newest syscall goes on to
// libseccomp's program untouched.
//
// The rule has one known blind spot, shared with runc: a syscall added to the table out of
// order (below the newest one named) gets the default action, not ENOSYS.

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <optional>

namespace sandbox::linux_ {
namespace {

// x32 processes run on x86_64 (same AUDIT_ARCH) and mark their syscall numbers with this bit
// (__X32_SYSCALL_BIT); libseccomp's x32 numbers include it.
constexpr uint32_t kX32Bit = 0x40000000;

// s390 and s390x pass syscalls with numbers too large for an instruction's immediate through
// syscall 0 (setup(2), long gone); an unknown one arrives as 0, so 0 gets ENOSYS too.
constexpr uint32_t kS390Multiplexer = 0;

constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;

// seccomp_data: the syscall number at offset 0, the AUDIT_ARCH at 4.
constexpr uint32_t kNrOffset = 0;
constexpr uint32_t kArchOffset = 4;

bool lets_calls_through(uint32_t action) {
  uint32_t kind = action & SECCOMP_RET_ACTION_FULL;
  // NOTIFY: the agent decides about every syscall the profile does not name, newer ones too
  // (`sandbox seccomp record` must see them).
  return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG || kind == SCMP_ACT_TRACE(0) ||
         action == SCMP_ACT_ERRNO(ENOSYS) || action == SCMP_ACT_NOTIFY;
}

// The kernel's architecture for a libseccomp token: they are the same AUDIT_ARCH_* values,
// except x32, which the kernel reports as x86_64.
uint32_t audit_arch(uint32_t token) {
  return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

// The highest syscall number NAMES resolve to on ARCH; none when no name is a real syscall
// there (libseccomp gives negative pseudo numbers for syscalls an architecture lacks).
std::optional<uint32_t> highest_named(uint32_t arch, const std::vector<std::string>& names) {
  std::optional<uint32_t> highest;
  for (const auto& name : names) {
    int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
    if (nr <= 0) continue;
    highest = std::max(highest.value_or(0), static_cast<uint32_t>(nr));
  }
  return highest;
}

// What one AUDIT_ARCH's block checks. x86_64 has two limits (native and x32 numbers); a mode
// the profile does not cover has none and goes on to libseccomp (its bad-arch action).
struct ArchLimits {
  uint32_t audit_arch;
  std::optional<uint32_t> native;
  std::optional<uint32_t> x32;
};

// A number no syscall exceeds: "no limit" in a jgt.
constexpr uint32_t kNoLimit = 0xffffffff;

sock_filter stmt(uint16_t code, uint32_t k) {
  return BPF_STMT(code, k);
}
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

// Appends one architecture's block to OUT. The block is entered with the architecture in the
// accumulator and is skipped whole when it is another one. Inside, the syscall number is
// compared with the limit; it ends in "ret ENOSYS" and a jump to libseccomp's program, whose
// index is recorded in TO_FILTER (the distance is known only when the prefix is complete).
void add_block(const ArchLimits& a, std::vector<sock_filter>& out, std::vector<size_t>& to_filter) {
  std::vector<sock_filter> body;
  body.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kNrOffset));
  if (a.audit_arch == AUDIT_ARCH_X86_64) {
    // jset x32 -> x32 compare; native: > limit -> ret, else -> filter; x32 likewise.
    body.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 1, 0));
    body.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, a.native.value_or(kNoLimit), 1, 2));
    body.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, a.x32.value_or(kNoLimit), 0, 1));
  } else {
    if (a.audit_arch == AUDIT_ARCH_S390 || a.audit_arch == AUDIT_ARCH_S390X)
      body.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kS390Multiplexer, 1, 0));
    body.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, a.native.value_or(kNoLimit), 0, 1));
  }
  body.push_back(stmt(BPF_RET | BPF_K, kEnosys));
  body.push_back(stmt(BPF_JMP | BPF_JA, 0));  // to libseccomp's program, set later

  out.push_back(
      jump(BPF_JMP | BPF_JEQ | BPF_K, a.audit_arch, 0, static_cast<uint8_t>(body.size())));
  to_filter.push_back(out.size() + body.size() - 1);
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

std::vector<struct sock_filter> enosys_prefix(std::vector<uint32_t> arches,
                                              const std::vector<std::string>& names,
                                              uint32_t default_action) {
  if (lets_calls_through(default_action)) return {};
  // runc adds the native architecture too: some profiles (Docker's on ppc64le) list only others.
  arches.push_back(seccomp_arch_native());

  std::vector<ArchLimits> limits;
  for (uint32_t token : arches) {
    std::optional<uint32_t> highest = highest_named(token, names);
    if (!highest) continue;
    uint32_t kernel_arch = audit_arch(token);
    auto it = std::find_if(limits.begin(), limits.end(),
                           [&](const ArchLimits& l) { return l.audit_arch == kernel_arch; });
    if (it == limits.end()) it = limits.insert(limits.end(), ArchLimits{kernel_arch, {}, {}});
    (token == SCMP_ARCH_X32 ? it->x32 : it->native) = highest;
  }
  if (limits.empty()) return {};

  std::vector<sock_filter> out;
  std::vector<size_t> to_filter;
  out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
  for (const auto& a : limits) add_block(a, out, to_filter);
  // An architecture with no block falls off the end, into libseccomp's program.
  for (size_t i : to_filter) out[i].k = static_cast<uint32_t>(out.size() - i - 1);
  return out;
}

}  // namespace sandbox::linux_
