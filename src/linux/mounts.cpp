#include "linux/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "linux/copy_tree.hpp"
#include "linux/rootpath.hpp"
#include "sys/error.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::linux_ {
namespace {

constexpr uint64_t kFsmountAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                   MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                                   MOUNT_ATTR_NOSYMFOLLOW;

bool is_bind(const oci::Mount& m, const MountOptions& o) {
  return o.bind || m.type == "bind" || m.type == "rbind";
}

std::string describe(const oci::Mount& m, size_t index) {
  std::string type = m.type.empty() ? "bind" : m.type;
  return fmt::format("mounts[{}] ({} on {})", index, type, m.destination);
}

bool is_dev(const oci::Mount& m) {
  return clean_relative(m.destination) == "dev";
}

// proc and sysfs go on an ordinary directory only. Paths resolve inside the rootfs anyway, but
// an image whose /proc leads elsewhere (the CVE-2019-19921 family: a /proc the container
// controls, so that masks and the runtime's own writes land somewhere harmless) is refused
// rather than followed, as runc and crun do.
void require_plain_directory(int rootfd, const oci::Mount& m) {
  std::string rel = clean_relative(m.destination);
  auto slash = rel.rfind('/');
  std::string parent = slash == std::string::npos ? "/" : "/" + rel.substr(0, slash);
  std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  if (name.empty()) fail("{} cannot be mounted on the root itself", m.type);
  Fd dir = open_in_root(rootfd, parent, Create::No);
  if (!dir) return;  // missing: made as a directory when mounted
  struct stat st {};
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISLNK(st.st_mode))
    fail("{} is a symlink in the rootfs: {} is mounted on a directory only", m.destination, m.type);
  if (!S_ISDIR(st.st_mode))
    fail("{} is not a directory in the rootfs: {} is mounted on a directory only", m.destination,
         m.type);
}

MountOptions without_data(MountOptions o) {
  o.data.clear();
  return o;
}

// Binds SOURCE (a host path), or TREE when the runtime already cloned it (MountSource).
void bind_into(int rootfd, const std::string& source, const std::string& dest,
               const MountOptions& o, Fd tree = Fd()) {
  struct stat st {};
  int r = tree ? ::fstat(tree.get(), &st) : ::stat(source.c_str(), &st);
  if (r != 0) throw_errno("source " + source);
  Fd target = open_in_root(rootfd, dest, S_ISDIR(st.st_mode) ? Create::Dir : Create::File);
  if (!target) throw_errno("destination " + dest);
  if (!tree) tree = clone_tree(AT_FDCWD, source, o.recursive_bind);
  MountOptions attrs = o;
  attrs.propagation = 0;  // set once attached: a detached tree has no peers to speak of
  set_mount_attrs(tree.get(), attrs);
  attach(tree.get(), target.get());
}

void fs_into(int rootfd, const oci::Mount& m, const MountOptions& o) {
  Fd target = open_in_root(rootfd, m.destination, Create::Dir);
  if (!target) throw_errno("destination " + m.destination);
  Fd fs = make_filesystem(m.type, m.source, o);
  if (o.copy_up) {
    if (m.type != "tmpfs") fail("option \"tmpcopyup\": only for tmpfs");
    copy_tree(target.get(), fs.get());
  }
  attach(fs.get(), target.get());
  if (o.propagation) {
    // TARGET still names the directory under the new mount; the mount itself is reopened.
    Fd mounted = open_in_root(rootfd, m.destination, Create::No);
    if (!mounted) throw_errno("reopen " + m.destination);
    set_mount_attrs(mounted.get(), MountOptions{.propagation = o.propagation,
                                                .recursive_propagation = o.recursive_propagation});
  }
}

// sysfs can only be mounted by a user namespace that owns the network namespace; the same
// view is had by binding the host's /sys (runc's rootless spec does exactly that).
void sysfs_into(int rootfd, const oci::Mount& m, const MountOptions& o, const MountContext& c) {
  try {
    fs_into(rootfd, m, o);
  } catch (const Error& e) {
    if (!c.in_user_namespace || (e.code() != EPERM && e.code() != EACCES)) throw;
    MountOptions b = o;
    b.bind = b.recursive_bind = true;
    bind_into(rootfd, "/sys", m.destination, b);
  }
}

