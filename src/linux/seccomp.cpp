#include "linux/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "linux/seccomp_enosys.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file_io.hpp"

namespace sandbox::linux_ {
namespace {

using FilterCtx = std::unique_ptr<void, void (*)(scmp_filter_ctx)>;

// The kernel refuses classic BPF programs longer than this (BPF_MAXINSNS).
constexpr size_t kMaxInstructions = 4096;

// seccomp(2) has 16 bits of return data (SECCOMP_RET_DATA) for an errno or a tracer's value.
constexpr uint32_t kMaxReturnData = 0xffff;

[[noreturn]] void config_error(const std::string& field, const std::string& what) {
  fail("config.json: {}: {}", field, what);
}

struct ActionName {
  const char* name;
  uint32_t value;    // with no data
  bool takes_errno;  // ERRNO and TRACE carry 16 bits of data (errnoRet)
};

// Every action of the runtime spec.
constexpr ActionName kActions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

struct FlagName {
  const char* name;
  unsigned value;
};

// The filter flags of the runtime spec that seccomp(2) takes; each is checked against the
// running kernel before use (kernel_supports_flag).
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
constexpr unsigned kWaitKillableRecv = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#else
constexpr unsigned kWaitKillableRecv = 1U << 5;  // Linux 5.19; older headers lack the name
#endif

constexpr FlagName kFlags[] = {
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", kWaitKillableRecv},
};

// seccomp(SECCOMP_SET_MODE_FILTER, FLAG, NULL): a known flag gets as far as reading the
// (missing) program and fails with EFAULT; an unknown one is refused first with EINVAL. The
// same probe runc uses; nothing is installed either way.
// WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER, so it is probed with it.
bool kernel_supports_flag(unsigned flag) {
  if (flag == kWaitKillableRecv) flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr) < 0 && errno == EFAULT;
}

// The syscall the init and exec's process send the listener fd with, after the filter is in:
// notifying it would leave the process waiting for an agent that never gets the fd (runc
// refuses `write` for the same reason; its fd goes out with write).
constexpr const char* kListenerCarrier = "sendmsg";

unsigned parse_flags(const oci::Seccomp& s, bool notify) {
  unsigned flags = 0;
  for (size_t i = 0; i < s.flags.size(); i++) {
    std::string field = fmt::format("linux.seccomp.flags[{}]", i);
    const FlagName* known = nullptr;
    for (const auto& f : kFlags)
      if (s.flags[i] == f.name) known = &f;
    if (!known) config_error(field, fmt::format("unknown flag \"{}\"", s.flags[i]));
    if (!kernel_supports_flag(known->value))
      config_error(field, fmt::format("{} is not supported by this kernel", s.flags[i]));
    if (known->value == kWaitKillableRecv && !notify)
      config_error(field, fmt::format("{} needs a SCMP_ACT_NOTIFY rule", s.flags[i]));
    flags |= known->value;
  }
  return flags;
}

// The spec's pairing: a listener socket exactly when some rule notifies.
bool check_listener(const oci::Seccomp& s) {
  bool notify = false;
  for (size_t i = 0; i < s.syscalls.size(); i++) {
    if (s.syscalls[i].action != "SCMP_ACT_NOTIFY") continue;
    notify = true;
    for (const auto& name : s.syscalls[i].names) {
      if (name == kListenerCarrier)
        config_error(fmt::format("linux.seccomp.syscalls[{}].names", i),
                     fmt::format("SCMP_ACT_NOTIFY cannot be used for the {} syscall (the "
                                 "listener fd is sent with it)",
                                 name));
    }
  }
  // A notifying default would make the init wait, in the sendmsg that hands the listener fd
  // over, for an agent that has no fd yet: only with sendmsg allowed by a rule of its own
  // (runc refuses a notifying default outright; `sandbox seccomp record` needs one).
  if (s.default_action == "SCMP_ACT_NOTIFY") {
    bool carrier_allowed = false;
    for (const auto& rule : s.syscalls)
      if (rule.action == "SCMP_ACT_ALLOW" && rule.args.empty())
        for (const auto& name : rule.names) carrier_allowed |= name == kListenerCarrier;
    if (!carrier_allowed)
      config_error("linux.seccomp.defaultAction",
                   fmt::format("SCMP_ACT_NOTIFY as the default action needs a rule that allows "
                               "{} (the listener fd is sent with it)",
                               kListenerCarrier));
    notify = true;
  }
  if (notify && !kernel_supports_flag(SECCOMP_FILTER_FLAG_NEW_LISTENER))
    config_error("linux.seccomp", "SCMP_ACT_NOTIFY is not supported by this kernel");
  if (notify && s.listener_path.empty())
    config_error("linux.seccomp.listenerPath", "required with SCMP_ACT_NOTIFY");
  if (!notify && !s.listener_path.empty())
    config_error("linux.seccomp.listenerPath", "given, but no rule uses SCMP_ACT_NOTIFY");
  return notify;
}

const ActionName* find_action(const std::string& action) {
  for (const auto& a : kActions)
    if (action == a.name) return &a;
  return nullptr;
}

// The action's value for libseccomp. ERRNO and TRACE carry errnoRet (EPERM when absent); the
// spec requires an error when errnoRet is given to an action that cannot carry it.
uint32_t parse_action(const std::string& action, std::optional<uint32_t> errno_ret,
                      const std::string& action_field, const std::string& errno_field) {
  uint32_t data = errno_ret.value_or(EPERM);
  const ActionName* known = find_action(action);
  if (!known) config_error(action_field, fmt::format("unknown action \"{}\"", action));
  if (errno_ret && !known->takes_errno) {
    config_error(
        errno_field,
        fmt::format("only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not {}", action));
  }
  if (data > kMaxReturnData) {
    config_error(errno_field, fmt::format("{} is out of range (at most {})", data, kMaxReturnData));
  }
  return known->takes_errno ? known->value | (data & kMaxReturnData) : known->value;
}

struct ArchName {
  const char* name;
  uint32_t token;
};

// The architecture names of the runtime spec that this libseccomp build knows.
constexpr ArchName kArches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
#endif
#ifdef SCMP_ARCH_SHEB
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

uint32_t parse_arch(const std::string& name, const std::string& field) {
  for (const auto& a : kArches)
    if (name == a.name) return a.token;
  config_error(field, fmt::format("unknown architecture \"{}\"", name));
}

struct OperatorName {
  const char* name;
  scmp_compare op;
};

constexpr OperatorName kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

scmp_compare parse_op(const std::string& op, const std::string& field) {
  for (const auto& o : kOperators)
    if (op == o.name) return o.op;
  config_error(field, fmt::format("unknown operator \"{}\"", op));
}

using Conditions = std::vector<scmp_arg_cmp>;

// The condition sets of one syscalls[] entry; each set becomes one libseccomp rule. Conditions
// on different arguments must all hold (one rule). Several conditions on the same argument are
// read as alternatives, as runc does for profiles like Docker's, so then every arg is a rule of
// its own (a single rule could never match two different values of one argument).
std::vector<Conditions> rule_conditions(const oci::SeccompSyscall& sc, const std::string& field) {
  Conditions all;
  bool repeated_index = false;
  for (size_t j = 0; j < sc.args.size(); j++) {
    const auto& arg = sc.args[j];
    std::string arg_field = fmt::format("{}.args[{}]", field, j);
    if (arg.index > 5)
      config_error(arg_field + ".index", "must be 0..5 (a syscall has 6 arguments)");
    scmp_compare op = parse_op(arg.op, arg_field + ".op");
    for (const auto& prev : all)
      if (prev.arg == arg.index) repeated_index = true;
    all.push_back(scmp_arg_cmp{arg.index, op, arg.value, arg.value_two});
  }
  if (!repeated_index) return {all};
  std::vector<Conditions> each;
  for (const auto& c : all) each.push_back(Conditions{c});
  return each;
}

void add_unknown(SeccompProgram& p, const std::string& name) {
  if (std::find(p.unknown_syscalls.begin(), p.unknown_syscalls.end(), name) ==
      p.unknown_syscalls.end())
    p.unknown_syscalls.push_back(name);
}

void add_rules(scmp_filter_ctx ctx, const oci::SeccompSyscall& sc, size_t i,
               uint32_t default_action, SeccompProgram& p) {
  std::string field = fmt::format("linux.seccomp.syscalls[{}]", i);
  uint32_t action = parse_action(sc.action, sc.errno_ret, field + ".action", field + ".errnoRet");
  std::vector<Conditions> rules = rule_conditions(sc, field);
  // libseccomp refuses a rule that repeats the default action; it would change nothing anyway.
  if (action == default_action) return;
  for (const auto& name : sc.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      add_unknown(p, name);
      continue;
    }
    for (const auto& conds : rules) {
      int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conds.size()),
                                      conds.empty() ? nullptr : conds.data());
      if (rc < 0) {
        config_error(field, fmt::format("add rule for \"{}\": {}", name, errno_text(-rc)));
      }
    }
  }
}

