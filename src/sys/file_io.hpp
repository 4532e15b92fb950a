#pragma once
// The one way to read a file whole and the one way to replace one: every read of a small
// file (/proc, cgroup files, config.json, state.json) and every write that must never be seen
// half done (state.json, the pid file) goes through here, so short reads, short writes, EINTR
// and the errno in the error are handled once.
#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <string_view>

namespace sandbox::sys {

// Reads FD to its end; stops quietly at an error (callers read pipes whose writer may vanish).
std::string read_fd(int fd);

// Reads FD from its current offset to its end; a read error throws sandbox::Error "WHAT: ..."
// with the errno (EINTR retried).
std::string read_all(int fd, const std::string& what);

// Reads PATH whole, relative to DIRFD (AT_FDCWD: the working directory), opened
// O_RDONLY | O_CLOEXEC | EXTRA_FLAGS (O_NOFOLLOW, for a file whose last component must not be
// a link). Throws sandbox::Error "open PATH: ..." or "read PATH: ..." with the errno.
std::string read_file_at(int dirfd, const std::string& path, int extra_flags = 0);
std::string read_file(const std::string& path);

// Writes DATA into an existing file (no O_CREAT: /proc and cgroup files); returns 0 or an errno.
int write_file(const std::string& path, const std::string& data);
int write_file_at(int dirfd, const std::string& path, const std::string& data);

// Replaces DIRFD/NAME with DATA so that a reader sees the old contents or the new, never half:
// a temporary ".NAME.tmp" in the same directory (O_NOFOLLOW, MODE less the umask), written whole
// (short writes and EINTR retried), then renamed over NAME. No fsync: what the runtime writes this
// way describes processes, which do not survive a crash either. On failure the temporary is removed
// and a sandbox::Error "LABEL: strerror" carries the errno (ENOSPC, ...); LABEL defaults to
// "write NAME".
void write_file_atomic(int dirfd, const std::string& name, std::string_view data,
                       mode_t mode = 0600, const std::string& label = {});

}  // namespace sandbox::sys
