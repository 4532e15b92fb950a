#pragma once
// Mounting with the new mount API: every filesystem and every bind is prepared detached
// (fsmount / open_tree) and attached to a target fd that was resolved inside the rootfs, so no
// mount ever goes through a path the container image controls.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cgroup/layout.hpp"
#include "linux/mount_options.hpp"
#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::linux_ {

struct MountContext {
  // The init runs in a user namespace (its own, or the caller's as under rootless podman):
  // sysfs may not be mountable there, and is bind-mounted from the host instead.
  bool in_user_namespace = false;
  // The init is in a cgroup namespace of the container (a new or a joined one).
  bool cgroup_namespace = false;
  // The init's own cgroups, read before it made its cgroup namespace: what a "cgroup" mount
  // shows. nullptr when not read (the config has no cgroup mount).
  const cgroup::OwnCgroups* own_cgroups = nullptr;
};

// A new filesystem of TYPE as a detached mount, with data options and mount attributes.
// Throws sandbox::Error naming the option the kernel refused.
Fd make_filesystem(const std::string& type, const std::string& source, const MountOptions& o);
// A detached copy of the mount tree at DIRFD/PATH (PATH "" means DIRFD itself).
Fd clone_tree(int dirfd, const std::string& path, bool recursive);
// Applies attributes and propagation to a mount (detached or attached).
void set_mount_attrs(int mountfd, const MountOptions& o);
// Attaches a detached mount onto the target fd.
void attach(int mountfd, int targetfd);

// Mounts config.json mounts[index] below ROOTFD (the rootfs). Errors read
// "mounts[3] (tmpfs on /dev/shm): <why>". SOURCE: the bind's source as cloned by the runtime
// (clone_bind_source), else the init opens the source itself.
void mount_entry(int rootfd, const oci::Mount& m, size_t index, const MountContext& ctx,
                 Fd source = Fd());

// A bind source opened as the caller, before the init enters its user namespace: runc and crun
// do the same, so a source only the caller can reach (a 0700 directory of root's) works in a
// container whose root is a mapped, unprivileged id. A detached clone of the source's mount
// tree (recursive for rbind), which the init attaches with mount_entry. Needs CAP_SYS_ADMIN
// over the caller's mount namespace: without it (EPERM) an invalid Fd, and the init binds the
// path itself. An invalid Fd for entries that are not binds. Relative sources are relative to
// BUNDLE. Errors read like mount_entry's.
Fd clone_bind_source(const oci::Mount& m, size_t index, const std::string& bundle);

// Applies a mount entry's read-only to /dev, which mount_entry left writable so that what
// goes below it (devpts, mqueue, device nodes, /dev/console) could be made. Call after those.
void make_dev_readonly(int rootfd, const std::vector<oci::Mount>& mounts);

// True when the config.json mount is a bind (type "bind"/"rbind", or a bind/rbind option).
bool is_bind_mount(const oci::Mount& m);

}  // namespace sandbox::linux_
