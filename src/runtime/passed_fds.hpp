#pragma once
// The fds beyond stdio that reach a container's process, and nothing else: systemd socket
// activation (LISTEN_FDS, when LISTEN_PID names us), then --preserve-fds N more, all at the
// numbers they have in the runtime (3, 4, ...), as runc passes them.
#include <string>
#include <vector>

namespace sandbox::runtime {

// n from LISTEN_FDS=n when LISTEN_PID is our pid; 0 otherwise.
int socket_activation_fds();

// Checks that fds 3 .. 3+listen+preserve-1 are open; returns how many there are.
int check_passed_fds(int listen, int preserve);

// LISTEN_FDS=n and LISTEN_PID=1 (the process is pid 1 of its namespace, or at least not us)
// replace whatever ENV had, when n > 0.
void set_listen_env(std::vector<std::string>& env, int listen);

}  // namespace sandbox::runtime
