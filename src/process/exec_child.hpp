#pragma once
// `exec`: a new process inside a running container. The runtime cannot enter the container's
// namespaces itself (it must come back out), and a pid namespace only applies to children, so
// the runtime forks a helper that joins the container's namespaces through the init's pidfd
// (one setns call: the kernel enters the user namespace first, so rootless works) and takes
// the init's root; the helper then forks the process with CLONE_PARENT, which makes it the
// runtime's own child (to wait for and signal), inside the container's pid namespace. The
// helper reports the process's pid and exits; the process sets itself up like the init
// (process/user_process) and execs. Errors come back over the sync socket.
#include <sys/types.h>

#include <functional>
#include <optional>
#include <vector>

#include "linux/seccomp.hpp"
#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::process {

struct ExecPlan {
  pid_t init_pid = 0;
  int init_pidfd = -1;
  unsigned join_flags = 0;  // CLONE_NEW* of the init's namespaces that differ from ours
  int root_fd = -1;         // the init's root directory (/proc/PID/root), an O_PATH fd
  const oci::Process* process = nullptr;
  bool setgroups_denied = false;
  const linux_::SeccompProgram* seccomp = nullptr;
  int kept_fds = 0;
  // Puts the helper (and so the process it forks) in the container's cgroups before it does
  // anything; the helper waits for it.
  std::function<void(pid_t helper)> place_helper;
  // Called with the process's host pid and its seccomp listener when the filter notifies:
  // hands the listener to the agent; throws when that fails.
  std::function<void(pid_t pid, int listener)> seccomp_listener;
};

struct ExecSpawned {
  pid_t pid = 0;
  Fd pidfd;
  Fd terminal;  // the pty master, when process.terminal is true
};

// Starts the process and returns once it has exec'd the program. On failure nothing is left
// running and the error from inside the container is thrown.
ExecSpawned spawn_exec(const ExecPlan& plan);

}  // namespace sandbox::process
