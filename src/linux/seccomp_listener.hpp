#pragma once
// The runtime's half of the runtime spec's seccomp listener protocol (config-linux.md,
// "seccomp"; runtime.md, "The Container Process State"): the listener fd of a filter with
// SCMP_ACT_NOTIFY goes to the agent at linux.seccomp.listenerPath, in one message over a
// UNIX stream socket whose payload is the container process state and whose SCM_RIGHTS
// carries the fd. The same message runc and crun send, so their agents work unchanged.
#include <sys/types.h>

#include <map>
#include <string>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

// The OCI state of the container at the moment the fd is sent.
struct ListenerState {
  std::string oci_version;
  std::string id;
  std::string status;  // "creating" for the init, "running" for an exec'd process
  pid_t init_pid = 0;
  std::string bundle;
  std::map<std::string, std::string> annotations;
};

// The payload: {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state": {...}}.
std::string container_process_state(const oci::Seccomp& s, pid_t pid, const ListenerState& st);

// Connects to s.listener_path and sends the payload with LISTENER. Throws sandbox::Error
// ("seccomp: listenerPath ...: ...") when the agent cannot be reached.
void send_to_seccomp_agent(const oci::Seccomp& s, pid_t pid, const ListenerState& st, int listener);

}  // namespace sandbox::linux_
