// create: load and check config.json, plan namespaces and id maps, reserve the state
// directory, clone the init, and record the state once the init waits for `start`.
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "cgroup/manager.hpp"
#include "linux/idmap.hpp"
#include "linux/lsm.hpp"
#include "linux/mounts.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_listener.hpp"
#include "linux/subid.hpp"
#include "oci/parse.hpp"
#include "process/hooks.hpp"
#include "process/spawn.hpp"
#include "runtime/console_socket.hpp"
#include "runtime/foreground.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/notify_socket.hpp"
#include "runtime/operations.hpp"
#include "runtime/passed_fds.hpp"
#include "runtime/sysctl_policy.hpp"
#include "state/container.hpp"
#include "state/id.hpp"
#include "sys/clock.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {
namespace {

std::string absolute_dir(const std::string& path, const char* what) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) throw_errno(fmt::format("{} {}", what, path));
  struct stat st {};
  if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) fail("{} {}: not a directory", what, path);
  return buf;
}

std::string rootfs_path(const oci::Spec& spec, const std::string& bundle) {
  std::string p = spec.root.path[0] == '/' ? spec.root.path : bundle + "/" + spec.root.path;
  return wrap("config.json: root.path", [&] { return absolute_dir(p, "rootfs"); });
}

void check_supported(const oci::Spec& spec) {
  if (!spec.process) fail("config.json: process: required to create a container");
}

cgroup::Request cgroup_request(const GlobalOptions& g, const oci::Spec& spec,
                               const std::string& id) {
  cgroup::Request r;
  r.manager = g.cgroup_manager.empty() && g.systemd_cgroup ? "systemd" : g.cgroup_manager;
  r.rootless = ::geteuid() != 0 || !sys::in_initial_user_namespace();
  r.id = id;
  r.cgroups_path = spec.linux.cgroups_path;
  r.resources = &spec.linux.resources;
  return r;
}

linux_::IdMapPlan plan_maps(const oci::Spec& spec, const NamespacePlan& ns) {
  linux_::IdMapContext ctx;
  ctx.euid = ::geteuid();
  ctx.egid = ::getegid();
  ctx.privileged = ctx.euid == 0;
  ctx.helpers = linux_::find_id_map_helpers(&ctx.helpers_missing_why);
  ctx.subuid = linux_::read_subuid(ctx.euid);
  ctx.subgid = linux_::read_subgid(ctx.euid);
  auto uid = spec.linux.uid_mappings;
  auto gid = spec.linux.gid_mappings;
  if (uid.empty() && gid.empty()) {
    if (ctx.privileged && !ns.auto_user_namespace)
      fail(
          "config.json: linux.uidMappings: a new user namespace needs uidMappings and "
          "gidMappings");
    std::tie(uid, gid) = linux_::default_rootless_mappings(ctx);
    if (!ctx.helpers)
      log::debug("no id-map helpers ({}): mapping only uid {} and gid {}", ctx.helpers_missing_why,
                 ctx.euid, ctx.egid);
  }
  return linux_::plan_id_maps(uid, gid, ctx);
}

// Removes the half-made state directory and kills the init when create fails midway, so a
// failed create leaves nothing behind. It owns the init's pidfd until create succeeds: the
// kill must reach the init whatever else has been destroyed by then.
// Once the hooks of create have begun, a failed create goes on as a delete would (the spec's
// lifecycle): the poststop hooks run too.
struct CreateRollback {
  const state::StateRoot* root = nullptr;
  std::optional<state::ContainerDir>* dir = nullptr;
  pid_t pid = 0;
  Fd pidfd;
  std::string pid_file;  // set once create wrote it
  bool armed = true;
  const std::vector<oci::Hook>* poststop = nullptr;
  std::string poststop_state;  // set when the hooks of create began
  ~CreateRollback() {
    if (!armed) return;
    if (pid > 0) process::kill_and_reap(pid, pidfd.get());
    if (!pid_file.empty()) ::unlink(pid_file.c_str());
    if (dir && *dir) {
      try {
        (*dir)->remove(*root);
      } catch (const Error&) {
      }
    }
    if (poststop && !poststop_state.empty())
      process::run_hooks_warning_only("poststop", *poststop, poststop_state);
  }
};

}  // namespace

