#include "runtime/console_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "linux/pty.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/fd_passing.hpp"

namespace sandbox::runtime {

void check_terminal_flags(bool terminal, bool detached, const std::string& console_socket) {
  if (terminal && detached && console_socket.empty())
    fail("cannot allocate tty if sandbox will detach without setting console socket");
  if (!console_socket.empty() && (!terminal || !detached))
    fail("cannot use console socket if sandbox will not detach or allocate tty");
}

void send_to_console_socket(const std::string& path, int master) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    fail("--console-socket {}: path too long for a unix socket", path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("--console-socket: socket");
  int r;
  do {
    r = ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } while (r != 0 && errno == EINTR);
  if (r != 0) throw_errno("--console-socket: connect " + path);

  std::string name = linux_::pty_name(master);
  long n = sys::send_with_fd(sock.get(), name.data(), name.size(), master);
  if (n < 0) throw_errno("--console-socket: send the terminal to " + path);
}

}  // namespace sandbox::runtime
