// exec --cgroup: runc's argument forms, and the sub-cgroup directories they name.
#include "cgroup/sub_cgroup.hpp"

#include <sys/stat.h>

#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// SUB cleaned and relative ("a//b/./c" -> "a/b/c"); ".." may not climb above the container's
// cgroup, a leading "/" is relative to it (runc joins it the same way).
std::string relative_sub_path(const std::string& sub) {
  std::vector<std::string> parts;
  for (const std::string& p : split(sub, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (parts.empty()) fail("exec --cgroup: {} is not a sub cgroup path", sub);
      parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_sub_cgroup_args(const std::vector<std::string>& args) {
  std::map<std::string, std::string> paths;
  for (const std::string& arg : args) {
    std::vector<std::string> cs = split(arg, ':');
    if (cs.size() > 2) fail("invalid --cgroup argument: {}", arg);
    if (cs.size() == 1) {
      if (args.size() != 1)
        fail("invalid --cgroup argument: {} (missing <controller>: prefix)", arg);
      paths[""] = arg;
      continue;
    }
    for (const std::string& controller : split(cs[0], ',')) paths[controller] = cs[1];
  }
  return paths;
}

Record sub_cgroup(const Record& r, const std::map<std::string, std::string>& sub) {
  if (sub.empty()) return r;
  std::map<std::string, std::string> rel;  // checked first: a bad path is bad anywhere
  for (const auto& [controller, path] : sub) rel[controller] = relative_sub_path(path);
  if (r.none()) fail("exec --cgroup: the container has no cgroup of its own");
  Record out = r;
  if (auto all = rel.find(""); all != rel.end()) {
    if (!out.v2.empty()) out.v2 += all->second;
    for (auto& [controller, dir] : out.v1) dir += all->second;
    return out;
  }
  for (const auto& [controller, path] : rel) {
    auto it = out.v1.find(controller);
    if (it == out.v1.end()) fail("exec --cgroup: unknown controller {}", controller);
    it->second += path;
  }
  return out;
}

std::vector<std::string> missing_dirs(const Record& r) {
  std::vector<std::string> out;
  auto check = [&](const std::string& dir) {
    struct stat st {};
    if (!dir.empty() && (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) out.push_back(dir);
  };
  check(r.v2);
  for (const auto& [controller, dir] : r.v1) check(dir);
  return out;
}

}  // namespace sandbox::cgroup