// gid=5 (tty) in devpts options fails with EINVAL when gid 5 is not mapped in the user
// namespace (a single-id map); the pty then belongs to the caller's gid, as with runc.
void devpts_into(int rootfd, const oci::Mount& m, const MountOptions& o) {
  try {
    fs_into(rootfd, m, o);
  } catch (const Error& e) {
    bool has_gid =
        std::any_of(o.data.begin(), o.data.end(), [](const auto& kv) { return kv.first == "gid"; });
    if (e.code() != EINVAL || !has_gid) throw;
    MountOptions retry = o;
    std::erase_if(retry.data, [](const auto& kv) { return kv.first == "gid"; });
    fs_into(rootfd, m, retry);
  }
}

// Every hierarchy a "cgroup" mount shows is the container's own cgroup there, bound
// read-only: the container can read its cgroups but neither change its limits nor reach
// any other cgroup of the host.
constexpr uint64_t kCgroupBindAttrs =
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;

// Recursive, as runc's: in a user namespace a mount below the source (a file bound over a
// cgroup file, as CI runners and bench/run.sh do) is locked, and a non-recursive bind of a
// mount with locked children fails (EINVAL). The flags then cover the submounts too.
void bind_own_cgroup(const std::string& source, int targetfd) {
  Fd tree = clone_tree(AT_FDCWD, source, true);
  set_mount_attrs(tree.get(), MountOptions{.recursive_attrs = true, .attr_set = kCgroupBindAttrs});
  attach(tree.get(), targetfd);
}

// A "cgroup" mount, as runc makes it. A unified host (or a "cgroup2" mount): in a cgroup
// namespace a new cgroup2 mount, whose root is the container's cgroup; without one a bind of
// the container's own cgroup2 directory. A v1 or hybrid host: a tmpfs with one directory per
// hierarchy the host has mounted ("memory", "cpu,cpuacct" with links "cpu" and "cpuacct",
// "systemd", "unified"), each a bind of the container's own cgroup there (read before the
// cgroup namespace was made, so the same directories either way; cgroup v1 cannot be mounted
// in a user namespace anyway); the tmpfs is then made read-only when the mount says "ro".
void cgroup_into(int rootfd, const oci::Mount& m, const MountOptions& o, const MountContext& c) {
  if (!c.own_cgroups) fail("the container's cgroups are unknown");
  const cgroup::OwnCgroups& own = *c.own_cgroups;
  if (own.pure_v2 || m.type == "cgroup2") {
    if (c.cgroup_namespace) {
      oci::Mount v2 = m;
      v2.type = "cgroup2";
      fs_into(rootfd, v2, without_data(o));
      return;
    }
    if (own.v2_source.empty()) fail("the container's cgroup2 directory is not reachable");
    Fd target = open_in_root(rootfd, m.destination, Create::Dir);
    if (!target) throw_errno("destination " + m.destination);
    bind_own_cgroup(own.v2_source, target.get());
    return;
  }
  oci::Mount tmpfs{.destination = m.destination, .type = "tmpfs", .source = "tmpfs", .options = {}};
  fs_into(rootfd, tmpfs,
          MountOptions{.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                       .propagation = o.propagation,
                       .recursive_propagation = o.recursive_propagation,
                       .data = {{"mode", "755"}}});
  Fd top = open_in_root(rootfd, m.destination, Create::No);
  if (!top) throw_errno("reopen " + m.destination);
  // The names come from the host's mount points (one component each), not from the image.
  for (const auto& h : own.hierarchies) {
    if (::mkdirat(top.get(), h.name.c_str(), 0755) != 0) throw_errno("mkdir " + h.name);
    Fd dir(::openat(top.get(), h.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) throw_errno("open " + h.name);
    bind_own_cgroup(h.source, dir.get());
    for (const auto& link : h.links) {
      if (::symlinkat(h.name.c_str(), top.get(), link.c_str()) != 0)
        throw_errno("symlink " + link + " -> " + h.name);
    }
  }
  if (o.attr_set & MOUNT_ATTR_RDONLY)
    set_mount_attrs(top.get(), MountOptions{.attr_set = MOUNT_ATTR_RDONLY});
}

}  // namespace

