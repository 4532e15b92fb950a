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

// Creates NAME in PARENT: an empty file (for binds of files) or a directory. 0 or -1/errno.
int make_entry(int parent, const std::string& name, bool as_file) {
  if (!as_file) return ::mkdirat(parent, name.c_str(), 0755);
  Fd f(::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  return f ? 0 : -1;
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
  std::string want(path);
  Fd fd = resolve(rootfd, clean_relative(want), O_PATH);
  if (fd || errno != ENOENT || create == Create::No) return fd;

  // Walk down, making what is missing. Each prefix is resolved afresh inside the root, so a
  // component that is (or becomes) a symlink still cannot lead outside. A dangling symlink on
  // the way ("/evil -> /no/such/dir") is followed by rewriting the path through its target,
  // which is then created inside the root, as the kernel would have followed it.
  for (int hops = 0; hops < 40; hops++) {
    auto parts = components(want);
    std::string prefix;
    bool rewritten = false;
    for (size_t i = 0; i < parts.size() && !rewritten; i++) {
      std::string name(parts[i]);
      std::string next = prefix.empty() ? name : prefix + "/" + name;
      Fd cur = resolve(rootfd, next, O_PATH);
      if (!cur) {
        if (errno != ENOENT) return Fd();
        Fd parent = resolve(rootfd, prefix, O_PATH | O_DIRECTORY);
        if (!parent) return Fd();
        bool last = i + 1 == parts.size();
        int r = make_entry(parent.get(), name, last && create == Create::File);
        if (r != 0 && errno != EEXIST) return Fd();
        if (r != 0) {
          char target[4096];
          ssize_t n = ::readlinkat(parent.get(), name.c_str(), target, sizeof(target) - 1);
          if (n < 0) return Fd();  // EEXIST but not a symlink: a race we do not chase
          std::string rest;
          for (size_t j = i + 1; j < parts.size(); j++) rest.append("/").append(parts[j]);
          std::string t(target, static_cast<size_t>(n));
          // A relative target is relative to the symlink's directory.
          want = t[0] == '/' ? t : std::string("/").append(prefix).append("/").append(t);
          want += rest;
          rewritten = true;
          continue;
        }
      }
      prefix = std::move(next);
    }
    if (!rewritten) return resolve(rootfd, clean_relative(want), O_PATH);
  }
  errno = ELOOP;
  return Fd();
}

Fd open_in_root_flags(int rootfd, std::string_view path, int flags) {
  return resolve(rootfd, clean_relative(path), flags);
}

}  // namespace sandbox::linux_
