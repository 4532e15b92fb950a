// exec: run a new process in a running container, with the container's settings unless the
// flags or a process file say otherwise (runc's rules), in the foreground or detached.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cgroup/control.hpp"
#include "cgroup/sub_cgroup.hpp"
#include "linux/lsm.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_listener.hpp"
#include "oci/namespace_table.hpp"
#include "oci/parse.hpp"
#include "process/exec_child.hpp"
#include "runtime/console_socket.hpp"
#include "runtime/foreground.hpp"
#include "runtime/operations.hpp"
#include "runtime/passed_fds.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::runtime {
namespace {

// A created init whose seccomp filter waits for its execve stays non-dumpable, so a caller
// without privileges over the host cannot look into it (process/init.cpp): say so.
[[noreturn]] void fail_inspecting(const std::string& what, int err) {
  if (err == EACCES || err == EPERM)
    throw Error(fmt::format("{}: {} (a created container whose seccomp filter is still to be "
                            "loaded can be entered once started)",
                            what, errno_text(err)),
                err);
  throw_errno(what, err);
}

// The init's namespaces that are not already ours. Comparing the namespaces themselves (not
// config.json's list) also covers namespaces joined by path and the user namespace podman
// runs us in, which setns would refuse to enter again.
unsigned namespaces_to_join(pid_t init) {
  unsigned flags = 0;
  for (const auto& ns : oci::namespace_kinds()) {
    struct stat theirs {
    }, ours{};
    std::string name(ns.proc_name);
    std::string path = "/proc/" + std::to_string(init) + "/ns/" + name;
    std::string own = "/proc/self/ns/" + name;
    if (::stat(path.c_str(), &theirs) != 0) {
      if (errno == ENOENT) continue;  // a kernel without this namespace type
      // Never guess: a namespace we cannot see might be one the process must enter.
      fail_inspecting(fmt::format("inspect the container's {} namespace", name), errno);
    }
    if (::stat(own.c_str(), &ours) == 0 && ours.st_ino == theirs.st_ino &&
        ours.st_dev == theirs.st_dev)
      continue;
    flags |= static_cast<unsigned>(ns.clone_flag);
  }
  return flags;
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
  if (entry.find('=') == std::string::npos) fail("--env {}: must be NAME=VALUE", entry);
  std::string key = entry.substr(0, entry.find('=') + 1);
  std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
  env.push_back(entry);
}

uint32_t parse_id(const std::string& s, const char* what) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 10)
    fail("--user {}: {} must be a number", s, what);
  unsigned long v = std::stoul(s);
  if (v > 0xffffffffUL) fail("--user {}: {} is out of range", s, what);
  return static_cast<uint32_t>(v);
}

int capability_number(const std::string& name) {
  nlohmann::json doc = {{"args", {"x"}}, {"capabilities", {{"bounding", {name}}}}};
  return oci::parse_process_file(doc, "--cap").capabilities->bounding.at(0);
}

// runc's rules: a process file is taken as it is, with the container's capabilities and
// rlimits when it has none; otherwise the container's process with the flags applied.
oci::Process exec_process_unlabelled(const oci::Process& base, const ExecOptions& o) {
  if (!o.process_file.empty()) {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(sys::read_file(o.process_file));
    } catch (const nlohmann::json::parse_error&) {
      fail("--process {}: not valid JSON", o.process_file);
    } catch (const Error& e) {
      rethrow_with(e, "--process");
    }
    oci::Process p = oci::parse_process_file(doc, "--process " + o.process_file);
    if (!p.capabilities) p.capabilities = base.capabilities;
    if (p.rlimits.empty()) p.rlimits = base.rlimits;
    return p;
  }
  if (o.args.empty()) fail("exec: no command given (ARGS or --process FILE)");
  oci::Process p = base;
  p.args = o.args;
  p.terminal = o.tty;
  p.console_size.reset();
  for (const auto& e : o.env) set_env(p.env, e);
  if (!o.cwd.empty()) {
    if (o.cwd[0] != '/') fail("--cwd {}: must be an absolute path", o.cwd);
    p.cwd = o.cwd;
  }
  if (!o.user.empty()) {
    size_t colon = o.user.find(':');
    p.user.uid = parse_id(o.user.substr(0, colon), "the uid");
    if (colon != std::string::npos) p.user.gid = parse_id(o.user.substr(colon + 1), "the gid");
  }
  for (uint32_t g : o.additional_gids) p.user.additional_gids.push_back(g);
  if (!o.caps.empty()) {
    oci::Capabilities caps = p.capabilities.value_or(oci::Capabilities{});
    for (const auto& name : o.caps) {
      int cap = capability_number(name);
      caps.bounding.push_back(cap);
      caps.effective.push_back(cap);
      caps.permitted.push_back(cap);
      // An ambient capability must also be inheritable; --cap adds to ambient only when the
      // process already has inheritable ones (runc's rule).
      if (!caps.inheritable.empty()) caps.ambient.push_back(cap);
    }
    p.capabilities = caps;
  }
  if (o.no_new_privs) p.no_new_privileges = true;
  return p;
}

