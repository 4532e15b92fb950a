#include "runtime/signal_processes.hpp"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "runtime/container_processes.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::runtime {

bool signal_init(pid_t pid, uint64_t start_time, int sig) {
  Fd fd = sys::open_process(pid, start_time);
  if (!fd) return false;
  if (sys::pidfd_send_signal(fd.get(), sig) != 0) {
    if (errno == ESRCH) return false;
    throw_errno("send signal " + std::to_string(sig));
  }
  return true;
}

void signal_all(pid_t pid, uint64_t start_time, int sig) {
  // Stop the init first so that it cannot start new processes while we walk /proc.
  if (!signal_init(pid, start_time, SIGSTOP)) return;
  for (pid_t p : container_processes(pid, start_time))
    if (p != pid) ::kill(p, sig);
  signal_init(pid, start_time, sig);
  if (sig != SIGKILL && sig != SIGSTOP) signal_init(pid, start_time, SIGCONT);
}

bool wait_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  Fd fd = sys::open_process(pid, start_time);
  if (!fd) return true;
  pollfd p{fd.get(), POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace sandbox::runtime
