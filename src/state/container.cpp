#include "state/container.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/container_cgroup.hpp"
#include "state/id.hpp"
#include "state/state_json.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::state {
namespace {

constexpr const char* kStateFile = "state.json";

Fd open_dir(int rootfd, const std::string& id) {
  return Fd(::openat(rootfd, id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

void lock(const Fd& fd, const std::string& id) {
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw_errno("container \"" + id + "\": lock");
  }
}

std::string read_at(int dirfd, const char* name) {
  Fd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  return fd ? sys::read_fd(fd.get()) : std::string();
}

// Empties DIRFD: the files we wrote and, DEPTH levels down, directories of ours (notify/).
// Nothing is followed: a symlink is removed as a link.
void remove_contents(int dirfd, int depth) {
  int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return;
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno != EISDIR || depth == 0) continue;
    Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub) remove_contents(sub.get(), depth - 1);
    ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
  }
  ::closedir(d);
}

}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::Creating:
      return "creating";
    case Status::Created:
      return "created";
    case Status::Running:
      return "running";
    case Status::Paused:
      return "paused";
    case Status::Stopped:
      return "stopped";
  }
  return "unknown";
}

ContainerDir ContainerDir::create(const StateRoot& root, const std::string& id) {
  validate_id(id);
  if (::mkdirat(root.fd(), id.c_str(), 0700) != 0) {
    if (errno == EEXIST) fail("container \"{}\" already exists", id);
    throw_errno("state root " + root.path() + ": mkdir " + id);
  }
  ContainerDir d;
  d.id_ = id;
  d.fd_ = open_dir(root.fd(), id);
  if (!d.fd_) throw_errno("state root " + root.path() + ": open " + id);
  lock(d.fd_, id);
  return d;
}

std::optional<ContainerDir> ContainerDir::open_if_exists(const StateRoot& root,
                                                         const std::string& id) {
  validate_id(id);
  if (!root.valid()) return std::nullopt;
  ContainerDir d;
  d.id_ = id;
  d.fd_ = open_dir(root.fd(), id);
  if (!d.fd_) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("container \"" + id + "\"");
  }
  lock(d.fd_, id);
  // A concurrent delete may have removed it while we waited for the lock.
  struct stat st {};
  if (::fstat(d.fd_.get(), &st) != 0 || st.st_nlink == 0) return std::nullopt;
  return d;
}

ContainerDir ContainerDir::open(const StateRoot& root, const std::string& id) {
  auto d = open_if_exists(root, id);
  if (!d) fail("container \"{}\" does not exist", id);
  return std::move(*d);
}

std::optional<ContainerState> ContainerDir::load() const {
  std::string text = read_at(fd_.get(), kStateFile);
  if (text.empty()) return std::nullopt;
  return parse_state_json(text, id_);
}

void ContainerDir::save(const ContainerState& st) const {
  std::string text = state_json_text(st);
  // write + rename: a reader sees the old state or the new one, never half of one. No fsync:
  // the state describes processes, which do not survive a crash either.
  const char* tmp = ".state.json.tmp";
  Fd fd(::openat(fd_.get(), tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_errno("container \"" + id_ + "\": write state");
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("container \"" + id_ + "\": write state");
  fd.reset();
  if (::renameat(fd_.get(), tmp, fd_.get(), kStateFile) != 0)
    throw_errno("container \"" + id_ + "\": write state");
}

bool ContainerDir::has_exec_fifo() const {
  struct stat st {};
  return ::fstatat(fd_.get(), kExecFifo, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Status ContainerDir::status(const std::optional<ContainerState>& st) const {
  if (!st) return Status::Stopped;  // we hold the lock, so no create is in progress
  if (!sys::process_is(st->pid, st->pid_start_time)) return Status::Stopped;
  if (has_exec_fifo()) return Status::Created;
  try {
    return cgroup::open_cgroup(cgroup::record_from_json(st->cgroup))->is_frozen() ? Status::Paused
                                                                                  : Status::Running;
  } catch (const Error&) {
    return Status::Running;  // a damaged cgroup record: the init's liveness is what counts
  }
}

void ContainerDir::remove(const StateRoot& root) {
  remove_contents(fd_.get(), 2);
  if (::unlinkat(root.fd(), id_.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    throw_errno("container \"" + id_ + "\": remove state directory");
  fd_.reset();
}

nlohmann::ordered_json oci_state_json(const ContainerState& st, Status status,
                                      const std::string& id) {
  // A paused container's init is alive too: runc shows its pid, and engines read it.
  bool alive = status != Status::Stopped;
  // runc's order: annotations (when any) come before owner.
  nlohmann::ordered_json j = {{"ociVersion", st.oci_version}, {"id", id},
                              {"pid", alive ? st.pid : 0},    {"status", status_name(status)},
                              {"bundle", st.bundle},          {"rootfs", st.rootfs},
                              {"created", st.created}};
  if (!st.annotations.empty()) j["annotations"] = st.annotations;
  j["owner"] = "";
  return j;
}

}  // namespace sandbox::state
