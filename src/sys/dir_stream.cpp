#include "sys/dir_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sandbox::sys {

DirStream DirStream::open(const std::string& path, int dirfd, int extra_flags) {
  int fd = ::openat(dirfd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | extra_flags);
  if (fd < 0) return DirStream();
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);  // fdopendir takes the fd only when it succeeds
    errno = err;
    return DirStream();
  }
  return DirStream(d);
}

const dirent* DirStream::next() noexcept {
  if (!dir_) return nullptr;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(dir_);
    if (e == nullptr) return nullptr;
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) return e;
  }
}

}  // namespace sandbox::sys
