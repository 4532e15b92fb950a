#pragma once
// The foreground terminal's byte copy: the pty master to our stdout, our stdin to the master.
// It never blocks on one direction: the master is non-blocking, each direction has its own
// buffer, a write waits for POLLOUT only while its buffer holds data, and a side is read only
// while its buffer is below a cap. So input the container never reads is buffered up to the
// cap and then reading stdin pauses, while its output keeps flowing (issue 14: 3 MB piped into
// a container that does not read stdin used to deadlock the runtime in write() to the master).
//
// The caller's stdin and stdout are not made non-blocking: that flag lives in the open file
// description, which the caller's shell shares, and would stay set if we were killed. Instead
// they are read only after POLLIN and written after POLLOUT in pieces of at most PIPE_BUF,
// which a pipe reporting POLLOUT always takes without blocking.
#include <poll.h>

#include <string>

namespace sandbox::runtime {

class TerminalProxy {
 public:
  // Input buffered for a container that does not read it, and output not yet taken by our
  // stdout, before reading that side pauses.
  static constexpr size_t kBufferCap = 1 << 20;

  TerminalProxy(int master, int in, int out);

  // Adds the fds it is waiting on to FDS (room for 3); call on_poll with the same array after
  // poll returns.
  void add_poll_fds(pollfd* fds, nfds_t& n);
  void on_poll(const pollfd* fds);
  // Whether the master still has a slave (EOF/EIO not yet seen).
  bool master_open() const { return master_ >= 0; }
  // After the process exited: what it wrote last is taken from the master and everything is
  // written out (blocking, there is nothing left to do).
  void finish();

 private:
  void read_master();
  void write_out();
  void read_in();
  void write_master();

  int master_, in_, out_;
  bool in_open_ = true, out_open_ = true;
  std::string to_out_, to_master_;  // pending bytes; the front is written first
  size_t out_off_ = 0, master_off_ = 0;
  int master_at_ = -1, in_at_ = -1, out_at_ = -1;
};

}  // namespace sandbox::runtime
