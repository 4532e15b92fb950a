#include "sys/file_io.hpp"

#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace sandbox::sys {

std::string read_fd(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

std::string read_all(int fd, const std::string& what) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(what);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

std::string read_file_at(int dirfd, const std::string& path, int extra_flags) {
  Fd fd(::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | extra_flags));
  if (!fd) throw_errno("open " + path);
  return read_all(fd.get(), "read " + path);
}

std::string read_file(const std::string& path) {
  return read_file_at(AT_FDCWD, path);
}

int write_file_at(int dirfd, const std::string& path, const std::string& data) {
  Fd fd(::openat(dirfd, path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n < 0) return errno;
  if (static_cast<size_t>(n) != data.size()) return EIO;
  return 0;
}

int write_file(const std::string& path, const std::string& data) {
  return write_file_at(AT_FDCWD, path, data);
}

namespace {

// Writes all of DATA: a regular file may take less than asked (a signal, a full disk's last
// block), and the rest must follow or the error be known. Returns 0 or an errno.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

void write_file_atomic(int dirfd, const std::string& name, std::string_view data, mode_t mode,
                       const std::string& label) {
  const std::string tmp = "." + name + ".tmp";
  auto failed = [&](int err) {
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno(label.empty() ? "write " + name : label, err);
  };
  Fd fd(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  // Nothing to remove when the open failed: the temporary is not ours (ELOOP: a link) or is
  // not there.
  if (!fd) throw_errno(label.empty() ? "write " + name : label);
  if (int err = write_all(fd.get(), data)) failed(err);
  // close can report a delayed write error (NFS, quota): a file that did not land is an error.
  if (::close(fd.release()) != 0 && errno != EINTR) failed(errno);
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) failed(errno);
}

}  // namespace sandbox::sys
