#include "linux/mount_options.hpp"

#include <linux/mount.h>
#include <sys/mount.h>

#include <algorithm>
#include <string_view>

namespace sandbox::linux_ {
namespace {

struct AttrOption {
  std::string_view name;
  uint64_t attr;
  bool clear;  // "rw", "suid", ...: clear the attribute instead of setting it
};

constexpr AttrOption kAttrOptions[] = {
    {"ro", MOUNT_ATTR_RDONLY, false},
    {"rw", MOUNT_ATTR_RDONLY, true},
    {"nosuid", MOUNT_ATTR_NOSUID, false},
    {"suid", MOUNT_ATTR_NOSUID, true},
    {"nodev", MOUNT_ATTR_NODEV, false},
    {"dev", MOUNT_ATTR_NODEV, true},
    {"noexec", MOUNT_ATTR_NOEXEC, false},
    {"exec", MOUNT_ATTR_NOEXEC, true},
    {"nodiratime", MOUNT_ATTR_NODIRATIME, false},
    {"diratime", MOUNT_ATTR_NODIRATIME, true},
    {"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, false},
    {"symfollow", MOUNT_ATTR_NOSYMFOLLOW, true},
};

struct AtimeOption {
  std::string_view name;
  uint64_t value;
};

// The atime family is one field of the attributes, not independent bits.
constexpr AtimeOption kAtimeOptions[] = {
    {"relatime", MOUNT_ATTR_RELATIME},       {"norelatime", MOUNT_ATTR_STRICTATIME},
    {"strictatime", MOUNT_ATTR_STRICTATIME}, {"nostrictatime", MOUNT_ATTR_RELATIME},
    {"noatime", MOUNT_ATTR_NOATIME},
};

struct PropagationOption {
  std::string_view name;
  uint64_t type;
  bool recursive;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"private", MS_PRIVATE, false},       {"rprivate", MS_PRIVATE, true},
    {"shared", MS_SHARED, false},         {"rshared", MS_SHARED, true},
    {"slave", MS_SLAVE, false},           {"rslave", MS_SLAVE, true},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE, true},
};

// Accepted and ignored: the defaults of a new mount anyway.
constexpr std::string_view kNoOpOptions[] = {"defaults", "async", "atime", "loud"};

bool is_no_op(std::string_view opt) {
  for (auto n : kNoOpOptions)
    if (opt == n) return true;
  return false;
}

bool apply_attr(MountOptions& m, std::string_view opt) {
  for (const auto& a : kAttrOptions) {
    if (opt != a.name) continue;
    if (a.clear) {
      m.attr_clr |= a.attr;
      m.attr_set &= ~a.attr;
    } else {
      m.attr_set |= a.attr;
      m.attr_clr &= ~a.attr;
    }
    return true;
  }
  for (const auto& a : kAtimeOptions) {
    if (opt != a.name) continue;
    m.attr_clr |= MOUNT_ATTR__ATIME;
    m.attr_set = (m.attr_set & ~MOUNT_ATTR__ATIME) | a.value;
    return true;
  }
  return false;
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions m;
  for (const auto& o : options) {
    std::string_view opt = o;
    if (opt == "bind") {
      m.bind = true;
      continue;
    }
    if (opt == "rbind") {
      m.bind = m.recursive_bind = true;
      continue;
    }
    if (is_no_op(opt)) continue;
    if (opt == "tmpcopyup") {  // crun's and runc's extension, which podman uses
      m.copy_up = true;
      continue;
    }
    if (apply_attr(m, opt)) continue;
    // "rro", "rnosuid", ...: the recursive form of an attribute (what runc calls rro).
    if (opt.size() > 1 && opt[0] == 'r' && apply_attr(m, opt.substr(1))) {
      m.recursive_attrs = true;
      continue;
    }
    bool is_propagation = false;
    for (const auto& p : kPropagationOptions) {
      if (opt != p.name) continue;
      m.propagation = p.type;
      m.recursive_propagation = p.recursive;
      is_propagation = true;
    }
    if (is_propagation) continue;
    auto eq = opt.find('=');
    if (eq == std::string_view::npos)
      m.data.emplace_back(std::string(opt), "");
    else
      m.data.emplace_back(std::string(opt.substr(0, eq)), std::string(opt.substr(eq + 1)));
  }
  return m;
}

std::vector<std::string> known_mount_options() {
  std::vector<std::string> out = {"bind", "rbind", "tmpcopyup"};
  for (auto n : kNoOpOptions) out.emplace_back(n);
  auto add_with_recursive = [&out](std::string_view n) {
    out.emplace_back(n);
    out.push_back(std::string("r").append(n));
  };
  for (const auto& a : kAttrOptions) add_with_recursive(a.name);
  for (const auto& a : kAtimeOptions) add_with_recursive(a.name);
  for (const auto& p : kPropagationOptions) out.emplace_back(p.name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sandbox::linux_
