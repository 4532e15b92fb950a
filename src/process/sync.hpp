#pragma once
// The runtime and a process it starts (the container init, or the helper that joins a running
// container for `exec`) talk over a SOCK_SEQPACKET socketpair: one message per packet, so
// nothing needs framing, and a message may carry one fd (SCM_RIGHTS), e.g. a pty master. The
// socket is O_CLOEXEC in the child, so the runtime sees EOF exactly when the user program has
// been exec'd (or the child died).
#include <string>

#include "sys/fd.hpp"

namespace sandbox::process {

enum class SyncType : unsigned {
  MapsWritten = 1,  // runtime -> init: the uid/gid maps are in place
  Ready = 2,        // init -> runtime: set up, waiting for start
  Error = 3,        // child -> runtime: text is one line; err is the errno or 0
  Terminal = 4,     // child -> runtime: carries the pty master of the process's terminal
  Pid = 5,          // exec helper -> runtime: err is the host pid of the process it started
  RunHooks = 6,     // init -> runtime: mounts are in place; run prestart and createRuntime
  HooksDone = 7,    // runtime -> init: they ran; err is the init's host pid (for its hooks)
  // runtime -> init: state.json and the pid file are written; only now may the init wait for
  // `start`. Until then EOF (the runtime failed or was killed) makes the init exit, so a
  // create that did not finish never leaves an init behind.
  Committed = 8,
  // child -> runtime: carries the seccomp notification listener (SCMP_ACT_NOTIFY); the
  // runtime hands it to the agent at linux.seccomp.listenerPath right away.
  SeccompListener = 9,
};

struct SyncMessage {
  SyncType type{};
  int err = 0;
  std::string text;
  Fd fd;  // the fd that came with the message, if any
};

// All return false when the peer is gone. send never raises SIGPIPE.
bool sync_send(int sock, SyncType type, int err = 0, const std::string& text = {});
bool sync_send_fd(int sock, SyncType type, int fd_to_pass);
bool sync_recv(int sock, SyncMessage& out);

}  // namespace sandbox::process
