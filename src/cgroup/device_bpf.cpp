// The cgroup2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program generated from the
// container's device rules, loaded with bpf(2) and attached to its cgroup.
//
// Semantics (cgroup v1's, as runc and crun give them on cgroup2): the rules form a list in
// which the LAST rule that matches a device decides, and a device no rule matches is denied.
// A request may ask for several accesses at once (open O_RDWR asks for read and write); each
// of them is decided by the last rule that matches the device and names that access, and the
// request is allowed only when every one of them is. For one allow rule this is the familiar
// "the requested access is a subset of the rule's"; in addition a later "deny c 1:3 w" takes
// write away from an earlier "allow c 1:3 rwm" for an O_RDWR open too, as it does in v1.
//
// The program tests the rules last to first and keeps the accesses still undecided in a
// register: a matching deny rule naming one of them denies, a matching allow rule takes the
// accesses it names off the list and allows once the list is empty, and whatever is left
// when the rules run out is denied.
#include "cgroup/device_bpf.hpp"

#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <limits>
#include <string>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"

namespace sandbox::cgroup {
namespace {

// ---- Register use --------------------------------------------------------------------------
// R1 holds the context (struct bpf_cgroup_dev_ctx *) on entry; it is read in the prologue only.
constexpr uint8_t kCtx = BPF_REG_1;
constexpr uint8_t kType = BPF_REG_2;     // BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK
constexpr uint8_t kPending = BPF_REG_3;  // requested BPF_DEVCG_ACC_* bits not decided yet
constexpr uint8_t kMajor = BPF_REG_4;
constexpr uint8_t kMinor = BPF_REG_5;
constexpr uint8_t kScratch = BPF_REG_6;
constexpr uint8_t kResult = BPF_REG_0;  // the verdict: 1 allow, 0 deny

constexpr int32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

// ---- Instructions --------------------------------------------------------------------------
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
// dst = *(u32 *)(ctx + off)
bpf_insn load_ctx_u32(uint8_t dst, size_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, kCtx, static_cast<int16_t>(off), 0);
}
// 32-bit ALU: the upper half of dst is zeroed, so the registers stay plain u32 values.
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov32_reg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
// if (dst OP imm) goto pc + 1 + off; the offset is patched once the target is known.
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn exit_insn() {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// ---- Rules ---------------------------------------------------------------------------------
int32_t access_bits(const oci::DeviceRule& r) {
  int32_t bits = 0;
  for (char c : r.access) {
    if (c == 'm')
      bits |= BPF_DEVCG_ACC_MKNOD;
    else if (c == 'r')
      bits |= BPF_DEVCG_ACC_READ;
    else if (c == 'w')
      bits |= BPF_DEVCG_ACC_WRITE;
    else
      fail("device rule: access {:?}: must be a combination of r, w and m", r.access);
  }
  return bits;
}

// A rule's major or minor as the immediate to compare with; nullopt for "any" (and for a
// negative number, which runc's configurations use for "any"). The context holds u32 values
// that the 64-bit compare sees zero-extended, so only 0..INT32_MAX can be compared as an
// immediate; real device numbers are far smaller (12-bit majors, 20-bit minors).
std::optional<int32_t> device_number(std::optional<int64_t> n, const char* what) {
  if (!n || *n < 0) return std::nullopt;
  if (*n > std::numeric_limits<int32_t>::max())
    fail("device rule: {} {} is out of range", what, *n);
  return static_cast<int32_t>(*n);
}

// Appends the block for rule R to P. Returns true when the block always ends the program
// (the rule matches every device and decides every access): nothing after it is reachable,
// and the verifier refuses unreachable instructions.
bool append_rule(std::vector<bpf_insn>& p, const oci::DeviceRule& r) {
  if (r.type != 'a' && r.type != 'b' && r.type != 'c')
    fail("device rule: type {:?}: must be a, b or c", r.type);
  int32_t bits = access_bits(r);
  if (bits == 0) return false;  // names no access: decides nothing
  auto major = device_number(r.major, "major");
  auto minor = device_number(r.minor, "minor");

  std::vector<size_t> to_next;  // jumps to the first instruction after this block
  auto unless_equal = [&](uint8_t reg, int32_t value) {
    to_next.push_back(p.size());
    p.push_back(jump_imm(BPF_JNE, reg, value));
  };

  // Does the rule match the device?
  bool any_device = r.type == 'a' && !major && !minor;
  if (r.type != 'a') unless_equal(kType, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (major) unless_equal(kMajor, *major);
  if (minor) unless_equal(kMinor, *minor);

  // It does: decide the pending accesses it names. A rule naming all of r, w and m decides
  // every pending access at once, without a test.
  bool all_access = bits == kAllAccess;
  if (r.allow) {
    if (!all_access) {
      // pending &= ~bits; if (pending != 0) goto next  (something is left for earlier rules)
      p.push_back(alu32_imm(BPF_AND, kPending, ~bits & kAllAccess));
      to_next.push_back(p.size());
      p.push_back(jump_imm(BPF_JNE, kPending, 0));
    }
    p.push_back(mov64_imm(kResult, 1));
  } else {
    if (!all_access) {
      // if ((pending & bits) == 0) goto next  (the rule denies nothing that was asked for)
      p.push_back(mov32_reg(kScratch, kPending));
      p.push_back(alu32_imm(BPF_AND, kScratch, bits));
      to_next.push_back(p.size());
      p.push_back(jump_imm(BPF_JEQ, kScratch, 0));
    }
    p.push_back(mov64_imm(kResult, 0));
  }
  p.push_back(exit_insn());

  for (size_t at : to_next) p[at].off = static_cast<int16_t>(p.size() - at - 1);
  return any_device && all_access;
}

// ---- bpf(2) --------------------------------------------------------------------------------
long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

uint64_t ptr(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

[[noreturn]] void throw_bpf_errno(const std::string& what, int err) {
  if (err == EPERM)
    throw Error(fmt::format("device rules on cgroup v2 need a privileged runtime (CAP_SYS_ADMIN): "
                            "{}: {}",
                            what, errno_text(err)),
                err);
  throw_errno(what, err);
}

struct Attached {
  std::vector<uint32_t> ids;
  uint32_t flags = 0;  // how they were attached (BPF_F_ALLOW_MULTI, ...)
};

// The device programs attached to the cgroup itself (not those inherited from its parents).
Attached query_device_programs(int cgroup_fd) {
  std::vector<uint32_t> ids(64);  // the kernel's limit per cgroup and attach type, today
  for (int attempt = 0; attempt < 8; ++attempt) {
    bpf_attr q{};
    q.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = ptr(ids.data());
    q.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, q) == 0) {
      ids.resize(q.query.prog_cnt);
      return {ids, q.query.attach_flags};
    }
    if (errno != ENOSPC) throw_bpf_errno("query the cgroup's device eBPF programs", errno);
    ids.resize(q.query.prog_cnt + 8);  // more were attached than fit: prog_cnt has the count
  }
  fail("query the cgroup's device eBPF programs: the list keeps growing");
}

// Loads the program; on failure loads it again with a log buffer, so the verifier's words
// are in the error.
Fd load_program(const std::vector<bpf_insn>& prog) {
  static const char license[] = "Apache";  // device programs call no GPL-only helpers
  auto attr = [&] {
    bpf_attr a{};
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = ptr(prog.data());
    a.insn_cnt = static_cast<uint32_t>(prog.size());
    a.license = ptr(license);
    static const char name[] = "sandbox_devices";  // as bpftool shows it (15 chars at most)
    static_assert(sizeof name <= BPF_OBJ_NAME_LEN);
    std::copy(std::begin(name), std::end(name), a.prog_name);
    return a;
  };
  bpf_attr a = attr();
  Fd fd(static_cast<int>(bpf(BPF_PROG_LOAD, a)));  // the kernel opens it O_CLOEXEC
  if (fd) return fd;
  int err = errno;
  if (err == EPERM) throw_bpf_errno("load the device eBPF program", err);

  std::string log(64 * 1024, '\0');
  for (;;) {
    a = attr();
    a.log_level = 1;
    a.log_buf = ptr(log.data());
    a.log_size = static_cast<uint32_t>(log.size());
    fd.reset(static_cast<int>(bpf(BPF_PROG_LOAD, a)));
    if (fd) return fd;  // it failed once only (memory pressure?): fine now
    err = errno;
    if (err == ENOSPC && log.size() < (16u << 20)) {
      log.assign(log.size() * 4, '\0');  // the verifier had more to say
      continue;
    }
    break;
  }
  log.resize(log.find('\0'));
  while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
  std::string what = fmt::format("load the device eBPF program ({} instructions)", prog.size());
  if (log.empty()) throw_bpf_errno(what, err);
  throw Error(fmt::format("{}: {}: verifier: {}", what, errno_text(err), log), err);
}

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<oci::DeviceRule>& rules) {
  std::vector<bpf_insn> p = {
      // Prologue: unpack the context into the registers named above.
      load_ctx_u32(kType, offsetof(bpf_cgroup_dev_ctx, access_type)),
      mov32_reg(kPending, kType),
      alu32_imm(BPF_AND, kType, 0xffff),  // device type: the low 16 bits
      alu32_imm(BPF_RSH, kPending, 16),   // requested access: the high 16 bits
      load_ctx_u32(kMajor, offsetof(bpf_cgroup_dev_ctx, major)),
      load_ctx_u32(kMinor, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // The last matching rule decides: test the rules last to first.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it)
    if (append_rule(p, *it)) return p;
  // Accesses no rule decided: deny.
  p.push_back(mov64_imm(kResult, 0));
  p.push_back(exit_insn());
  return p;
}

void attach_device_program(int cgroup_fd, const std::vector<oci::DeviceRule>& rules) {
  auto prog = device_program(rules);
  // Those attached before (by create, or an earlier update) go once the new one is in place,
  // so the cgroup is never without a program: update replaces rather than stacks.
  Attached old = query_device_programs(cgroup_fd);
  if (!old.ids.empty() && !(old.flags & BPF_F_ALLOW_MULTI))
    fail(
        "cgroup already has a device eBPF program attached without BPF_F_ALLOW_MULTI (by "
        "another manager); refusing to replace it");

  Fd fd = load_program(prog);
  bpf_attr at{};
  at.target_fd = static_cast<uint32_t>(cgroup_fd);
  at.attach_bpf_fd = static_cast<uint32_t>(fd.get());
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, at) != 0) throw_bpf_errno("attach the device eBPF program", errno);
  // The cgroup holds its own reference now; our fd closes at the end of the scope.

  for (uint32_t id : old.ids) {
    bpf_attr get{};
    get.prog_id = id;
    Fd old_fd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
    if (!old_fd) {
      if (errno == ENOENT) continue;  // detached and freed meanwhile
      throw_bpf_errno(fmt::format("open the previous device eBPF program (id {})", id), errno);
    }
    bpf_attr det{};
    det.target_fd = static_cast<uint32_t>(cgroup_fd);
    det.attach_bpf_fd = static_cast<uint32_t>(old_fd.get());
    det.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, det) != 0 && errno != ENOENT)
      throw_bpf_errno(fmt::format("detach the previous device eBPF program (id {})", id), errno);
  }
}

bool can_attach_device_programs() {
  if (::geteuid() != 0 || !sys::in_initial_user_namespace()) return false;
  cap_t caps = cap_get_proc();
  if (!caps) return false;
  cap_flag_value_t v = CAP_CLEAR;
  int rc = cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
  cap_free(caps);
  return rc == 0 && v == CAP_SET;
}

}  // namespace sandbox::cgroup
