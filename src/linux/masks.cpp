#include "linux/masks.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "linux/mounts.hpp"
#include "linux/rootpath.hpp"
#include "sys/error.hpp"

namespace sandbox::linux_ {

int open_verified_dev_null() {
  Fd fd(::open("/dev/null", O_PATH | O_CLOEXEC));
  if (!fd) throw_errno("open /dev/null");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    fail("/dev/null is not the null device; refusing to mask paths with it");
  return fd.release();
}

void mask_paths(int rootfd, const std::vector<std::string>& paths, int dev_null_fd) {
  for (const auto& p : paths) {
    Fd target = open_in_root(rootfd, p, Create::No);
    if (!target) {
      if (errno == ENOENT) continue;
      throw_errno("maskedPaths: " + p);
    }
    struct stat st {};
    if (::fstat(target.get(), &st) != 0) throw_errno("maskedPaths: " + p);
    try {
      if (S_ISDIR(st.st_mode)) {
        MountOptions o;
        o.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        o.data = {{"size", "0"}, {"mode", "0555"}};
        Fd fs = make_filesystem("tmpfs", "tmpfs", o);
        attach(fs.get(), target.get());
      } else {
        Fd tree = clone_tree(dev_null_fd, "", false);
        attach(tree.get(), target.get());
      }
    } catch (const Error& e) {
      rethrow_with(e, "maskedPaths: " + p);
    }
  }
}

void make_readonly(int rootfd, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    Fd target = open_in_root(rootfd, p, Create::No);
    if (!target) {
      if (errno == ENOENT) continue;
      throw_errno("readonlyPaths: " + p);
    }
    try {
      Fd tree = clone_tree(target.get(), "", true);
      MountOptions o;
      o.attr_set = MOUNT_ATTR_RDONLY;
      o.recursive_attrs = true;
      set_mount_attrs(tree.get(), o);
      attach(tree.get(), target.get());
    } catch (const Error& e) {
      rethrow_with(e, "readonlyPaths: " + p);
    }
  }
}

}  // namespace sandbox::linux_
