#include "state/container.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/container_cgroup.hpp"
#include "state/id.hpp"
#include "state/state_json.hpp"
#include "sys/dir_stream.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
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

constexpr const char* kCreatingFile = "creating.json";
constexpr const char* kInitFile = "init.pid";
constexpr const char* kConfigFile = "config.json";

// nullopt when NAME does not exist; any other failure (EACCES) is an error: a state file we
// cannot read is never taken for "no state".
std::optional<std::string> read_at(int dirfd, const char* name, const std::string& id) {
  try {
    return sys::read_file_at(dirfd, name, O_NOFOLLOW);
  } catch (const Error& e) {
    if (e.code() == ENOENT) return std::nullopt;
    rethrow_with(e, fmt::format("container \"{}\"", id));
  }
}

// Empties DIRFD: the files we wrote and, DEPTH levels down, directories of ours (notify/).
// Nothing is followed: a symlink is removed as a link.
void remove_contents(int dirfd, int depth) {
  auto d = sys::DirStream::reopen(dirfd);
  if (!d) return;
  while (const dirent* e = d.next()) {
    std::string name = e->d_name;
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno != EISDIR || depth == 0) continue;
    Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub) remove_contents(sub.get(), depth - 1);
    ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
  }
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
  d.locked_ = true;
  // Between our mkdir and our flock a delete (seeing an empty directory: stopped) may have
  // locked and removed it.
  struct stat st {};
  if (::fstat(d.fd_.get(), &st) != 0 || st.st_nlink == 0)
    fail("container \"{}\": its state directory was removed while being created", id);
  return d;
}

std::optional<ContainerDir> ContainerDir::open_if_exists(const StateRoot& root,
                                                         const std::string& id) {
  auto d = open_unlocked(root, id);
  if (!d) return std::nullopt;
  lock(d->fd_, id);
  d->locked_ = true;
  // A concurrent delete may have removed it while we waited for the lock.
  struct stat st {};
  if (::fstat(d->fd_.get(), &st) != 0 || st.st_nlink == 0) return std::nullopt;
  return d;
}

ContainerDir ContainerDir::open(const StateRoot& root, const std::string& id) {
  auto d = open_if_exists(root, id);
  if (!d) fail("container \"{}\" does not exist", id);
  return std::move(*d);
}

std::optional<ContainerDir> ContainerDir::open_unlocked(const StateRoot& root,
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
  return d;
}

std::optional<ContainerState> ContainerDir::load() const {
  if (auto text = read_at(fd_.get(), kStateFile, id_)) return parse_state_json(*text, id_);
  // Not committed: what create wrote before and right after clone.
  auto creating = read_at(fd_.get(), kCreatingFile, id_);
  if (!creating) return std::nullopt;
  ContainerState st = parse_state_json(*creating, id_);
  st.committed = false;
  st.pid = 0;
  if (auto init = read_at(fd_.get(), kInitFile, id_)) {
    if (auto r = parse_init_record(*init)) {
      st.pid = r->pid;
      st.pid_start_time = r->start_time;
    }
  }
  return st;
}

std::optional<ContainerState> ContainerDir::load_fallback() const {
  ContainerState st;
  bool any = false;
  try {
    if (auto creating = read_at(fd_.get(), kCreatingFile, id_)) {
      st = parse_state_json(*creating, id_);
      any = true;
    }
  } catch (const Error&) {
  }
  st.committed = false;
  st.pid = 0;
  try {
    if (auto init = read_at(fd_.get(), kInitFile, id_)) {
      if (auto r = parse_init_record(*init)) {
        st.pid = r->pid;
        st.pid_start_time = r->start_time;
        any = true;
      }
    }
  } catch (const Error&) {
  }
  if (!any) return std::nullopt;
  return st;
}

void ContainerDir::write_atomic(const char* name, const std::string& text) const {
  // A reader sees the old file or the new one, never half of one (sys::write_file_atomic).
  sys::write_file_atomic(fd_.get(), name, text, 0600,
                         fmt::format("container \"{}\": write {}", id_, name));
}

void ContainerDir::save(const ContainerState& st) const {
  write_atomic(kStateFile, state_json_text(st));
}

void ContainerDir::save_creating(const ContainerState& st) const {
  ContainerState c = st;
  c.pid = 0;
  c.pid_start_time = 0;
  write_atomic(kCreatingFile, state_json_text(c));
}

void ContainerDir::save_init(const InitRecord& init) const {
  write_atomic(kInitFile, init_record_text(init));
}

void ContainerDir::save_config(const std::string& text) const {
  write_atomic(kConfigFile, text);
}

std::optional<std::string> ContainerDir::load_config() const {
  return read_at(fd_.get(), kConfigFile, id_);
}

bool ContainerDir::has_exec_fifo() const {
  struct stat st {};
  return ::fstatat(fd_.get(), kExecFifo, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool ContainerDir::locked_by_other() const {
  if (locked_) return false;
  if (::flock(fd_.get(), LOCK_SH | LOCK_NB) != 0) return errno == EWOULDBLOCK;
  ::flock(fd_.get(), LOCK_UN);
  return false;
}

Status ContainerDir::status(const std::optional<ContainerState>& st) const {
  // Not committed: "creating" while its create still runs (holds the lock) or its init lives
  // (a crashed create's init exits by itself soon: its sync socket is closed); else stopped.
  if (!st) return locked_by_other() ? Status::Creating : Status::Stopped;
  bool alive = st->pid > 0 && sys::process_is(st->pid, st->pid_start_time);
  if (!st->committed) return alive || locked_by_other() ? Status::Creating : Status::Stopped;
  if (!alive) return Status::Stopped;
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
