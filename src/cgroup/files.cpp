#include "cgroup/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "sys/dir_stream.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"

namespace sandbox::cgroup {
namespace {

std::string child(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int try_write(const std::string& dir, const std::string& file, const std::string& value) {
  return sys::write_file(child(dir, file), value);
}

void write_file(const std::string& dir, const std::string& file, const std::string& value) {
  if (int err = try_write(dir, file, value))
    throw_errno(fmt::format("cgroup {}/{}: write {}", dir, file, value), err);
}

std::optional<std::string> read_file(const std::string& dir, const std::string& file) {
  Fd fd(::open(child(dir, file).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return std::nullopt;
  return trim(sys::read_fd(fd.get()));
}

bool exists(const std::string& dir, const std::string& file) {
  return ::access(child(dir, file).c_str(), F_OK) == 0;
}

std::vector<std::string> make_dirs(const std::string& mount, const std::string& path, bool cpuset) {
  std::vector<std::string> made;
  std::string dir = mount;
  size_t start = 1;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string parent = dir;
    dir += "/" + path.substr(start, end - start);
    start = end + 1;
    if (::mkdir(dir.c_str(), 0755) == 0) {
      made.push_back(dir);
    } else if (errno != EEXIST) {
      int err = errno;
      remove_dirs(made);
      throw_errno("cgroup: mkdir " + dir, err);
    }
    // A v1 cpuset with no cpus or mems takes no tasks (ENOSPC). A level made here, or one
    // made by hand and left empty, gets its parent's (filled in already, from the top down),
    // as runc does.
    if (cpuset) {
      for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
        auto mine = read_file(dir, f);
        auto theirs = read_file(parent, f);
        if (mine && mine->empty() && theirs && !theirs->empty()) try_write(dir, f, *theirs);
      }
    }
  }
  return made;
}

std::string remove_dirs(const std::vector<std::string>& dirs, int* err) {
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    // A parent we made on the way (mkdir -p) may hold other containers' cgroups by now, as
    // /sandbox-bench/a and /sandbox-bench/b do: it goes when it is empty, else it stays.
    bool parent = std::any_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
      return d.size() > it->size() && d.compare(0, it->size(), *it) == 0 && d[it->size()] == '/';
    });
    if (parent) {
      if (::rmdir(it->c_str()) != 0 && errno != ENOENT)
        log::debug("cgroup: {} stays: {}", *it, errno_text(errno));
      continue;
    }
    // A task that was just killed leaves its cgroup a moment after it is reaped.
    int tries = 0;
    while (::rmdir(it->c_str()) != 0) {
      if (errno == ENOENT) break;
      if (errno == EBUSY && ++tries < 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (err) *err = errno;
      return *it;
    }
  }
  return "";
}

// The space-separated words of DIR/FILE (cgroup.controllers, cgroup.subtree_control).
static std::set<std::string> words(const std::string& dir, const std::string& file) {
  std::set<std::string> out;
  auto text = read_file(dir, file);
  if (!text) return out;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find_first_of(" \n", start);
    if (end == std::string::npos) end = text->size();
    if (end > start) out.insert(text->substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::set<std::string> controllers(const std::string& dir) {
  return words(dir, "cgroup.controllers");
}

void enable_controllers(const std::string& mount, const std::string& dir,
                        const std::set<std::string>& wanted) {
  if (wanted.empty() || dir.size() <= mount.size()) return;
  // Every proper ancestor of DIR, from the mount down.
  std::vector<std::string> ancestors{mount};
  for (size_t pos = dir.find('/', mount.size() + 1); pos != std::string::npos;
       pos = dir.find('/', pos + 1))
    ancestors.push_back(dir.substr(0, pos));
  for (const auto& a : ancestors) {
    auto available = controllers(a);
    auto enabled = words(a, "cgroup.subtree_control");
    for (const auto& c : wanted)
      if (available.count(c) && !enabled.count(c)) try_write(a, "cgroup.subtree_control", "+" + c);
  }
}

std::vector<pid_t> read_procs(const std::string& dir, bool recursive) {
  std::vector<pid_t> pids;
  if (auto text = read_file(dir, "cgroup.procs")) {
    size_t start = 0;
    while (start < text->size()) {
      size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      if (end > start)
        pids.push_back(static_cast<pid_t>(std::stol(text->substr(start, end - start))));
      start = end + 1;
    }
  }
  if (!recursive) return pids;
  auto d = sys::DirStream::open(dir);
  if (!d) return pids;
  while (const dirent* e = d.next()) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    auto sub = read_procs(child(dir, e->d_name), true);
    pids.insert(pids.end(), sub.begin(), sub.end());
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

std::string nearest_existing(const std::string& mount, const std::string& path) {
  std::string p = mount + (path == "/" ? "" : path);
  while (p.size() > mount.size()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) return p;
    p = p.substr(0, p.rfind('/'));
  }
  return mount;
}

}  // namespace sandbox::cgroup