CreatedContainer create_container(const GlobalOptions& g, const CreateOptions& o, bool detached) {
  state::validate_id(o.id);
  std::string bundle = absolute_dir(o.bundle, "bundle");
  // Read once: the state directory keeps this text, so every later command sees the config
  // this container was made from, whatever happens to the bundle.
  std::string config_text = oci::read_config_text(bundle);
  oci::Spec spec = oci::parse_spec_text(config_text);
  check_supported(spec);
  for (const auto& note :
       linux_::settle_lsm_labels(*spec.process, &spec.linux.mount_label, linux_::detect_host_lsm()))
    log::debug("{}", note);
  check_terminal_flags(spec.process->terminal, detached, o.console_socket);
  if (!detached) inherit_terminal_size(*spec.process);
  int listen_fds = socket_activation_fds();
  int kept_fds = check_passed_fds(listen_fds, o.preserve_fds);
  set_listen_env(spec.process->env, listen_fds);
  std::string rootfs = rootfs_path(spec, bundle);

  bool caller_is_root = ::geteuid() == 0;
  NamespacePlan ns = plan_namespaces(spec.linux, caller_is_root);
  check_sysctls(spec.linux.sysctl, [&](oci::NamespaceType t) { return namespace_source(ns, t); });
  std::optional<linux_::IdMapPlan> maps;
  if (ns.new_user_namespace) maps = plan_maps(spec, ns);
  std::optional<linux_::SeccompProgram> seccomp;
  if (spec.linux.seccomp) {
    seccomp = linux_::compile_seccomp(*spec.linux.seccomp);
    for (const auto& name : seccomp->unknown_syscalls)
      log::debug("seccomp: syscall {} is unknown here; its rule is skipped", name);
  }

  state::StateRoot root = state::StateRoot::open(g.root, state::StateRoot::Mode::Create);
  std::optional<state::ContainerDir> dir = state::ContainerDir::create(root, o.id);
  // Declared before the rollback, so a failed create kills the init first and then removes
  // the cgroups (and scope) it made.
  std::optional<cgroup::Setup> cgroups;
  CreateRollback rollback;
  rollback.root = &root;
  rollback.dir = &dir;

  if (::mkfifoat(dir->fd(), state::kExecFifo, 0600) != 0) throw_errno("create exec fifo");
  Fd fifo(::openat(dir->fd(), state::kExecFifo, O_RDWR | O_CLOEXEC));
  if (!fifo) throw_errno("open exec fifo");

  dir->save_config(config_text);

  prepare_notify_socket(spec, dir->fd(), root.path() + "/" + o.id);

  // The record, without its init yet. state.json is written only once the init is ready.
  state::ContainerState st;
  st.oci_version = spec.oci_version;
  st.id = o.id;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.created = sys::rfc3339_now();
  st.owner = ::geteuid();
  st.annotations = spec.annotations;
  st.poststart = spec.hooks.poststart;
  st.poststop = spec.hooks.poststop;

  // Cgroups are made (and limits written) before joining namespaces: the runtime still sees
  // the host's cgroup mounts and D-Bus as the caller does. Their record is on disk before
  // clone (creating.json), so a create killed from here on leaves cgroups delete can find.
  cgroup::Request request = cgroup_request(g, spec, o.id);
  request.before_mkdir = [&](const cgroup::Record& planned) {
    st.cgroup = cgroup::to_json(planned);
    dir->save_creating(st);
  };
  cgroups.emplace(request);
  st.cgroup = cgroup::to_json(cgroups->record());
  dir->save_creating(st);

  // Namespaces given by path are joined by a helper that clones the init (process/spawn):
  // the runtime stays in the caller's namespaces. A joined user namespace decides what the
  // init may do.
  bool joins_user = std::any_of(ns.join.begin(), ns.join.end(), [](const NamespaceToJoin& j) {
    return j.type == oci::NamespaceType::User;
  });
  bool initial_userns = !joins_user && sys::in_initial_user_namespace();
  process::SpawnPlan plan;
  plan.clone_flags = ns.clone_flags;
  plan.id_maps = maps;
  for (const auto& j : ns.join)
    plan.join.push_back({j.fd.get(), clone_flag(j.type),
                         fmt::format("join {} namespace", oci::namespace_name(j.type))});
  auto& init = plan.init;
  init.spec = &spec;
  init.id = o.id;
  init.bundle = bundle;
  init.own_pid_namespace = (ns.clone_flags & CLONE_NEWPID) != 0;
  init.rootfs = rootfs;
  init.exec_fifo_fd = fifo.get();
  init.in_user_namespace = ns.new_user_namespace || !initial_userns;
  init.can_mknod = caller_is_root && initial_userns && !ns.new_user_namespace;
  init.setgroups_denied = maps ? maps->deny_setgroups : sys::setgroups_denied(0);
  init.setgroups_from_self = joins_user;
  init.no_pivot = o.no_pivot;
  init.joined_mount_namespace = !(ns.clone_flags & CLONE_NEWNS);
  init.no_new_keyring = o.no_new_keyring;
  init.seccomp = std::move(seccomp);
  init.kept_fds = kept_fds;
  // Bind sources are opened as the caller, before the init enters its user namespace: a
  // source only the caller may reach works as with runc. Only then: a mount cloned here gets
  // its mount id before the init's own mounts, so mountinfo would no longer list the mounts
  // in the config's order (the validation suite's `mounts` checks that order).
  std::vector<Fd> bind_sources;
  if (caller_is_root && init.in_user_namespace) {
    for (size_t i = 0; i < spec.mounts.size(); i++) {
      bind_sources.push_back(linux_::clone_bind_source(spec.mounts[i], i, bundle));
      init.bind_source_fds.push_back(bind_sources.back().get());
    }
  }
  if (!cgroups->record().none()) {
    plan.cgroup_fd = cgroups->clone_into_fd();
    plan.place = [&](pid_t pid, bool cloned_into) {
      cgroups->place(pid, cloned_into);
      // The placement may change the record (systemd unavailable: cgroupfs instead).
      auto placed = cgroup::to_json(cgroups->record());
      if (placed != st.cgroup) {
        st.cgroup = std::move(placed);
        dir->save_creating(st);
      }
    };
  }
  // The init makes its cgroup namespace itself, once placed: the namespace's root is then
  // the container's cgroup, and the init reads first which cgroups are its own (host paths
  // the "cgroup" mount binds), also when it has no cgroup of its own.
  if (plan.clone_flags & CLONE_NEWCGROUP) {
    plan.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
    init.unshare_cgroup_namespace = true;
  }

  rollback.poststop = &spec.hooks.poststop;
  plan.run_hooks = [&](pid_t pid) {
    // The init's device nodes are made: the device rules go in before the hooks run, as runc
    // writes them at procHooks (a prestart hook sees the container's device access).
    cgroups->apply_device_rules();
    // crun's status for the hooks of create ("creating" in runc): what the spec's validation
    // suite checks for prestart.
    std::string state = process::hook_state(spec, o.id, bundle, pid, "created");
    rollback.poststop_state = process::hook_state(spec, o.id, bundle, pid, "stopped");
    process::run_hooks("prestart", spec.hooks.prestart, state);
    process::run_hooks("createRuntime", spec.hooks.create_runtime, state);
  };

  // init.pid right after clone, before anything that can block (the cgroup placement, the id
  // maps, the hooks). The rollback owns the pidfd from here on.
  plan.cloned = [&](pid_t pid) {
    auto start_time = sys::process_start_time(pid);
    if (!start_time) fail("container init {} vanished", pid);
    st.pid = pid;
    st.pid_start_time = *start_time;
    dir->save_init({pid, *start_time});
  };

  // SCMP_ACT_NOTIFY: the init loads its filter before it is ready and sends the listener; it
  // goes to the agent at once (status "creating", as runc sends it).
  if (init.seccomp && init.seccomp->notify) {
    plan.seccomp_listener = [&](pid_t pid, int listener) {
      linux_::ListenerState ls{spec.oci_version, o.id, "creating", pid, bundle, spec.annotations};
      linux_::send_to_seccomp_agent(*spec.linux.seccomp, pid, ls, listener);
    };
  }

  process::Spawned child = process::spawn_init(plan);
  rollback.pid = child.pid;
  rollback.pidfd = std::move(child.pidfd);
  cgroups->apply_device_rules();  // the init is ready (without hooks: not done yet)

  // The init waits for Committed: every step below may fail (a missing console socket, a pid
  // file in a missing directory, ENOSPC under the state root) and the rollback then kills it,
  // removes its cgroups and the state directory; a runtime killed here closes the sync socket,
  // which ends the init by itself.
  if (child.terminal && !o.console_socket.empty()) {
    send_to_console_socket(o.console_socket, child.terminal.get());
    child.terminal.reset();
  }
  // state.json before the pid file: a state that cannot be written (ENOSPC) leaves the file
  // at --pid-file as it was.
  dir->save(st);
  if (!o.pid_file.empty()) {
    write_pid_file(o.pid_file, child.pid);
    rollback.pid_file = o.pid_file;
  }
  if (!process::send_committed(child)) fail("container init {} exited before start", child.pid);

  rollback.armed = false;
  cgroups->commit();
  CreatedContainer c;
  c.pid = child.pid;
  c.pidfd = std::move(rollback.pidfd);
  c.sync = std::move(child.sync);
  c.terminal = std::move(child.terminal);
  return c;
}

}  // namespace sandbox::runtime
