#pragma once
// NOTIFY_SOCKET (sd_notify) for containers started by a systemd service of Type=notify, as runc
// does it: `create` gives the container a directory of its own from the state directory at
// /run/notify, with NOTIFY_SOCKET=/run/notify/notify.sock in its environment; `start` (or `run`)
// binds that socket before releasing the container and relays what the container sends to the
// caller's NOTIFY_SOCKET until READY=1 has gone through, with MAINPID set to the container's
// init (the process systemd should watch).
#include <sys/types.h>

#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::runtime {

// create: when the caller has NOTIFY_SOCKET set, makes <container dir>/notify and adds the
// mount and the environment entry to SPEC. CONTAINER_DIR is the directory's host path.
void prepare_notify_socket(oci::Spec& spec, int container_dirfd, const std::string& container_dir);

class NotifyRelay {
 public:
  // start/run: binds the container's socket when the container was created with one and the
  // caller has NOTIFY_SOCKET set; nullopt otherwise.
  static std::optional<NotifyRelay> open(int container_dirfd);

  int fd() const { return sock_.get(); }
  // Relays one datagram to the caller's socket; true once READY= has been relayed.
  bool relay_one(pid_t main_pid);
  // Relays until READY= has gone through or the process behind PIDFD exits.
  void relay_until_ready(pid_t main_pid, int pidfd);
  // Relays what is still queued (the container may send and exit before it is read).
  void relay_queued(pid_t main_pid);

 private:
  // Relays one queued datagram: nullopt when none was queued, else whether it said READY=.
  std::optional<bool> relay_next(pid_t main_pid);

  Fd sock_;
  Fd host_;
};

}  // namespace sandbox::runtime
