#pragma once
// The container's init process: everything that happens inside the new namespaces between
// clone and execve of the user's program. It is prepared entirely by the runtime (InitConfig),
// reports errors over the sync socket, and never returns.
#include <optional>
#include <string>
#include <vector>

#include "linux/seccomp.hpp"
#include "oci/spec.hpp"

namespace sandbox::process {

struct InitConfig {
  const oci::Spec* spec = nullptr;
  std::string id;      // the container's id, for the state its hooks read
  std::string bundle;  // absolute; the init starts there so relative bind sources work
  std::string rootfs;  // absolute host path of the rootfs
  int sync_fd = -1;
  int exec_fifo_fd = -1;  // read end (O_RDWR): one byte from `start` releases the init
  // Wait for the runtime's go (MapsWritten) before anything else: it writes the id maps of a
  // new user namespace and places the init in its cgroups.
  bool wait_for_maps = false;
  // CLONE_NEWCGROUP deferred until the init sits in its cgroups (placed after clone), so the
  // namespace's root is the container's cgroup in every hierarchy.
  bool unshare_cgroup_namespace = false;
  bool in_user_namespace = false;
  bool can_mknod = false;
  bool setgroups_denied = false;
  // A user namespace was joined by path: setgroups_denied is read by the init itself, inside.
  bool setgroups_from_self = false;
  // A new pid namespace: nothing but the init is in it, so while the runtime's hooks run the
  // init may be inspectable (a rootless prestart hook opens /proc/PID/ns/net).
  bool own_pid_namespace = false;
  bool no_pivot = false;
  // The mount namespace was joined by path: it is someone else's, so its root and propagation
  // stay as they are and the init chroots into the rootfs instead of pivoting (as crun does).
  bool joined_mount_namespace = false;
  bool no_new_keyring = false;
  int kept_fds = 0;  // fds 3.. passed to the program (LISTEN_FDS and --preserve-fds)
  // Per mounts[] entry: the bind source the runtime cloned as the caller (a detached mount),
  // or -1. The init attaches and closes each; they survive its close of the runtime's fds.
  std::vector<int> bind_source_fds;
  std::optional<linux_::SeccompProgram> seccomp;
};

[[noreturn]] void run_init(const InitConfig& c) noexcept;

}  // namespace sandbox::process
