#include "linux/no_pivot.hpp"

#include <sys/mount.h>

#include "sys/error.hpp"
#include "sys/mountinfo.hpp"
#include "sys/proc.hpp"

namespace sandbox::linux_ {
namespace {

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

std::vector<std::string> revealing_mounts(std::string_view mountinfo, const std::string& rootfs) {
  std::vector<std::string> out;
  for (auto& m : sys::parse_mountinfo(mountinfo)) {
    if (m.root != "/" || (m.fstype != "proc" && m.fstype != "sysfs")) continue;
    if (under(m.mount_point, rootfs)) continue;
    out.push_back(std::move(m.mount_point));
  }
  return out;
}

void hide_revealing_mounts(const std::string& rootfs) {
  for (const auto& point : revealing_mounts(sys::read_file("/proc/self/mountinfo"), rootfs)) {
    if (::umount2(point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
    // ENOENT: gone with a mount detached before it. EINVAL/EPERM: not a mount point any more,
    // or locked; either way a cover is harmless there.
    if (errno == ENOENT) continue;
    if (errno != EINVAL && errno != EPERM) throw_errno("--no-pivot: detach " + point);
    if (::mount("tmpfs", point.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=0,mode=000") != 0 &&
        errno != ENOENT)
      throw_errno("--no-pivot: cover " + point);
  }
}

}  // namespace sandbox::linux_