// Adds the profile's architectures to CTX and returns them as libseccomp tokens.
std::vector<uint32_t> add_arches(scmp_filter_ctx ctx, const std::vector<std::string>& arches) {
  std::vector<uint32_t> tokens;
  for (size_t i = 0; i < arches.size(); i++) {
    std::string field = fmt::format("linux.seccomp.architectures[{}]", i);
    uint32_t token = parse_arch(arches[i], field);
    int rc = seccomp_arch_add(ctx, token);
    // The native architecture is in every new filter already.
    if (rc < 0 && rc != -EEXIST) {
      config_error(field, fmt::format("add {}: {}", arches[i], errno_text(-rc)));
    }
    tokens.push_back(token);
  }
  return tokens;
}

std::vector<std::string> all_names(const oci::Seccomp& s) {
  std::vector<std::string> names;
  for (const auto& sc : s.syscalls) names.insert(names.end(), sc.names.begin(), sc.names.end());
  return names;
}

std::vector<struct sock_filter> read_program(int fd) {
  if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seccomp: rewind exported filter");
  std::string bytes = sys::read_all(fd, "seccomp: read exported filter");
  if (bytes.empty() || bytes.size() % sizeof(struct sock_filter) != 0) {
    fail("seccomp: exported filter has a bad size ({} bytes)", bytes.size());
  }
  std::vector<struct sock_filter> filter(bytes.size() / sizeof(struct sock_filter));
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(filter.data()));
  return filter;
}

