#include "cgroup/layout.hpp"

#include <algorithm>
#include <vector>

#include "sys/error.hpp"
#include "sys/mountinfo.hpp"
#include "sys/proc.hpp"

namespace sandbox::cgroup {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The whole file, or "" when it cannot be read (a missing cgroup2 root lists no controllers).
std::string read_text(const std::string& path) {
  try {
    return sys::read_file(path);
  } catch (const Error&) {
    return "";
  }
}

}  // namespace

Layout parse_layout(std::string_view mountinfo) {
  Layout l;
  for (const auto& m : sys::parse_mountinfo(mountinfo)) {
    l.roots.emplace(m.mount_point, m.root);
    if (m.fstype == "cgroup2") {
      if (l.v2_mount.empty()) l.v2_mount = m.mount_point;
    } else if (m.fstype == "cgroup") {
      for (const auto& opt : split(m.super_options, ',')) {
        if (opt == "rw" || opt == "ro" || opt == "xattr" || opt == "clone_children" ||
            opt.rfind("release_agent=", 0) == 0 || opt == "noprefix" || opt == "cpuset_v2_mode")
          continue;
        l.v1.emplace(opt, m.mount_point);  // first mount wins
      }
    }
  }
  return l;
}

const Layout& host_layout() {
  static const Layout layout = [] {
    Layout l = parse_layout(read_text("/proc/self/mountinfo"));
    if (!l.v2_mount.empty()) {
      for (const auto& c : split(read_text(l.v2_mount + "/cgroup.controllers"), ' ')) {
        std::string name = c;
        while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
        if (!name.empty()) l.v2_controllers.insert(name);
      }
    }
    return l;
  }();
  return layout;
}

Membership parse_membership(std::string_view proc_cgroup) {
  Membership m;
  for (const auto& line : split(proc_cgroup, '\n')) {
    // "ID:CONTROLLERS:PATH"; the path may itself contain ':'.
    auto first = line.find(':');
    if (first == std::string::npos) continue;
    auto second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      m[""] = path;
      continue;
    }
    if (controllers.rfind("name=", 0) == 0) {
      m[controllers] = path;
      continue;
    }
    for (const auto& c : split(controllers, ',')) m[c] = path;
  }
  return m;
}

std::string directory_through(const std::string& mount, const std::string& root,
                              const std::string& path) {
  auto clean = [](const std::string& p, std::vector<std::string>& out) {
    if (p.empty() || p[0] != '/') return false;
    for (const auto& c : split(p, '/')) {
      if (c == "..") return false;
      if (!c.empty() && c != ".") out.push_back(c);
    }
    return true;
  };
  std::vector<std::string> r, p;
  if (mount.empty() || !clean(root, r) || !clean(path, p)) return "";
  if (p.size() < r.size() || !std::equal(r.begin(), r.end(), p.begin())) return "";
  std::string dir = mount;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (size_t i = r.size(); i < p.size(); ++i) dir += (dir == "/" ? "" : "/") + p[i];
  return dir;
}

OwnCgroups own_cgroups(const Layout& layout, const Membership& membership) {
  OwnCgroups own;
  own.pure_v2 = layout.pure_v2();
  auto root_of = [&](const std::string& mount) {
    auto it = layout.roots.find(mount);
    return it == layout.roots.end() ? std::string("/") : it->second;
  };
  if (!layout.v2_mount.empty()) {
    auto it = membership.find("");
    if (it != membership.end())
      own.v2_source = directory_through(layout.v2_mount, root_of(layout.v2_mount), it->second);
  }
  // Each v1 mount once, with the controllers (and names) it carries; then cgroup2 beside them.
  std::map<std::string, std::vector<std::string>> by_mount;
  for (const auto& [controller, mount] : layout.v1) by_mount[mount].push_back(controller);
  std::vector<std::pair<std::string, std::string>> sources;  // mount -> own directory
  for (const auto& [mount, controllers] : by_mount) {
    std::string dir;
    for (const auto& c : controllers) {
      auto it = membership.find(c);
      if (it != membership.end()) {
        dir = directory_through(mount, root_of(mount), it->second);
        break;
      }
    }
    if (!dir.empty()) sources.emplace_back(mount, dir);
  }
  if (!own.pure_v2 && !own.v2_source.empty()) sources.emplace_back(layout.v2_mount, own.v2_source);

  std::set<std::string> names;
  for (const auto& [mount, dir] : sources) {
    std::string name = mount.substr(mount.find_last_of('/') + 1);
    if (name.empty() || name == "." || name == ".." || !names.insert(name).second) continue;
    own.hierarchies.push_back(OwnHierarchy{name, dir, {}});
  }
  // Co-mounted controllers: a link per controller of a "a,b" name, unless a hierarchy has it.
  for (auto& h : own.hierarchies) {
    if (h.name.find(',') == std::string::npos) continue;
    for (const auto& part : split(h.name, ',')) {
      if (!part.empty() && names.insert(part).second) h.links.push_back(part);
    }
  }
  return own;
}

Membership process_membership(pid_t pid) {
  std::string path = pid == 0 ? "/proc/self/cgroup" : "/proc/" + std::to_string(pid) + "/cgroup";
  return parse_membership(sys::read_file(path));
}

}  // namespace sandbox::cgroup
