#include "process/init.hpp"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <optional>

#include "cgroup/layout.hpp"
#include "linux/console.hpp"
#include "linux/devices.hpp"
#include "linux/masks.hpp"
#include "linux/mounts.hpp"
#include "linux/no_pivot.hpp"
#include "linux/pty.hpp"
#include "linux/rootpath.hpp"
#include "process/hooks.hpp"
#include "process/sync.hpp"
#include "process/user_process.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::process {
namespace {

using linux_::Create;

void wait_for_maps(const InitConfig& c) {
  SyncMessage m;
  if (!sync_recv(c.sync_fd, m) || m.type != SyncType::MapsWritten) _exit(1);
  // Become root of the new user namespace (when 0 is mapped), so that what follows, and the
  // files the setup makes, belong to the container's root.
  if (::setresgid(0, 0, 0) != 0 && errno != EINVAL) throw_errno("setresgid(0)");
  if (::setresuid(0, 0, 0) != 0 && errno != EINVAL) throw_errno("setresuid(0)");
}

void set_oom_score_adj(const oci::Process& p) {
  if (!p.oom_score_adj) return;
  int err = sys::write_file("/proc/self/oom_score_adj", std::to_string(*p.oom_score_adj));
  if (err != 0)
    fail("process.oomScoreAdj: set {}: {}{}", *p.oom_score_adj, errno_text(err),
         err == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
}

void join_session_keyring(const InitConfig& c) {
  if (c.no_new_keyring) return;
  // A keyring of its own, so the container cannot read the caller's keys. Kernels or
  // seccomp policies without keyctl simply keep the inherited one.
  ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr);
}

unsigned long initial_propagation(const std::string& p) {
  if (p == "private" || p == "rprivate") return MS_REC | MS_PRIVATE;
  return MS_REC | MS_SLAVE;  // host mount events still reach us, ours never reach the host
}

void apply_rootfs_propagation(const std::string& p) {
  if (p.empty()) return;
  unsigned long flag = 0;
  if (p == "shared" || p == "rshared") flag = MS_SHARED;
  if (p == "slave" || p == "rslave") flag = MS_SLAVE;
  if (p == "private" || p == "rprivate") flag = MS_PRIVATE;
  if (p == "unbindable" || p == "runbindable") flag = MS_UNBINDABLE;
  if (p[0] == 'r') flag |= MS_REC;
  if (::mount(nullptr, "/", nullptr, flag, nullptr) != 0)
    throw_errno("linux.rootfsPropagation: " + p);
}

bool has_mount_at(const oci::Spec& s, const char* dest, bool want_fs) {
  for (const auto& m : s.mounts) {
    if (linux_::clean_relative(m.destination) != linux_::clean_relative(dest)) continue;
    return !want_fs || !linux_::is_bind_mount(m);
  }
  return false;
}

// Net and IPC sysctls are per namespace and the kernel picks the writer's namespaces, so the
// host's /proc (still ours before pivot_root) writes the container's values.
void write_sysctls(const oci::Spec& s) {
  for (const auto& [key, value] : s.linux.sysctl) {
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    int err = sys::write_file(path, value);
    if (err != 0) fail("linux.sysctl: {}={}: {}", key, value, errno_text(err));
  }
}

void pivot_into(const InitConfig& c, int rootfd) {
  if (::fchdir(rootfd) != 0) throw_errno("chdir to rootfs");
  if (c.joined_mount_namespace) {
    if (::chroot(".") != 0) throw_errno("chroot");
  } else if (c.no_pivot) {
    linux_::hide_revealing_mounts(c.rootfs);
    if (::mount(c.rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
      throw_errno("move rootfs to /");
    if (::chroot(".") != 0) throw_errno("chroot");
  } else {
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
    // just the rootfs, with no directory needed for the old root.
    if (sys::pivot_root(".", ".") != 0) throw_errno("pivot_root");
    if (::umount2(".", MNT_DETACH) != 0) throw_errno("detach the old root");
  }
  if (::chdir("/") != 0) throw_errno("chdir /");
}

bool has_cgroup_mount(const oci::Spec& s) {
  return std::any_of(s.mounts.begin(), s.mounts.end(),
                     [](const oci::Mount& m) { return m.type == "cgroup" || m.type == "cgroup2"; });
}

bool has_cgroup_namespace(const oci::Spec& s) {
  return std::any_of(s.linux.namespaces.begin(), s.linux.namespaces.end(),
                     [](const oci::Namespace& n) { return n.type == oci::NamespaceType::Cgroup; });
}

// The init's own cgroups as host directories, read where it sits now (placed by the runtime,
// not yet in a cgroup namespace of its own). The mount namespace is still a copy of the
// host's, so its mountinfo names the host's hierarchies.
cgroup::OwnCgroups read_own_cgroups() {
  return wrap("cgroup mount", [] {
    return cgroup::own_cgroups(cgroup::parse_layout(sys::read_file("/proc/self/mountinfo")),
                               cgroup::process_membership(0));
  });
}

// The mounts are in place and the host's root is still reachable: the runtime runs the
// prestart and createRuntime hooks (in its namespaces), then the init runs createContainer in
// the container's. Returns the init's host pid (the runtime says it), 0 without hooks.
pid_t hooks_before_pivot(const InitConfig& c) {
  const oci::Hooks& h = c.spec->hooks;
  if (!init_needs_hook_round_trip(h)) return 0;
  if (c.own_pid_namespace) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  SyncMessage m;
  if (!sync_send(c.sync_fd, SyncType::RunHooks) || !sync_recv(c.sync_fd, m) ||
      m.type != SyncType::HooksDone)
    _exit(1);  // the runtime gave up (a hook failed): it reports why and kills us
  if (c.own_pid_namespace && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    throw_errno("prctl(PR_SET_DUMPABLE)");
  pid_t pid = m.err;
  // crun's status for the hooks of create ("creating" in runc): what the spec's validation
  // suite checks for prestart.
  run_hooks("createContainer", h.create_container,
            hook_state(*c.spec, c.id, c.bundle, pid, "created"));
  return pid;
}

pid_t setup_rootfs(const InitConfig& c, const cgroup::OwnCgroups* own_cgroups,
                   std::optional<linux_::Pty>& console) {
  const oci::Spec& s = *c.spec;
  if (!c.joined_mount_namespace) {
    if (::mount(nullptr, "/", nullptr, initial_propagation(s.linux.rootfs_propagation), nullptr) !=
        0)
      throw_errno("make / a private mount tree");
    // A bind of the rootfs onto itself makes it a mount point, which pivot_root requires.
    if (::mount(c.rootfs.c_str(), c.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      throw_errno("bind rootfs " + c.rootfs);
  }
  Fd rootfd(::open(c.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) throw_errno("open rootfs " + c.rootfs);

  linux_::MountContext ctx{.in_user_namespace = c.in_user_namespace,
                           .cgroup_namespace = has_cgroup_namespace(s),
                           .own_cgroups = own_cgroups};
  for (size_t i = 0; i < s.mounts.size(); i++) {
    Fd source(i < c.bind_source_fds.size() ? c.bind_source_fds[i] : -1);
    linux_::mount_entry(rootfd.get(), s.mounts[i], i, ctx, std::move(source));
  }

  std::vector<oci::Device> devices;
  if (has_mount_at(s, "/dev", true)) devices = linux_::default_devices();
  // With a devpts of its own the container's /dev/ptmx is the link to pts/ptmx, whatever
  // linux.devices says (runc skips the entry as well): a node there would lead to the host's
  // pty instance, and a rootless bind of it could not be replaced by the link.
  bool ptmx_link = has_mount_at(s, "/dev", true) && has_mount_at(s, "/dev/pts", true);
  for (const auto& d : s.linux.devices)
    if (!(ptmx_link && linux_::is_ptmx(d))) devices.push_back(d);
  linux_::create_devices(rootfd.get(), devices, c.can_mknod);
  if (has_mount_at(s, "/dev", true)) linux_::create_dev_links(rootfd.get(), ptmx_link);
  if (s.process->terminal) console = linux_::open_console(rootfd.get());
  linux_::make_dev_readonly(rootfd.get(), s.mounts);

  write_sysctls(s);
  pid_t host_pid = hooks_before_pivot(c);
  // Masks and read-only binds go in before pivot_root, through the rootfs fd: /dev/null is
  // then still the host's (verified) node, and every path is resolved inside the rootfs.
  if (!s.linux.masked_paths.empty()) {
    Fd dev_null(linux_::open_verified_dev_null());
    linux_::mask_paths(rootfd.get(), s.linux.masked_paths, dev_null.get());
  }
  linux_::make_readonly(rootfd.get(), s.linux.readonly_paths);
  // The working directory is made by the container's root while the rootfs is writable.
  if (!linux_::open_in_root(rootfd.get(), s.process->cwd, Create::Dir))
    throw_errno("process.cwd: " + s.process->cwd);
  if (s.root.readonly) {
    linux_::MountOptions ro;
    ro.attr_set = MOUNT_ATTR_RDONLY;
    wrap("root.readonly", [&] { linux_::set_mount_attrs(rootfd.get(), ro); });
  }

  pivot_into(c, rootfd.get());
  if (!c.joined_mount_namespace) apply_rootfs_propagation(s.linux.rootfs_propagation);
  return host_pid;
}

void set_names(const oci::Spec& s) {
  if (!s.hostname.empty() && ::sethostname(s.hostname.data(), s.hostname.size()) != 0)
    throw_errno("hostname: sethostname");
  if (!s.domainname.empty() && ::setdomainname(s.domainname.data(), s.domainname.size()) != 0)
    throw_errno("domainname: setdomainname");
}

// Ready is said; the runtime now records the container. Anything but its Committed (EOF: it
// failed and is rolling back, or was killed) ends the init here, before it could wait on the
// fifo for a start that no state would ever allow.
void wait_for_commit(const InitConfig& c) {
  SyncMessage m;
  if (!sync_recv(c.sync_fd, m) || m.type != SyncType::Committed) _exit(1);
}

void wait_for_start(const InitConfig& c) {
  char b;
  ssize_t n;
  do {
    n = ::read(c.exec_fifo_fd, &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) _exit(1);  // the runtime gave up on us
}

// A pty from the container's devpts becomes the process's terminal; the master goes to the
// runtime, which hands it to the console socket or proxies it.
void setup_terminal(const InitConfig& c, const oci::Process& p, linux_::Pty& pty) {
  if (p.console_size)
    linux_::set_window_size(pty.master.get(), p.console_size->height, p.console_size->width);
  linux_::attach_terminal(pty.slave.get());
  if (!sync_send_fd(c.sync_fd, SyncType::Terminal, pty.master.get()))
    fail("process.terminal: the runtime is gone");
}

[[noreturn]] void init_main(const InitConfig& c) {
  const oci::Spec& s = *c.spec;
  const oci::Process& p = *s.process;
  // The init holds nothing of the runtime's or the caller's but stdio, the fds passed on, the
  // sync socket and the exec fifo: a container process looking at /proc/1/fd must find no
  // host directory, state lock or cgroup (the CVE-2024-21626 lesson).
  std::vector<int> keep = c.bind_source_fds;
  keep.insert(keep.end(), {c.sync_fd, c.exec_fifo_fd});
  if (sys::close_fds_except(3 + c.kept_fds, keep) != 0) throw_errno("close the runtime's fds");
  bool setgroups_denied = c.setgroups_from_self ? sys::setgroups_denied(0) : c.setgroups_denied;
  reset_signals();
  // A session of its own: the container's terminal (if any) becomes its controlling tty, and
  // job control on the caller's terminal does not reach it.
  ::setsid();
  if (c.wait_for_maps) wait_for_maps(c);
  std::optional<cgroup::OwnCgroups> own_cgroups;
  if (has_cgroup_mount(s)) own_cgroups = read_own_cgroups();
  // Written while /proc/self is still ours: a non-dumpable process's proc files belong to root.
  set_oom_score_adj(p);
  // Non-dumpable while it sets up (it holds the rootfs and mount fds, its cwd is the bundle):
  // /proc/PID/fd, /proc/PID/cwd and /proc/PID/mem are then closed to every process of a pid
  // namespace it shares. Only now: until the id maps are written the runtime (or newuidmap)
  // needs /proc/PID/uid_map, which non-dumpable hands to root.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
  if (c.unshare_cgroup_namespace && ::unshare(CLONE_NEWCGROUP) != 0)
    throw_errno("cgroup namespace: unshare");
  // In a joined mount namespace the bundle may not be there (relative bind sources then fail).
  if (::chdir(c.bundle.c_str()) != 0 && !c.joined_mount_namespace)
    throw_errno("chdir to bundle " + c.bundle);
  join_session_keyring(c);
  std::optional<linux_::Pty> console;  // opened with the rootfs, bound on /dev/console
  pid_t host_pid = setup_rootfs(c, own_cgroups ? &*own_cgroups : nullptr, console);
  set_names(s);
  if (console) setup_terminal(c, p, *console);

  UserProcess up;
  up.process = &p;
  up.setgroups_denied = setgroups_denied;
  up.seccomp = c.seccomp ? &*c.seccomp : nullptr;
  up.kept_fds = c.kept_fds;
  up.sync_fd = c.sync_fd;
  PreparedProgram prog = become_user(up);
  // Set up: the init now holds nothing of the host (its fds are stdio, the fds passed on, the
  // sync socket and the fifo; its root is the rootfs; its exe the sealed copy), so it may be
  // inspected again while it waits in `created`, as runc's init can: a rootless `exec`, `ps`
  // and a namespace join by /proc/PID/ns need that. Not while a seccomp filter is still to
  // be loaded at execve: a container process could otherwise write code into the init
  // (/proc/1/mem) that runs before the filter.
  if (!(up.seccomp && prog.seccomp_at_exec)) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

  if (!sync_send(c.sync_fd, SyncType::Ready)) _exit(1);
  wait_for_commit(c);
  wait_for_start(c);
  // In the container, as its user, right before the program: the path resolves in the rootfs.
  run_hooks("startContainer", s.hooks.start_container,
            hook_state(s, c.id, c.bundle, host_pid, "created"));
  exec_program(up, prog);
}

}  // namespace

void run_init(const InitConfig& c) noexcept {
  std::string msg;
  int code = 0;
  try {
    init_main(c);
  } catch (const Error& e) {
    msg = e.what();
    code = e.code();
  } catch (const std::exception& e) {
    msg = e.what();
  }
  // After `create` returned nobody listens on the socket any more; the container's stderr is
  // then the only place left to say why it failed.
  if (!sync_send(c.sync_fd, SyncType::Error, code, msg)) {
    std::string line = "sandbox: " + msg + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  _exit(code == ENOENT ? 127 : code == EACCES ? 126 : 1);
}

}  // namespace sandbox::process
