#include "linux/pty.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sys/error.hpp"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace sandbox::linux_ {

Pty open_pty() {
  Fd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw_errno("process.terminal: open /dev/pts/ptmx");
  return pty_from_master(std::move(master));
}

Pty pty_from_master(Fd master) {
  Pty p;
  p.master = std::move(master);
  int unlock = 0;
  if (::ioctl(p.master.get(), TIOCSPTLCK, &unlock) != 0)
    throw_errno("process.terminal: unlock pty");
  p.slave.reset(::ioctl(p.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!p.slave) throw_errno("process.terminal: open pty slave");
  return p;
}

void attach_terminal(int slave) {
  if (::ioctl(slave, TIOCSCTTY, 0) != 0) throw_errno("process.terminal: make controlling tty");
  for (int fd = 0; fd <= 2; fd++)
    if (::dup2(slave, fd) < 0) throw_errno("process.terminal: dup2");
}

std::string pty_name(int master) {
  unsigned n = 0;
  if (::ioctl(master, TIOCGPTN, &n) != 0) return "/dev/pts/ptmx";
  return "/dev/pts/" + std::to_string(n);
}

bool get_window_size(int fd, unsigned& rows, unsigned& cols) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return false;
  rows = ws.ws_row;
  cols = ws.ws_col;
  return true;
}

void set_window_size(int fd, unsigned rows, unsigned cols) {
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  ::ioctl(fd, TIOCSWINSZ, &ws);
}

}  // namespace sandbox::linux_
