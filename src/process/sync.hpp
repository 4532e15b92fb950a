#pragma once
// The runtime and the container init talk over a SOCK_SEQPACKET socketpair: one message per
// packet, so nothing needs framing. The init reports "ready" or an error; the runtime tells it
// when the id maps are written. The socket is O_CLOEXEC in the init, so the runtime sees EOF
// exactly when the user process has been exec'd.
#include <string>

namespace sandbox::process {

enum class SyncType : unsigned {
  MapsWritten = 1,  // runtime -> init: the uid/gid maps are in place
  Ready = 2,        // init -> runtime: set up, waiting for start
  Error = 3,        // init -> runtime: text is one line; err is the errno or 0
};

struct SyncMessage {
  SyncType type{};
  int err = 0;
  std::string text;
};

// Both return false when the peer is gone. send never raises SIGPIPE.
bool sync_send(int fd, SyncType type, int err = 0, const std::string& text = {});
bool sync_recv(int fd, SyncMessage& out);

}  // namespace sandbox::process
