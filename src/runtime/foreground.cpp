#include "runtime/foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <optional>

#include "linux/pty.hpp"
#include "runtime/terminal_proxy.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::runtime {
namespace {

// Faults stay ours (they mean a bug here), SIGKILL/SIGSTOP cannot be caught, and SIGPIPE is
// what our own writes to a closed stdout raise.
bool stays_ours(int sig) {
  switch (sig) {
    case SIGKILL:
    case SIGSTOP:
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP:
    case SIGSYS:
    case SIGPIPE:
      return true;
    default:
      return false;
  }
}

// Raw mode on the caller's terminal for as long as the proxy runs; the old settings come back
// however we leave.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) {
    if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) fd_ = fd;
  }
  ~RawTerminal() {
    if (fd_ >= 0) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_ = -1;
  termios saved_{};
};

void copy_window_size(int from, int to) {
  unsigned rows = 0, cols = 0;
  if (linux_::get_window_size(from, rows, cols)) linux_::set_window_size(to, rows, cols);
}

}  // namespace

SignalGate::SignalGate() {
  sigset_t set;
  sigfillset(&set);
  for (int sig = 1; sig < NSIG; sig++)
    if (stays_ours(sig)) sigdelset(&set, sig);
  ::signal(SIGPIPE, SIG_IGN);
  ::sigprocmask(SIG_BLOCK, &set, &old_);
  fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) throw_errno("signalfd");
}

SignalGate::~SignalGate() {
  ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

void inherit_terminal_size(oci::Process& p) {
  if (!p.terminal || p.console_size) return;
  unsigned rows = 0, cols = 0;
  if (!linux_::get_window_size(STDIN_FILENO, rows, cols) || rows == 0 || cols == 0) return;
  p.console_size = oci::ConsoleSize{rows, cols};
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

int supervise(const SignalGate& gate, ForegroundProcess& p) {
  int master = p.terminal.get();
  std::optional<RawTerminal> raw;
  std::optional<TerminalProxy> proxy;
  if (master >= 0) {
    raw.emplace(STDIN_FILENO);
    copy_window_size(STDIN_FILENO, master);
    proxy.emplace(master, STDIN_FILENO, STDOUT_FILENO);
  }
  std::optional<int> code;
  // Reaps every child that has exited (orphans reach us as a subreaper); notes ours.
  auto reap = [&] {
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(-1, &status, WNOHANG);
      if (r <= 0) break;
      if (r == p.pid) code = exit_code_of(status);
    }
  };
  reap();
  while (!code) {
    pollfd fds[5];
    nfds_t n = 0;
    fds[n++] = {gate.fd(), POLLIN, 0};
    int extra_at = -1;
    if (p.extra_fd >= 0) {
      extra_at = static_cast<int>(n);
      fds[n++] = {p.extra_fd, POLLIN, 0};
    }
    if (proxy) proxy->add_poll_fds(fds, n);
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      while (::read(gate.fd(), &si, sizeof(si)) == sizeof(si)) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) continue;
        if (sig == SIGWINCH && master >= 0) {
          copy_window_size(STDIN_FILENO, master);
          continue;
        }
        log::debug("forwarding signal {} to {}", sig, p.pid);
        sys::pidfd_send_signal(p.pidfd, sig);
      }
      reap();
    }
    if (proxy) proxy->on_poll(fds);
    if (extra_at >= 0 && fds[extra_at].revents) {
      if (!p.on_extra()) p.extra_fd = -1;
    }
  }
  // What the process wrote just before it exited is still in the pty.
  if (proxy) proxy->finish();
  return *code;
}

}  // namespace sandbox::runtime
