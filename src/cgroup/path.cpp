#include "cgroup/path.hpp"

#include <vector>

#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

std::string parent_of(const std::string& p) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return p.substr(0, slash);
}

std::string join(const std::string& a, const std::string& b) {
  if (a == "/") return "/" + b;
  return a + "/" + b;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// systemd unit names: ASCII letters, digits, ":-_.\" (we refuse '\' escapes too: a name that
// needs escaping is a mistake here).
bool valid_unit_part(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string clean_path(const std::string& path, const std::string& what) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") fail("{} {}: \"..\" is not allowed in a cgroup path", what, path);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string cgroupfs_path(const std::string& cgroups_path, const std::string& id,
                          const std::string& own, bool v2) {
  const std::string what = "linux.cgroupsPath";
  if (!cgroups_path.empty() && cgroups_path[0] == '/') {
    std::string p = clean_path(cgroups_path, what);
    if (p == "/") fail("{} {}: the root cgroup cannot be a container's", what, cgroups_path);
    return p;
  }
  std::string rel = cgroups_path.empty() ? id : cgroups_path;
  std::string inner = clean_path(rel, what);
  std::string base = clean_path(own.empty() ? "/" : own, "own cgroup");
  if (v2) base = parent_of(base);
  return inner == "/" ? base : join(base, inner.substr(1));
}

ScopeName systemd_scope_name(const std::string& cgroups_path, const std::string& id,
                             bool rootless) {
  ScopeName s;
  std::string default_slice = rootless ? "user.slice" : "system.slice";
  if (cgroups_path.empty()) {
    s.slice = default_slice;
    s.unit = "sandbox-" + id + ".scope";
    return s;
  }
  // runc's form: "slice:prefix:name"; an empty slice means the default one.
  size_t a = cgroups_path.find(':');
  size_t b = a == std::string::npos ? std::string::npos : cgroups_path.find(':', a + 1);
  if (a == std::string::npos || b == std::string::npos ||
      cgroups_path.find(':', b + 1) != std::string::npos)
    fail(
        "linux.cgroupsPath {}: with the systemd cgroup driver it must be \"slice:prefix:name\" "
        "(e.g. \"user.slice:sandbox:{}\")",
        cgroups_path, id);
  std::string slice = cgroups_path.substr(0, a);
  std::string prefix = cgroups_path.substr(a + 1, b - a - 1);
  std::string name = cgroups_path.substr(b + 1);
  s.slice = slice.empty() ? default_slice : slice;
  if (!ends_with(s.slice, ".slice") || !valid_unit_part(s.slice))
    fail("linux.cgroupsPath {}: {} is not a systemd slice name (NAME.slice)", cgroups_path,
         s.slice);
  if (name.empty() || !valid_unit_part(name) || (!prefix.empty() && !valid_unit_part(prefix)))
    fail("linux.cgroupsPath {}: prefix and name must be plain unit-name words", cgroups_path);
  if (ends_with(name, ".slice"))
    fail("linux.cgroupsPath {}: a container needs a scope, not a slice ({})", cgroups_path, name);
  s.unit = (prefix.empty() ? name : prefix + "-" + name);
  if (!ends_with(s.unit, ".scope")) s.unit += ".scope";
  return s;
}

}  // namespace sandbox::cgroup
