#include "process/sync.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "sys/fd_passing.hpp"

namespace sandbox::process {
namespace {

struct Header {
  unsigned type;
  int err;
};
constexpr size_t kMaxText = 4000;

bool send_packet(int sock, const Header& h, const std::string& text, int fd_to_pass) {
  char buf[sizeof(Header) + kMaxText];
  std::memcpy(buf, &h, sizeof(h));
  size_t n = std::min(text.size(), kMaxText);
  std::memcpy(buf + sizeof(h), text.data(), n);
  return sys::send_with_fd(sock, buf, sizeof(h) + n, fd_to_pass) >= 0;
}

}  // namespace

bool sync_send(int sock, SyncType type, int err, const std::string& text) {
  return send_packet(sock, Header{static_cast<unsigned>(type), err}, text, -1);
}

bool sync_send_fd(int sock, SyncType type, int fd_to_pass) {
  return send_packet(sock, Header{static_cast<unsigned>(type), 0}, {}, fd_to_pass);
}

bool sync_recv(int sock, SyncMessage& out) {
  char buf[sizeof(Header) + kMaxText];
  iovec iov{buf, sizeof(buf)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t r;
  do {
    r = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (r < 0 && errno == EINTR);
  out.fd.reset();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int))) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      out.fd.reset(fd);
    }
  }
  if (r < static_cast<ssize_t>(sizeof(Header))) return false;
  Header h{};
  std::memcpy(&h, buf, sizeof(h));
  out.type = static_cast<SyncType>(h.type);
  out.err = h.err;
  out.text.assign(buf + sizeof(h), static_cast<size_t>(r) - sizeof(h));
  return true;
}

}  // namespace sandbox::process
