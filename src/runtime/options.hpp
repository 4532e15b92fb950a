#pragma once
// What the global flags say, after parsing; every operation takes these.
#include <string>

namespace sandbox::runtime {

struct GlobalOptions {
  std::string root;         // the state root (a default is filled in by the CLI)
  bool root_given = false;  // --root was passed: a missing root is an error for `list`
  bool debug = false;
  std::string rootless = "auto";  // runc's flag; accepted, the user namespace decides
  bool systemd_cgroup = false;
  std::string cgroup_manager;  // systemd | cgroupfs | disabled (given meaning by issue 4)
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  bool no_pivot = false;
  bool no_new_keyring = false;
  std::string console_socket;  // receives the pty master when process.terminal is true
  int preserve_fds = 0;        // fds 3.. beyond LISTEN_FDS passed to the container
  bool detach_flag = false;    // create's --detach: accepted, create always detaches
};

}  // namespace sandbox::runtime
