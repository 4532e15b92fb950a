#include <fcntl.h>

#include "runtime/operations.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace sandbox::runtime {

void write_pid_file(const std::string& path, pid_t pid) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string what = "pid file " + path;
  Fd dirfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) throw_errno(what);
  sys::write_file_atomic(dirfd.get(), base, std::to_string(pid), 0644, what);
}

}  // namespace sandbox::runtime
