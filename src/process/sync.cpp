#include "process/sync.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sandbox::process {
namespace {

struct Header {
  unsigned type;
  int err;
};
constexpr size_t kMaxText = 4000;

}  // namespace

bool sync_send(int fd, SyncType type, int err, const std::string& text) {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<unsigned>(type), err};
  std::memcpy(buf, &h, sizeof(h));
  size_t n = std::min(text.size(), kMaxText);
  std::memcpy(buf + sizeof(h), text.data(), n);
  ssize_t r;
  do {
    r = ::send(fd, buf, sizeof(h) + n, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  return r >= 0;
}

bool sync_recv(int fd, SyncMessage& out) {
  char buf[sizeof(Header) + kMaxText];
  ssize_t r;
  do {
    r = ::recv(fd, buf, sizeof(buf), 0);
  } while (r < 0 && errno == EINTR);
  if (r < static_cast<ssize_t>(sizeof(Header))) return false;
  Header h{};
  std::memcpy(&h, buf, sizeof(h));
  out.type = static_cast<SyncType>(h.type);
  out.err = h.err;
  out.text.assign(buf + sizeof(h), static_cast<size_t>(r) - sizeof(h));
  return true;
}

}  // namespace sandbox::process
