#pragma once
// An owned directory stream (DIR*): closed on every path out, exceptions included, so a
// directory walk that throws halfway leaks neither the DIR nor its fd.
#include <dirent.h>
#include <fcntl.h>

#include <string>
#include <utility>

namespace sandbox::sys {

class DirStream {
 public:
  // PATH (relative to DIRFD) opened O_RDONLY | O_DIRECTORY | O_CLOEXEC | EXTRA_FLAGS. On
  // failure the stream is invalid and errno says why.
  static DirStream open(const std::string& path, int dirfd = AT_FDCWD, int extra_flags = 0);
  // A stream over the directory DIRFD names, with its own fd and offset (DIRFD itself is
  // neither consumed nor moved; an O_PATH fd works too).
  static DirStream reopen(int dirfd) { return open(".", dirfd); }

  DirStream() = default;
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  DirStream(DirStream&& o) noexcept : dir_(std::exchange(o.dir_, nullptr)) {}
  DirStream& operator=(DirStream&& o) noexcept {
    if (this != &o) {
      close();
      dir_ = std::exchange(o.dir_, nullptr);
    }
    return *this;
  }
  ~DirStream() { close(); }

  bool valid() const noexcept { return dir_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  // The stream's own fd (for fstatfs, *at calls); -1 when invalid.
  int fd() const noexcept { return dir_ ? ::dirfd(dir_) : -1; }
  // The next entry, "." and ".." skipped; nullptr at the end (or at a read error: errno set).
  const dirent* next() noexcept;

 private:
  explicit DirStream(DIR* d) noexcept : dir_(d) {}
  void close() noexcept {
    if (dir_) ::closedir(std::exchange(dir_, nullptr));
  }
  DIR* dir_ = nullptr;
};

}  // namespace sandbox::sys
