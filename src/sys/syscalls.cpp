#include "sys/syscalls.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <optional>

#include "sys/dir_stream.hpp"

namespace sandbox::sys {

pid_t clone3(CloneArgs& args) {
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof(args)));
}

int openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct open_how how {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

int pidfd_open(pid_t pid, unsigned flags) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}

int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

int pivot_root(const char* new_root, const char* put_old) {
  return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}

int close_range(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

namespace {

// The fds /proc/self/fd lists, or nullopt when it cannot be read or is not procfs: after
// pivot_root /proc may be missing or be the image's own directory, which could list anything.
std::optional<std::vector<int>> fds_listed_by_procfs() {
  DirStream d = DirStream::open("/proc/self/fd");
  if (!d) return std::nullopt;
  struct statfs fs {};
  if (::fstatfs(d.fd(), &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) return std::nullopt;
  std::vector<int> fds;
  while (const dirent* e = d.next()) {
    int fd = std::atoi(e->d_name);
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd != d.fd()) fds.push_back(fd);
  }
  return fds;
}

int set_cloexec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) return errno == EBADF ? 0 : -1;  // not open: nothing to mark
  return (flags & FD_CLOEXEC) != 0 ? 0 : ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

int close_fds_except(int first, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  bool fallback = false;
  unsigned from = static_cast<unsigned>(first);
  auto close_upto = [&](unsigned last) {
    if (from <= last && !fallback && close_range(from, last, 0) != 0) fallback = true;
  };
  for (int k : keep) {
    if (k < first) continue;
    if (static_cast<unsigned>(k) > from) close_upto(static_cast<unsigned>(k) - 1);
    from = static_cast<unsigned>(k) + 1;
  }
  close_upto(~0U);
  if (!fallback) return 0;
  // close_range refused (an old kernel, or a seccomp policy we run under): close what is open.
  auto open_fds = fds_listed_by_procfs();
  if (!open_fds) return -1;
  for (int fd : *open_fds)
    if (fd >= first && !std::binary_search(keep.begin(), keep.end(), fd)) ::close(fd);
  return 0;
}

int mark_cloexec_from(int first) {
  if (close_range(static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
  if (auto open_fds = fds_listed_by_procfs()) {
    for (int fd : *open_fds)
      if (fd >= first && set_cloexec(fd) != 0) return -1;
    return 0;
  }
  // No usable /proc: every fd number the process may hold.
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  rlim_t limit = rl.rlim_cur == RLIM_INFINITY ? rlim_t{1} << 20 : rl.rlim_cur;
  for (rlim_t fd = static_cast<rlim_t>(first); fd < limit; fd++)
    if (set_cloexec(static_cast<int>(fd)) != 0) return -1;
  return 0;
}

int fsopen(const char* fstype, unsigned flags) {
  return static_cast<int>(::syscall(SYS_fsopen, fstype, flags));
}

int fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}

int fsmount(int fd, unsigned flags, unsigned attr_flags) {
  return static_cast<int>(::syscall(SYS_fsmount, fd, flags, attr_flags));
}

int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
               unsigned flags) {
  return static_cast<int>(
      ::syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

int open_tree(int dirfd, const char* path, unsigned flags) {
  return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
}

int mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr) {
  return static_cast<int>(
      ::syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(struct mount_attr)));
}

}  // namespace sandbox::sys
