#include "cgroup/device_bpf.hpp"

#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"

namespace sandbox::cgroup {
namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// Registers: R1 = context; R2 = requested access bits, R3 = device type, R4 = major,
// R5 = minor; R6 scratch; R0 = verdict.
bpf_insn load_u32(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0); }
bpf_insn alu32_k(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn mov_k(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn jne_k(uint8_t dst, int32_t imm) { return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t access_bits(const std::string& access) {
  int32_t bits = 0;
  for (char c : access) {
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
  }
  return bits;
}

// One rule: every check jumps to the end of the block when it does not match; a match
// returns the rule's verdict.
std::vector<bpf_insn> rule_block(const oci::DeviceRule& r) {
  std::vector<bpf_insn> b;
  std::vector<size_t> skips;  // jumps to the next rule
  auto skip_unless = [&](uint8_t reg, int32_t value) {
    skips.push_back(b.size());
    b.push_back(jne_k(reg, value));
  };
  if (r.type != 'a') {
    skip_unless(3, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
    if (r.major) skip_unless(4, static_cast<int32_t>(*r.major));
    if (r.minor) skip_unless(5, static_cast<int32_t>(*r.minor));
  }
  int32_t bits = access_bits(r.access);
  if (bits != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
    // the request must be a subset of the rule: (requested & ~allowed) == 0
    b.push_back(mov_reg(6, 2));
    b.push_back(alu32_k(BPF_AND, 6, ~bits & 0x7));
    skip_unless(6, 0);
  }
  b.push_back(mov_k(0, r.allow ? 1 : 0));
  b.push_back(exit_insn());
  for (size_t at : skips) b[at].off = static_cast<int16_t>(b.size() - at - 1);
  return b;
}

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<oci::DeviceRule>& rules) {
  std::vector<bpf_insn> p = {
      load_u32(2, offsetof(bpf_cgroup_dev_ctx, access_type)),
      mov_reg(3, 2),
      alu32_k(BPF_AND, 3, 0xffff),  // type: low 16 bits
      alu32_k(BPF_RSH, 2, 16),      // access: high 16 bits
      load_u32(4, offsetof(bpf_cgroup_dev_ctx, major)),
      load_u32(5, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // As with cgroup v1 lists, the last matching rule decides: test them last to first.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    auto b = rule_block(*it);
    p.insert(p.end(), b.begin(), b.end());
    // A rule that matches everything ends the program: the verifier refuses unreachable code.
    if (b.size() == 2) return p;
  }
  p.push_back(mov_k(0, 0));  // nothing matched: deny
  p.push_back(exit_insn());
  return p;
}

void attach_device_program(int cgroup_fd, const std::vector<oci::DeviceRule>& rules) {
  auto prog = device_program(rules);

  // Programs attached before (by an earlier create or update): replaced below.
  uint32_t old_ids[64];
  bpf_attr q{};
  q.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<uint64_t>(old_ids);
  q.query.prog_cnt = 64;
  uint32_t old_count = bpf(BPF_PROG_QUERY, q) == 0 ? q.query.prog_cnt : 0;

  char log[4096] = {0};
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(prog.data());
  load.insn_cnt = static_cast<uint32_t>(prog.size());
  load.license = reinterpret_cast<uint64_t>("Apache");
  load.log_buf = reinterpret_cast<uint64_t>(log);
  load.log_size = sizeof log;
  load.log_level = 1;
  Fd fd(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
  if (!fd) {
    int err = errno;
    if (err == EPERM)
      fail("device rules on cgroup v2 need a privileged runtime (CAP_SYS_ADMIN): load eBPF program");
    throw Error(fmt::format("load the device eBPF program: {}{}{}", errno_text(err),
                            log[0] ? ": " : "", log),
                err);
  }
  bpf_attr at{};
  at.target_fd = static_cast<uint32_t>(cgroup_fd);
  at.attach_bpf_fd = static_cast<uint32_t>(fd.get());
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, at) != 0) throw_errno("attach the device eBPF program");

  for (uint32_t i = 0; i < old_count && i < 64; ++i) {
    bpf_attr get{};
    get.prog_id = old_ids[i];
    Fd old(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
    if (!old) continue;
    bpf_attr det{};
    det.target_fd = static_cast<uint32_t>(cgroup_fd);
    det.attach_bpf_fd = static_cast<uint32_t>(old.get());
    det.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, det) != 0) throw_errno("detach the previous device eBPF program");
  }
}

bool can_attach_device_programs() {
  if (::geteuid() != 0 || !sys::in_initial_user_namespace()) return false;
  cap_t caps = cap_get_proc();
  if (!caps) return false;
  cap_flag_value_t v = CAP_CLEAR;
  cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
  cap_free(caps);
  return v == CAP_SET;
}

}  // namespace sandbox::cgroup
