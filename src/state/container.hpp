#pragma once
// One container's state directory, <root>/<id>/: state.json (written atomically) and
// exec.fifo (present while the container is `created`). Holding a ContainerDir holds an
// flock on the directory, so commands on the same id serialize and others run in parallel.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "state/root.hpp"
#include "sys/fd.hpp"

namespace sandbox::state {

inline constexpr const char* kExecFifo = "exec.fifo";

struct ContainerState {
  std::string oci_version;
  std::string id;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;  // with pid: the identity of the init process
  std::string bundle;           // absolute
  std::string rootfs;           // absolute
  std::string created;          // RFC3339Nano
  uid_t owner = 0;
  std::map<std::string, std::string> annotations;
  nlohmann::json cgroup = nlohmann::json::object();  // cgroup::Record, see cgroup/record.hpp
  // The hooks that run after create (by `start` and `delete`), kept from config.json as it
  // was at create: the bundle may have changed or be gone by then.
  std::vector<oci::Hook> poststart;
  std::vector<oci::Hook> poststop;
};

// Paused: running, with its cgroup frozen (pause).
enum class Status { Creating, Created, Running, Paused, Stopped };
const char* status_name(Status s);

class ContainerDir {
 public:
  // create: a new directory (atomic mkdir); "container \"ID\" already exists" when taken.
  static ContainerDir create(const StateRoot& root, const std::string& id);
  // open: an existing one; "container \"ID\" does not exist" when missing.
  static ContainerDir open(const StateRoot& root, const std::string& id);
  static std::optional<ContainerDir> open_if_exists(const StateRoot& root, const std::string& id);

  const std::string& id() const { return id_; }
  int fd() const { return fd_.get(); }
  // The lock fd must not outlive the command in a child process: callers of fork close it.
  int lock_fd() const { return fd_.get(); }

  // nullopt while `create` has not finished (or after it crashed).
  std::optional<ContainerState> load() const;
  void save(const ContainerState& st) const;
  bool has_exec_fifo() const;
  Status status(const std::optional<ContainerState>& st) const;
  // Removes the directory and everything in it. The object is unusable afterwards.
  void remove(const StateRoot& root);

 private:
  ContainerDir() = default;
  Fd fd_;
  std::string id_;
};

// The OCI state document that `state` prints and `list --format json` collects.
nlohmann::ordered_json oci_state_json(const ContainerState& st, Status status,
                                      const std::string& id);

}  // namespace sandbox::state
