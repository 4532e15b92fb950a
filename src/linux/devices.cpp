#include "linux/devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "linux/mounts.hpp"
#include "linux/rootpath.hpp"
#include "sys/dir_stream.hpp"
#include "sys/error.hpp"

namespace sandbox::linux_ {
namespace {

mode_t node_type(char t) {
  switch (t) {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR;  // 'c' and 'u'
  }
}

bool matches(const struct stat& st, const oci::Device& d) {
  return (st.st_mode & S_IFMT) == node_type(d.type) &&
         st.st_rdev == makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
}

// The host node to bind for D: the same path on the host when it is the same device, else
// any node in /dev or one directory below with the same type and number.
std::optional<std::string> host_node(const oci::Device& d) {
  struct stat st {};
  if (::stat(d.path.c_str(), &st) == 0 && matches(st, d)) return d.path;
  for (std::string dir : {"/dev", "/dev/net", "/dev/char"}) {
    sys::DirStream dp = sys::DirStream::open(dir);
    while (const dirent* e = dp.next()) {
      std::string p = dir + "/" + e->d_name;
      if (::lstat(p.c_str(), &st) == 0 && matches(st, d)) return p;
    }
  }
  return std::nullopt;
}

std::pair<std::string, std::string> split(const std::string& path) {
  auto slash = path.rfind('/');
  return {path.substr(0, slash), path.substr(slash + 1)};
}

void mknod_device(int rootfd, const oci::Device& d) {
  auto [dir, name] = split(d.path);
  Fd parent = open_in_root(rootfd, dir.empty() ? "/" : dir, Create::Dir);
  if (!parent) throw_errno("create " + dir);
  mode_t mode = node_type(d.type) | (d.file_mode ? (*d.file_mode & 07777) : 0666);
  dev_t dev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  ::unlinkat(parent.get(), name.c_str(), 0);  // replace what the image put there
  if (::mknodat(parent.get(), name.c_str(), mode, dev) != 0) throw_errno("mknod");
  if (::fchownat(parent.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0),
                 AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("chown");
  // Exactly the config's mode: mknod applied our umask (0644 for /dev/null under umask 022,
  // which a non-root user inside could not write), and chown may have cleared set-id bits.
  if (::fchmodat(parent.get(), name.c_str(), mode & 07777, 0) != 0) throw_errno("chmod");
}

void bind_device(int rootfd, const oci::Device& d) {
  auto source = host_node(d);
  if (!source)
    fail(
        "no device nodes can be created in a user namespace, and the host has no node "
        "{}:{} to bind",
        d.major, d.minor);
  Fd target = open_in_root(rootfd, d.path, Create::File);
  if (!target) throw_errno("create " + d.path);
  Fd tree = clone_tree(AT_FDCWD, *source, false);
  attach(tree.get(), target.get());
}

}  // namespace

std::vector<oci::Device> default_devices() {
  auto chr = [](const char* path, int64_t major, int64_t minor) {
    oci::Device d;
    d.type = 'c';
    d.path = path;
    d.major = major;
    d.minor = minor;
    d.file_mode = 0666;
    return d;
  };
  return {chr("/dev/null", 1, 3),   chr("/dev/zero", 1, 5),    chr("/dev/full", 1, 7),
          chr("/dev/random", 1, 8), chr("/dev/urandom", 1, 9), chr("/dev/tty", 5, 0)};
}

bool is_ptmx(const oci::Device& d) {
  return std::filesystem::path(d.path).lexically_normal() == "/dev/ptmx";
}

void create_devices(int rootfd, const std::vector<oci::Device>& devices, bool can_mknod) {
  for (const auto& d : devices) {
    wrap(fmt::format("device {}", d.path), [&] {
      if (can_mknod || d.type == 'p')
        mknod_device(rootfd, d);
      else
        bind_device(rootfd, d);
    });
  }
}

void create_dev_links(int rootfd, bool with_ptmx) {
  Fd dev = open_in_root(rootfd, "/dev", Create::Dir);
  if (!dev) throw_errno("/dev");
  const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (const auto& [target, name] : links) {
    if (::symlinkat(target, dev.get(), name) != 0 && errno != EEXIST)
      throw_errno(std::string("/dev/") + name);
  }
  if (with_ptmx) {
    // The container's own devpts instance: /dev/ptmx must lead to it, not to the host's.
    ::unlinkat(dev.get(), "ptmx", 0);
    if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) throw_errno("/dev/ptmx");
  }
}

}  // namespace sandbox::linux_
