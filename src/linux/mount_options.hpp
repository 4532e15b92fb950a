#pragma once
// config.json mount options, sorted into what the new mount API wants: mount attributes
// (ro, nosuid, ...), a propagation type, bind/rbind, and filesystem data (size=, mode=, ...).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sandbox::linux_ {

struct MountOptions {
  bool bind = false;
  bool recursive_bind = false;   // rbind
  bool recursive_attrs = false;  // an "r" option such as rro: attributes apply to submounts too
  uint64_t attr_set = 0;         // MOUNT_ATTR_* to set
  uint64_t attr_clr = 0;         // MOUNT_ATTR_* to clear
  uint64_t propagation = 0;      // MS_PRIVATE, MS_SHARED, MS_SLAVE, MS_UNBINDABLE, or 0
  bool recursive_propagation = false;
  bool copy_up = false;  // tmpcopyup: a tmpfs starts with what the directory under it held
  // Options for the filesystem itself, e.g. {"size", "65536k"} or {"newinstance", ""}.
  std::vector<std::pair<std::string, std::string>> data;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// Every option name parse_mount_options recognizes (rro, nosuid, rprivate, tmpcopyup, ...),
// sorted: the features document's mountOptions. Anything else is filesystem data (size=...),
// handed to the filesystem, which may refuse it.
std::vector<std::string> known_mount_options();

}  // namespace sandbox::linux_
