#include "linux/no_pivot.hpp"

#include <sys/mount.h>

#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::linux_ {
namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && s.size() - i > 3) {
      bool octal = true;
      int v = 0;
      for (size_t k = 1; k <= 3; k++) {
        char c = s[i + k];
        octal = octal && c >= '0' && c <= '7';
        v = v * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

std::vector<std::string> revealing_mounts(std::string_view mountinfo, const std::string& rootfs) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < mountinfo.size()) {
    size_t end = mountinfo.find('\n', pos);
    if (end == std::string_view::npos) end = mountinfo.size();
    auto f = fields(mountinfo.substr(pos, end - pos));
    pos = end + 1;
    // id parent major:minor root mountpoint options [optional...] - fstype source superopts
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") dash++;
    if (dash + 1 >= f.size() || f[3] != "/") continue;
    if (f[dash + 1] != "proc" && f[dash + 1] != "sysfs") continue;
    std::string point = unescape(f[4]);
    if (under(point, rootfs)) continue;
    out.push_back(std::move(point));
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
