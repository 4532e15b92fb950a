#pragma once
// The state root (`--root`): one directory per container below it. It may live in
// world-writable /tmp, so it is opened once as a directory fd and checked: not a symlink, owned
// by us, writable by nobody else. Every later access is relative to that fd.
#include <sys/types.h>

#include <string>
#include <vector>

#include "sys/fd.hpp"

namespace sandbox::state {

// runc's defaults, with our name: /run/sandbox for root; $XDG_RUNTIME_DIR/sandbox for others
// when that directory exists and is ours; else /tmp/sandbox-<uid>. ROOT_OF_USER_NAMESPACE is
// "uid 0 only inside a user namespace of a normal user" (rootless podman runs us that way, with
// the user's XDG_RUNTIME_DIR): such a caller counts as the normal user it is, as in runc.
std::string default_root(uid_t euid, const char* xdg_runtime_dir,
                         bool root_of_user_namespace = false);

class StateRoot {
 public:
  enum class Mode {
    Create,        // create/run: make it (0700) when missing
    MustExist,     // an explicit --root for list: a missing one is an error
    MayBeMissing,  // a missing root simply holds no containers
  };
  // Returns an invalid root (valid() == false) only for Mode::MayBeMissing when it is missing.
  static StateRoot open(const std::string& path, Mode mode);

  bool valid() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // The ids of the container directories below the root, sorted.
  std::vector<std::string> ids() const;

 private:
  Fd fd_;
  std::string path_;
};

}  // namespace sandbox::state
