#include "state/root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "state/id.hpp"
#include "sys/dir_stream.hpp"
#include "sys/error.hpp"

namespace sandbox::state {
namespace {

bool is_our_dir(const char* path, uid_t euid) {
  struct stat st {};
  return ::lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == euid;
}

// mkdir -p for the parents of the root; the root itself is made by the caller so that its
// mode is exactly 0700 and a racing creator is noticed.
void make_parents(const std::string& path) {
  for (size_t pos = 1; (pos = path.find('/', pos)) != std::string::npos; pos++) {
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw_errno("state root " + path + ": mkdir " + prefix);
  }
}

void check_root(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("state root " + path + ": stat");
  uid_t euid = ::geteuid();
  if (st.st_uid != euid)
    fail("state root {}: owned by uid {}, not by you (uid {}); choose another --root", path,
         st.st_uid, euid);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    fail(
        "state root {}: writable by other users (mode {:o}); chmod 700 it or choose another "
        "--root",
        path, st.st_mode & 07777);
}

}  // namespace

std::string default_root(uid_t euid, const char* xdg_runtime_dir, bool root_of_user_namespace) {
  if (euid == 0 && !root_of_user_namespace) return "/run/sandbox";
  if (xdg_runtime_dir && *xdg_runtime_dir == '/' && is_our_dir(xdg_runtime_dir, euid))
    return std::string(xdg_runtime_dir) + "/sandbox";
  if (euid == 0) return "/run/sandbox";
  return "/tmp/sandbox-" + std::to_string(euid);
}

StateRoot StateRoot::open(const std::string& path, Mode mode) {
  if (path.empty() || path[0] != '/') fail("state root \"{}\": must be an absolute path", path);
  StateRoot root;
  root.path_ = path;
  // O_NOFOLLOW on the last component: a symlink planted at a predictable /tmp name is refused.
  int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  root.fd_.reset(::open(path.c_str(), flags));
  if (!root.fd_ && errno == ENOENT) {
    if (mode == Mode::MayBeMissing) return root;
    if (mode == Mode::MustExist) fail("state root {}: no such file or directory", path);
    make_parents(path);
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
      throw_errno("state root " + path + ": mkdir");
    root.fd_.reset(::open(path.c_str(), flags));
  }
  if (!root.fd_) {
    if (errno == ELOOP || errno == ENOTDIR) {
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        fail("state root {}: is a symlink; refusing it (pass the real directory as --root)", path);
      fail("state root {}: not a directory", path);
    }
    throw_errno("state root " + path);
  }
  check_root(root.fd_.get(), path);
  return root;
}

std::vector<std::string> StateRoot::ids() const {
  std::vector<std::string> out;
  if (!valid()) return out;
  auto d = sys::DirStream::reopen(fd_.get());
  if (!d) throw_errno("state root " + path_);
  while (const dirent* e = d.next()) {
    std::string name = e->d_name;
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    try {
      validate_id(name);
    } catch (const Error&) {
      continue;  // ".", "..", and anything that is not ours
    }
    out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sandbox::state
