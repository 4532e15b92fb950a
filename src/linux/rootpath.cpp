#include "linux/rootpath.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "sys/syscalls.hpp"

namespace sandbox::linux_ {
namespace {

constexpr uint64_t kResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    if (c.empty() || c == ".") {
      // skip
    } else if (c == "..") {
      if (!out.empty()) out.pop_back();
    } else {
      out.push_back(c);
    }
    i = j + 1;
  }
  return out;
}

Fd resolve(int rootfd, const std::string& rel, int flags) {
  const char* p = rel.empty() ? "." : rel.c_str();
  return Fd(sys::openat2(rootfd, p, static_cast<uint64_t>(flags | O_CLOEXEC), 0, kResolve));
}

}  // namespace

std::string clean_relative(std::string_view path) {
  std::string out;
  for (auto c : components(path)) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Fd open_in_root(int rootfd, std::string_view path, Create create) {
  std::string rel = clean_relative(path);
  Fd fd = resolve(rootfd, rel, O_PATH);
  if (fd || errno != ENOENT || create == Create::No) return fd;

  // Walk down, making what is missing. Each prefix is resolved afresh inside the root, so a
  // component that is (or becomes) a symlink still cannot lead outside.
  auto parts = components(path);
  std::string prefix;
  for (size_t i = 0; i < parts.size(); i++) {
    std::string next = prefix.empty() ? std::string(parts[i]) : prefix + "/" + std::string(parts[i]);
    Fd cur = resolve(rootfd, next, O_PATH);
    if (!cur) {
      if (errno != ENOENT) return Fd();
      Fd parent = resolve(rootfd, prefix, O_PATH | O_DIRECTORY);
      if (!parent) return Fd();
      std::string name(parts[i]);
      bool last = i + 1 == parts.size();
      if (last && create == Create::File) {
        Fd made(::openat(parent.get(), name.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!made && errno != EEXIST) return Fd();
      } else if (::mkdirat(parent.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        return Fd();
      }
    }
    prefix = std::move(next);
  }
  return resolve(rootfd, rel, O_PATH);
}

Fd open_in_root_flags(int rootfd, std::string_view path, int flags) {
  return resolve(rootfd, clean_relative(path), flags);
}

}  // namespace sandbox::linux_
