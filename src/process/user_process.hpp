#pragma once
// The last steps before a container process becomes the user's program, shared by the container
// init and by `exec`: limits, identity, capabilities, no_new_privs, seccomp, working directory,
// environment, and the execve itself with only the fds the caller asked to keep.
#include <optional>
#include <string>
#include <vector>

#include "linux/seccomp.hpp"
#include "oci/spec.hpp"

namespace sandbox::process {

struct UserProcess {
  const oci::Process* process = nullptr;
  bool setgroups_denied = false;  // a single-id map: setgroups(2) is denied in the namespace
  const linux_::SeccompProgram* seccomp = nullptr;
  int kept_fds = 0;  // fds 3 .. 3+kept_fds-1 stay open across execve (LISTEN_FDS, --preserve-fds)
  int sync_fd = -1;  // where a notifying filter's listener fd goes (SyncType::SeccompListener)
};

struct PreparedProgram {
  std::string path;  // the resolved executable
  std::vector<std::string> env;
  bool seccomp_at_exec = false;  // the filter waits until just before execve
};

// Applies rlimits, umask, the user and groups, capabilities and no_new_privs, then changes to
// process.cwd and resolves the program. seccomp goes in here, early, when neither
// no_new_privs nor CAP_SYS_ADMIN would allow it at the end; a notifying filter goes in here
// at the latest (at the end), so that its listener reaches the runtime, and through it the
// agent, while the runtime is still there. Throws sandbox::Error.
PreparedProgram become_user(const UserProcess& u);

// Loads a late seccomp filter, marks every fd above the kept ones close-on-exec, and execs.
// Throws only when execve fails.
[[noreturn]] void exec_program(const UserProcess& u, const PreparedProgram& p);

// Default handlers and an empty mask: the runtime's signal set-up must not reach the process.
void reset_signals();

// stdio that is not /dev/null is given to the process's uid (as runc does), so a process that
// drops root can still reopen /dev/stdout or its terminal. Failures are ignored: an fd whose
// owner is not mapped simply stays as it is.
void give_stdio_to(uid_t uid);

}  // namespace sandbox::process
