#pragma once
// Thin wrappers for the syscalls glibc 2.36 lacks or wraps awkwardly: clone3, openat2, pidfds,
// the new mount API, pivot_root, close_range. They return -1 and set errno like libc does.
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace sandbox::sys {

struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
  uint64_t set_tid = 0;
  uint64_t set_tid_size = 0;
  uint64_t cgroup = 0;
};

// fork-like clone3: returns 0 in the child, the child's pid in the parent.
pid_t clone3(CloneArgs& args);
int openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode, uint64_t resolve);
int pidfd_open(pid_t pid, unsigned flags = 0);
int pidfd_send_signal(int pidfd, int sig);
int pivot_root(const char* new_root, const char* put_old);
int close_range(unsigned first, unsigned last, unsigned flags);
// Closes every fd from FIRST up except those in KEEP (close_range, falling back to closing what
// /proc/self/fd lists where close_range is refused). Returns 0, or -1 with errno set.
int close_fds_except(int first, std::vector<int> keep);
// Marks every fd from FIRST up close-on-exec: close_range(CLOSE_RANGE_CLOEXEC), falling back
// (an old kernel, a seccomp policy we run under) to fcntl on each fd /proc/self/fd lists, or,
// where /proc is not procfs, on every fd below the RLIMIT_NOFILE limit. Returns 0, or -1 with
// errno set.
int mark_cloexec_from(int first);

int fsopen(const char* fstype, unsigned flags);
int fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux);
int fsmount(int fd, unsigned flags, unsigned attr_flags);
int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
               unsigned flags);
int open_tree(int dirfd, const char* path, unsigned flags);
int mount_setattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr);

}  // namespace sandbox::sys