Fd make_filesystem(const std::string& type, const std::string& source, const MountOptions& o) {
  Fd fs(sys::fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) throw_errno("fsopen " + type);
  auto set = [&](const std::string& key, const std::string& value) {
    int r = value.empty() && key != "source"
                ? sys::fsconfig(fs.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                : sys::fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
    if (r != 0) {
      std::string opt = value.empty() ? key : key + "=" + value;
      throw_errno("option \"" + opt + "\"");
    }
  };
  // The config's source, for every type: mountinfo shows it (runtime-tools checks it).
  if (!source.empty()) set("source", source);
  for (const auto& [k, v] : o.data) set(k, v);
  if (sys::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    throw_errno("create " + type);
  Fd mnt(
      sys::fsmount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(o.attr_set & kFsmountAttrs)));
  if (!mnt) throw_errno("fsmount " + type);
  return mnt;
}

Fd clone_tree(int dirfd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  Fd tree(sys::open_tree(dirfd, path.c_str(), flags));
  if (!tree) throw_errno(path.empty() ? std::string("clone mount") : "bind " + path);
  return tree;
}

void set_mount_attrs(int mountfd, const MountOptions& o) {
  if (o.attr_set || o.attr_clr) {
    struct mount_attr attr {};
    attr.attr_set = o.attr_set;
    attr.attr_clr = o.attr_clr;
    unsigned flags = AT_EMPTY_PATH | (o.recursive_attrs ? AT_RECURSIVE : 0);
    if (sys::mount_setattr(mountfd, "", flags, &attr) != 0) throw_errno("set mount options");
  }
  if (o.propagation) {
    struct mount_attr attr {};
    attr.propagation = o.propagation;
    unsigned flags = AT_EMPTY_PATH | (o.recursive_propagation ? AT_RECURSIVE : 0);
    if (sys::mount_setattr(mountfd, "", flags, &attr) != 0) throw_errno("set propagation");
  }
}

void attach(int mountfd, int targetfd) {
  if (sys::move_mount(mountfd, "", targetfd, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    throw_errno("attach mount");
}

Fd clone_bind_source(const oci::Mount& m, size_t index, const std::string& bundle) {
  MountOptions o = parse_mount_options(m.options);
  if (!is_bind(m, o)) return Fd();
  bool recursive = o.recursive_bind || m.type == "rbind";
  std::string source = m.source.empty() || m.source[0] == '/' ? m.source : bundle + "/" + m.source;
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  Fd tree(sys::open_tree(AT_FDCWD, source.c_str(), flags));
  if (tree) return tree;
  if (errno == EPERM) return Fd();  // not ours to clone: the init binds it as today
  throw Error(fmt::format("{}: source {}: {}", describe(m, index), m.source, errno_text(errno)),
              errno);
}

void mount_entry(int rootfd, const oci::Mount& m, size_t index, const MountContext& ctx,
                 Fd source) {
  MountOptions o = parse_mount_options(m.options);
  // A read-only /dev turns read-only only at the end (make_dev_readonly): devpts, mqueue, shm,
  // the device nodes and /dev/console still have to go in below it, as with runc.
  if (is_dev(m)) o.attr_set &= ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
  try {
    if (is_bind(m, o)) {
      if (m.type == "rbind") o.recursive_bind = true;
      o.bind = true;
      // Bind sources are host paths; relative ones are relative to the bundle (our cwd).
      bind_into(rootfd, m.source, m.destination, without_data(o), std::move(source));
      if (o.propagation) {
        Fd mounted = open_in_root(rootfd, m.destination, Create::No);
        if (!mounted) throw_errno("reopen " + m.destination);
        set_mount_attrs(mounted.get(),
                        MountOptions{.propagation = o.propagation,
                                     .recursive_propagation = o.recursive_propagation});
      }
    } else if (m.type == "sysfs") {
      require_plain_directory(rootfd, m);
      sysfs_into(rootfd, m, o, ctx);
    } else if (m.type == "proc") {
      require_plain_directory(rootfd, m);
      fs_into(rootfd, m, o);
    } else if (m.type == "devpts") {
      devpts_into(rootfd, m, o);
    } else if (m.type == "cgroup" || m.type == "cgroup2") {
      cgroup_into(rootfd, m, o, ctx);
    } else if (m.type.empty()) {
      fail("no type given and not a bind mount (add \"bind\" or \"rbind\" to options)");
    } else {
      fs_into(rootfd, m, o);
    }
  } catch (const Error& e) {
    rethrow_with(e, describe(m, index));
  }
}

void make_dev_readonly(int rootfd, const std::vector<oci::Mount>& mounts) {
  auto last_dev = std::find_if(mounts.rbegin(), mounts.rend(), is_dev);
  if (last_dev == mounts.rend()) return;
  MountOptions o = parse_mount_options(last_dev->options);
  if (!(o.attr_set & MOUNT_ATTR_RDONLY)) return;
  Fd dev = open_in_root(rootfd, "/dev", Create::No);
  if (!dev) throw_errno("read-only /dev: open /dev");
  wrap("read-only /dev", [&] {
    set_mount_attrs(dev.get(), MountOptions{.recursive_attrs = o.recursive_attrs,
                                            .attr_set = MOUNT_ATTR_RDONLY});
  });
}

bool is_bind_mount(const oci::Mount& m) {
  return is_bind(m, parse_mount_options(m.options));
}

}  // namespace sandbox::linux_
