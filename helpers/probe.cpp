// sandbox-probe: a small static program for the tests, usable on the host and inside a busybox
// container (it needs no libraries):
//
//   sandbox-probe recvtty [--no-io] [--input TEXT] SOCKET
//       The receiving end of --console-socket. Listens on SOCKET, accepts one connection, checks
//       that exactly one fd came (SCM_RIGHTS), that it is a terminal, and that the payload has
//       at least one byte; reports the payload on stderr. Then, unless --no-io, writes TEXT to
//       the pty master and copies what the container writes to stdout until its side closes.
//   sandbox-probe notify-listen SOCKET
//       Binds a datagram socket (what NOTIFY_SOCKET names) and prints each message it gets, one
//       per line, until one holds READY=1.
//   sandbox-probe notify-send MESSAGE
//       Sends MESSAGE to $NOTIFY_SOCKET, as sd_notify(3) does.
//   sandbox-probe fds
//       Prints the numbers of the fds this process has open, space-separated.
//   sandbox-probe syscall NAME
//       Makes one raw syscall (clone3, faccessat2, getppid, close_range; harmless arguments)
//       and prints "ok" or the errno's name (EPERM, ENOSYS, ...): what a seccomp profile does
//       to it, with no C library fallback in between.
//   sandbox-probe seccomp-agent SOCKET ERRNO
//       A seccomp agent (the runtime spec's listener protocol): listens on SOCKET; for each
//       connection prints the payload (the container process state) on one line, prefixed with
//       "state " and followed by " fds=N" (the number of fds that came with it); then answers
//       every notification on each fd it got: ERRNO as the syscall's error, or, when ERRNO is
//       0, lets the syscall go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Prints "notify PID NR"
//       for each. Runs until killed.
#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int die(const char* what) {
  std::fprintf(stderr, "sandbox-probe: %s: %s\n", what, std::strerror(errno));
  return 1;
}

int bad(const char* what) {
  std::fprintf(stderr, "sandbox-probe: %s\n", what);
  return 1;
}

bool address(const std::string& path, sockaddr_un& addr, socklen_t& len) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  return true;
}

int recvtty(const std::vector<std::string>& args) {
  bool io = true;
  std::string input, path;
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i] == "--no-io") {
      io = false;
    } else if (args[i] == "--input" && i + 1 < args.size()) {
      input = args[++i];
    } else if (path.empty()) {
      path = args[i];
    } else {
      return bad("usage: sandbox-probe recvtty [--no-io] [--input TEXT] SOCKET");
    }
  }
  sockaddr_un addr;
  socklen_t len;
  if (!address(path, addr, len)) return bad("bad socket path");
  int ls = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::unlink(path.c_str());
  if (ls < 0 || ::bind(ls, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(ls, 1) != 0)
    return die("listen");
  int conn = ::accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return die("accept");

  char payload[4096];
  iovec iov{payload, sizeof(payload)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return die("recvmsg");
  if (n < 1) return bad("no payload (at least one byte is required)");
  int fds = 0, master = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return bad("unexpected cmsg");
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    fds += static_cast<int>(count);
    if (count > 0) std::memcpy(&master, CMSG_DATA(c), sizeof(int));
  }
  if (fds != 1) return bad("expected exactly one fd");
  if (!::isatty(master)) return bad("the fd is not a terminal");
  char extra;  // the sender closes after its one message
  if (::recv(conn, &extra, 1, 0) != 0) return bad("data after the fd message");
  std::fprintf(stderr, "sandbox-probe: payload %.*s\n", static_cast<int>(n), payload);
  if (!io) return 0;

  if (!input.empty() && ::write(master, input.data(), input.size()) < 0) return die("write");
  char buf[4096];
  for (;;) {
    ssize_t r = ::read(master, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // EIO: no process holds the container's side any more
    if (::write(STDOUT_FILENO, buf, static_cast<size_t>(r)) < 0) return die("write stdout");
  }
  return 0;
}

int notify_listen(const std::string& path) {
  sockaddr_un addr;
  socklen_t len;
  if (!address(path, addr, len)) return bad("bad socket path");
  int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (path[0] != '@') ::unlink(path.c_str());
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&addr), len) != 0) return die("bind");
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(s, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return die("recv");
    std::string m(buf, static_cast<size_t>(n));
    for (char& c : m)
      if (c == '\n') c = ' ';
    std::printf("%s\n", m.c_str());
    std::fflush(stdout);
    if (std::string(buf, static_cast<size_t>(n)).find("READY=1") != std::string::npos) return 0;
  }
}

