#include <fcntl.h>
#include <unistd.h>

#include "runtime/operations.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {

void write_pid_file(const std::string& path, pid_t pid) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + (dir.back() == '/' ? "" : "/") + "." + base;
  std::string text = std::to_string(pid);
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw_errno("pid file " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ::unlink(tmp.c_str());
    throw_errno("pid file " + path);
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("pid file " + path, err);
  }
}

}  // namespace sandbox::runtime