// --apparmor and --process-label override the process's labels, as runc's; whether they can
// be applied is linux/lsm's decision, as for config.json (dropped where the host lacks the LSM).
oci::Process exec_process(const oci::Process& base, const ExecOptions& o) {
  oci::Process p = exec_process_unlabelled(base, o);
  if (!o.apparmor.empty()) p.apparmor_profile = o.apparmor;
  if (!o.process_label.empty()) p.selinux_label = o.process_label;
  return p;
}

}  // namespace

int exec_in_container(const GlobalOptions& g, const ExecOptions& o) {
  state::ContainerState st;
  oci::Spec spec;
  {
    auto root = open_existing_root(g);
    auto dir = state::ContainerDir::open(root, o.id);
    auto loaded = dir.load();
    auto status = dir.status(loaded);
    if (!loaded || status == state::Status::Stopped || status == state::Status::Creating)
      fail("cannot exec in container \"{}\": container not running", o.id);
    // runc's rule: the new process would only freeze with the rest, so it takes a flag.
    if (status == state::Status::Paused && !o.ignore_paused)
      fail("cannot exec in container \"{}\": it is paused (resume it, or use --ignore-paused)",
           o.id);
    st = *loaded;
    // The copy create made: the bundle may have changed or be gone.
    auto text = dir.load_config();
    spec = text ? oci::parse_spec_text(*text) : oci::load_spec(st.bundle);
  }  // the state lock is not held while the process runs

  if (!spec.process) fail("config.json: process: required");
  oci::Process process = exec_process(*spec.process, o);
  for (const auto& note : linux_::settle_lsm_labels(process, nullptr, linux_::detect_host_lsm()))
    log::debug("{}", note);
  check_terminal_flags(process.terminal, o.detach, o.console_socket);
  if (!o.detach) inherit_terminal_size(process);
  int listen_fds = socket_activation_fds();
  int kept_fds = check_passed_fds(listen_fds, o.preserve_fds);
  set_listen_env(process.env, listen_fds);
  std::optional<linux_::SeccompProgram> seccomp;
  if (spec.linux.seccomp) seccomp = linux_::compile_seccomp(*spec.linux.seccomp);

  Fd init = sys::open_process(st.pid, st.pid_start_time);
  if (!init) fail("cannot exec in container \"{}\": container not running", o.id);
  Fd root_fd(::open(("/proc/" + std::to_string(st.pid) + "/root").c_str(),
                    O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) fail_inspecting("open the container's root", errno);
  if (sys::pidfd_send_signal(init.get(), 0) != 0)
    fail("cannot exec in container \"{}\": container not running", o.id);

  process::ExecPlan plan;
  plan.init_pid = st.pid;
  plan.init_pidfd = init.get();
  plan.join_flags = namespaces_to_join(st.pid);
  plan.root_fd = root_fd.get();
  plan.process = &process;
  plan.setgroups_denied = sys::setgroups_denied(st.pid);
  plan.seccomp = seccomp ? &*seccomp : nullptr;
  plan.kept_fds = kept_fds;
  log::debug("exec in {}: joining namespaces {:#x}", o.id, plan.join_flags);
  // --cgroup: every sub-cgroup named must exist, checked before anything starts.
  auto sub = cgroup::parse_sub_cgroup_args(o.sub_cgroups);
  cgroup::Record cgroups = cgroup::sub_cgroup(cgroup::record_from_json(st.cgroup), sub);
  if (auto missing = cgroup::missing_dirs(cgroups); !sub.empty() && !missing.empty())
    fail("exec --cgroup: {}: no such cgroup", missing.front());
  if (!cgroups.none()) {
    plan.place_helper = [&](pid_t helper) {
      int err = cgroup::join(cgroups, helper);
      if (err == 0) return;
      // A sub-cgroup was asked for by name: never run outside it silently.
      if (!sub.empty()) throw_errno("exec --cgroup: join the sub-cgroup", err);
      // A rootless caller may not move processes out of its own cgroup (the common ancestor
      // belongs to root on systemd hosts): the process then runs outside the container's
      // cgroups, as with runc.
      if (::geteuid() != 0 || !sys::in_initial_user_namespace())
        log::debug("exec: cannot join the container's cgroups: {}", errno_text(err));
      else
        throw_errno("exec: join the container's cgroups", err);
    };
  }

  // The exec'd process loads the container's filter too; a notifying one's listener goes to
  // the same agent (as runc does), with the process's pid and the container "running".
  if (seccomp && seccomp->notify) {
    plan.seccomp_listener = [&](pid_t pid, int listener) {
      linux_::ListenerState ls{spec.oci_version, o.id,      "running",
                               st.pid,           st.bundle, spec.annotations};
      linux_::send_to_seccomp_agent(*spec.linux.seccomp, pid, ls, listener);
    };
  }

  std::optional<SignalGate> gate;
  if (!o.detach) gate.emplace();
  process::ExecSpawned child = process::spawn_exec(plan);
  if (o.detach) {
    if (child.terminal) send_to_console_socket(o.console_socket, child.terminal.get());
    if (!o.pid_file.empty()) write_pid_file(o.pid_file, child.pid);
    return 0;
  }
  if (!o.pid_file.empty()) write_pid_file(o.pid_file, child.pid);
  ForegroundProcess p;
  p.pid = child.pid;
  p.pidfd = child.pidfd.get();
  p.terminal = std::move(child.terminal);
  return supervise(*gate, p);
}

}  // namespace sandbox::runtime