// seccomp_export_bpf writes to an fd; a memfd keeps the program off any filesystem. PREFIX goes
// in front of libseccomp's program (its jumps are relative, so they stay right).
std::vector<struct sock_filter> export_program(scmp_filter_ctx ctx,
                                               std::vector<struct sock_filter> prefix) {
  Fd fd(::memfd_create("sandbox-seccomp", MFD_CLOEXEC));
  if (!fd) throw_errno("seccomp: memfd_create");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc < 0) fail("seccomp: export filter: {}", errno_text(-rc));
  auto filter = read_program(fd.get());
  filter.insert(filter.begin(), prefix.begin(), prefix.end());
  if (filter.size() > kMaxInstructions) {
    fail("config.json: linux.seccomp: the filter has {} instructions, the kernel allows {}",
         filter.size(), kMaxInstructions);
  }
  return filter;
}

}  // namespace

std::vector<std::string> seccomp_action_names() {
  std::vector<std::string> out;
  for (const auto& a : kActions) out.emplace_back(a.name);
  return out;
}

std::vector<std::string> seccomp_operator_names() {
  std::vector<std::string> out;
  for (const auto& o : kOperators) out.emplace_back(o.name);
  return out;
}

std::vector<std::string> seccomp_architecture_names() {
  std::vector<std::string> out;
  for (const auto& a : kArches) out.emplace_back(a.name);
  return out;
}

std::vector<std::string> seccomp_known_flag_names() {
  std::vector<std::string> out;
  for (const auto& f : kFlags) out.emplace_back(f.name);
  return out;
}

std::vector<std::string> seccomp_supported_flag_names() {
  std::vector<std::string> out;
  for (const auto& f : kFlags)
    if (kernel_supports_flag(f.value)) out.emplace_back(f.name);
  return out;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  if (!v) return "unknown";
  return fmt::format("{}.{}.{}", v->major, v->minor, v->micro);
}

SeccompProgram compile_seccomp(const oci::Seccomp& s) {
  bool notify = check_listener(s);
  unsigned flags = parse_flags(s, notify);
  uint32_t default_action =
      parse_action(s.default_action, s.default_errno_ret, "linux.seccomp.defaultAction",
                   "linux.seccomp.defaultErrnoRet");
  FilterCtx ctx(seccomp_init(default_action), seccomp_release);
  if (!ctx) fail("seccomp: cannot create a filter for default action {}", s.default_action);
  // The runtime decides about no_new_privs itself (process.noNewPrivileges); libseccomp must not
  // set it behind our back. Only matters for seccomp_load, but keeps the context honest.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) fail("seccomp: clear the no_new_privs attribute: {}", errno_text(-rc));
  std::vector<uint32_t> arches = add_arches(ctx.get(), s.architectures);

  SeccompProgram p;
  p.flags = flags | (notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  p.notify = notify;
  for (size_t i = 0; i < s.syscalls.size(); i++)
    add_rules(ctx.get(), s.syscalls[i], i, default_action, p);
  // Syscalls newer than the profile get ENOSYS, not the default action (see seccomp_enosys).
  p.filter = export_program(ctx.get(), enosys_prefix(arches, all_names(s), default_action));
  return p;
}

Fd load_seccomp(const SeccompProgram& p) {
  struct sock_fprog prog {};
  prog.len = static_cast<unsigned short>(p.filter.size());
  prog.filter = const_cast<struct sock_filter*>(p.filter.data());
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog);
  if (rc < 0) throw_errno("seccomp: load filter");
  // With SECCOMP_FILTER_FLAG_NEW_LISTENER the result is the listener fd (close-on-exec; the
  // caller sends it on and closes it: the program must never hold its own listener).
  return p.notify ? Fd(static_cast<int>(rc)) : Fd();
}

}  // namespace sandbox::linux_
