#include "runtime/signal_processes.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::runtime {
namespace {

// The pidfd is opened first and the start time checked after, so the pidfd is known to name
// the init and not a process that got its pid later.
Fd open_init(pid_t pid, uint64_t start_time) {
  Fd fd(sys::pidfd_open(pid));
  if (!fd) return fd;
  if (!sys::process_is(pid, start_time)) return Fd();
  return fd;
}

bool pid_namespace_inode(pid_t pid, ino_t& ino) {
  struct stat st {};
  std::string p = "/proc/" + std::to_string(pid) + "/ns/pid";
  if (::stat(p.c_str(), &st) != 0) return false;
  ino = st.st_ino;
  return true;
}

}  // namespace

bool signal_init(pid_t pid, uint64_t start_time, int sig) {
  Fd fd = open_init(pid, start_time);
  if (!fd) return false;
  if (sys::pidfd_send_signal(fd.get(), sig) != 0) {
    if (errno == ESRCH) return false;
    throw_errno("send signal " + std::to_string(sig));
  }
  return true;
}

void signal_all(pid_t pid, uint64_t start_time, int sig) {
  ino_t container_ns = 0, own_ns = 0;
  bool own_pidns = pid_namespace_inode(pid, container_ns) &&
                   pid_namespace_inode(::getpid(), own_ns) && container_ns != own_ns;
  if (!own_pidns) {
    signal_init(pid, start_time, sig);
    return;
  }
  // Stop the init first so that it cannot start new processes while we walk /proc.
  signal_init(pid, start_time, SIGSTOP);
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
      ino_t ns = 0;
      if (p <= 0 || p == pid || !pid_namespace_inode(p, ns) || ns != container_ns) continue;
      ::kill(p, sig);
    }
    ::closedir(d);
  }
  signal_init(pid, start_time, sig);
  if (sig != SIGKILL && sig != SIGSTOP) signal_init(pid, start_time, SIGCONT);
}

bool wait_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  Fd fd = open_init(pid, start_time);
  if (!fd) return true;
  pollfd p{fd.get(), POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace sandbox::runtime
