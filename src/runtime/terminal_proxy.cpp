#include "runtime/terminal_proxy.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sandbox::runtime {
namespace {

constexpr size_t kReadChunk = 16384;

// Reads what FD has into BUF; -1 at its end or on an error (EIO on a master: no slave left),
// 0 when nothing is there now.
ssize_t read_some(int fd, std::string& buf) {
  char chunk[kReadChunk];
  ssize_t n = ::read(fd, chunk, sizeof(chunk));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
  if (n <= 0) return -1;
  buf.append(chunk, static_cast<size_t>(n));
  return n;
}

// Writes from BUF at OFF as much as FD takes now, at most LIMIT; false when FD is gone.
bool write_some(int fd, std::string& buf, size_t& off, size_t limit) {
  size_t len = std::min(buf.size() - off, limit);
  ssize_t w = ::write(fd, buf.data() + off, len);
  if (w < 0) return errno == EINTR || errno == EAGAIN;
  off += static_cast<size_t>(w);
  if (off == buf.size()) {
    buf.clear();
    off = 0;
  } else if (off > TerminalProxy::kBufferCap) {  // keep the buffer from growing with what was sent
    buf.erase(0, off);
    off = 0;
  }
  return true;
}

}  // namespace

TerminalProxy::TerminalProxy(int master, int in, int out) : master_(master), in_(in), out_(out) {
  // Ours alone (received from the init), so the flag touches no one else.
  int fl = ::fcntl(master_, F_GETFL);
  if (fl >= 0) ::fcntl(master_, F_SETFL, fl | O_NONBLOCK);
}

void TerminalProxy::add_poll_fds(pollfd* fds, nfds_t& n) {
  master_at_ = in_at_ = out_at_ = -1;
  if (master_ >= 0) {
    short ev = 0;
    if (to_out_.size() - out_off_ < kBufferCap) ev |= POLLIN;
    if (to_master_.size() > master_off_) ev |= POLLOUT;
    if (ev) {
      master_at_ = static_cast<int>(n);
      fds[n++] = {master_, ev, 0};
    }
  }
  if (in_open_ && master_ >= 0 && to_master_.size() - master_off_ < kBufferCap) {
    in_at_ = static_cast<int>(n);
    fds[n++] = {in_, POLLIN, 0};
  }
  if (out_open_ && to_out_.size() > out_off_) {
    out_at_ = static_cast<int>(n);
    fds[n++] = {out_, POLLOUT, 0};
  }
}

void TerminalProxy::on_poll(const pollfd* fds) {
  if (master_at_ >= 0) {
    short re = fds[master_at_].revents;
    if (re & (POLLIN | POLLHUP | POLLERR)) read_master();
    if (master_ >= 0 && (re & POLLOUT)) write_master();
  }
  if (in_at_ >= 0 && fds[in_at_].revents) read_in();
  if (out_at_ >= 0 && fds[out_at_].revents) write_out();
}

void TerminalProxy::read_master() {
  if (read_some(master_, to_out_) < 0) {
    master_ = -1;  // every slave is closed; input for it has nowhere to go
    to_master_.clear();
    master_off_ = 0;
  }
  if (!out_open_) to_out_.clear(), out_off_ = 0;  // our stdout is gone: keep the container going
}

void TerminalProxy::write_out() {
  if (!write_some(out_, to_out_, out_off_, PIPE_BUF)) {
    out_open_ = false;
    to_out_.clear();
    out_off_ = 0;
  }
}

void TerminalProxy::read_in() {
  if (read_some(in_, to_master_) < 0) in_open_ = false;
}

void TerminalProxy::write_master() {
  if (!write_some(master_, to_master_, master_off_, to_master_.size())) {
    to_master_.clear();
    master_off_ = 0;
  }
}

void TerminalProxy::finish() {
  if (master_ >= 0) {
    while (read_some(master_, to_out_) > 0) {
    }
  }
  while (out_open_ && to_out_.size() > out_off_) {
    pollfd p{out_, POLLOUT, 0};
    if (::poll(&p, 1, -1) < 0 && errno != EINTR) break;
    write_out();
  }
}

}  // namespace sandbox::runtime