int notify_send(const std::string& message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr) return bad("NOTIFY_SOCKET is not set");
  sockaddr_un addr;
  socklen_t len;
  if (!address(path, addr, len)) return bad("bad NOTIFY_SOCKET");
  int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 ||
      ::sendto(s, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), len) < 0)
    return die("send");
  return 0;
}

int list_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return die("/proc/self/fd");
  std::string out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' || std::atoi(e->d_name) == ::dirfd(d)) continue;
    out += (out.empty() ? "" : " ") + std::string(e->d_name);
  }
  std::printf("%s\n", out.c_str());
  return 0;
}

// Only the names the tests ask about; the arguments make each call do nothing harmful
// (clone3 with a null argument fails EFAULT/EINVAL when the filter lets it through).
int raw_syscall(const std::string& name) {
  long rc;
  if (name == "clone3")
    rc = ::syscall(SYS_clone3, nullptr, 0);
  else if (name == "faccessat2")
    rc = ::syscall(SYS_faccessat2, AT_FDCWD, "/", F_OK, 0);
  else if (name == "getppid")
    rc = ::syscall(SYS_getppid);
  else if (name == "close_range")
    rc = ::syscall(SYS_close_range, 1000, 1000, 0);
  else
    return bad("syscall: unknown name");
  if (rc != -1) {
    std::printf("ok\n");
    return 0;
  }
  const char* errno_name = strerrorname_np(errno);
  std::printf("%s\n", errno_name ? errno_name : std::to_string(errno).c_str());
  return 0;
}

// One connection of the listener protocol: the payload and the fds that came with it.
int receive_state(int listener, std::vector<int>& notify_fds) {
  int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return die("accept");
  char buf[65536];
  iovec iov{buf, sizeof(buf) - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  ::close(conn);
  if (n < 0) return die("recvmsg");
  buf[n] = '\0';
  int count = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < fds; i++) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      notify_fds.push_back(fd);
      count++;
    }
  }
  std::printf("state %s fds=%d\n", buf, count);
  std::fflush(stdout);
  return 0;
}

// Receives one notification on FD and answers it; false when the filter is gone (every
// process under it exited).
bool answer(int fd, int err) {
  seccomp_notif req{};
  if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return errno == EINTR || errno == ENOENT;
  seccomp_notif_resp resp{};
  resp.id = req.id;
  if (err == 0) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp.error = -err;
  }
  std::printf("notify %u %d\n", req.pid, req.data.nr);
  std::fflush(stdout);
  // ENOENT: the process was killed meanwhile; nothing to answer.
  if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT) return false;
  return true;
}

int seccomp_agent(const std::string& path, int err) {
  sockaddr_un addr;
  socklen_t len;
  if (!address(path, addr, len)) return bad("seccomp-agent: bad socket path");
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return die("socket");
  ::unlink(path.c_str());
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0) return die("bind");
  if (::listen(listener, 16) != 0) return die("listen");
  std::vector<int> notify_fds;
  for (;;) {
    std::vector<pollfd> fds{{listener, POLLIN, 0}};
    for (int fd : notify_fds) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return die("poll");
    }
    if (fds[0].revents & POLLIN) receive_state(listener, notify_fds);
    for (size_t i = 1; i < fds.size(); i++) {
      bool keep = true;
      if (fds[i].revents & POLLIN) keep = answer(fds[i].fd, err);
      if (fds[i].revents & (POLLHUP | POLLERR)) keep = false;
      if (!keep) {
        ::close(fds[i].fd);
        notify_fds.erase(std::find(notify_fds.begin(), notify_fds.end(), fds[i].fd));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string cmd = args.empty() ? "" : args[0];
  std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (cmd == "recvtty") return recvtty(rest);
  if (cmd == "notify-listen" && rest.size() == 1) return notify_listen(rest[0]);
  if (cmd == "notify-send" && rest.size() == 1) return notify_send(rest[0]);
  if (cmd == "fds") return list_fds();
  if (cmd == "syscall" && rest.size() == 1) return raw_syscall(rest[0]);
  if (cmd == "seccomp-agent" && rest.size() == 2)
    return seccomp_agent(rest[0], std::atoi(rest[1].c_str()));
  return bad(
      "usage: sandbox-probe recvtty|notify-listen|notify-send|fds|syscall|seccomp-agent ...");
}
