#pragma once
// One container's state directory, <root>/<id>/. Files, in the order create writes them
// (docs/ARCHITECTURE.md, "The state record", says what a crash at each point leaves):
//   exec.fifo      present while the container is `created`
//   config.json    the bundle's config.json as create read it; later commands read this copy
//   creating.json  the record before clone (state.json's form, pid 0, with the cgroup record)
//   init.pid       "PID STARTTIME" of the init, written right after clone
//   state.json     the full record, written once the init is ready: the create is committed
// Every file is written atomically (write + rename), each once (creating.json again when the
// cgroup placement changed the record). A ContainerDir opened with the lock holds an flock on
// the directory, so commands on the same id serialize and others run in parallel; `state` and
// `list` read without it (never blocking behind a create) and probe it to tell a create in
// progress from a crashed one.
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
  // Not in the file: false when state.json is missing and this record was put together from
  // creating.json and init.pid (a create in progress, or one that crashed).
  bool committed = true;
};

// The init's identity, from init.pid.
struct InitRecord {
  pid_t pid = 0;
  uint64_t start_time = 0;
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
  // Without the lock, for the commands that only read (state, list).
  static std::optional<ContainerDir> open_unlocked(const StateRoot& root, const std::string& id);

  const std::string& id() const { return id_; }
  int fd() const { return fd_.get(); }
  // The lock fd must not outlive the command in a child process: callers of fork close it.
  int lock_fd() const { return fd_.get(); }

  // state.json; without it (create not committed) the record from creating.json and
  // init.pid, committed == false; nullopt when neither exists. Throws when a file is there but
  // cannot be read (EACCES is an error, never "no state") or is corrupt.
  std::optional<ContainerState> load() const;
  // What survives a corrupt or unreadable state.json: creating.json's record with init.pid's
  // pid (delete --force cleans up with it). Never throws; nullopt when nothing is readable.
  std::optional<ContainerState> load_fallback() const;
  void save(const ContainerState& st) const;
  void save_creating(const ContainerState& st) const;
  void save_init(const InitRecord& init) const;
  void save_config(const std::string& text) const;
  // The copy of config.json made at create; nullopt for a container made before copies.
  std::optional<std::string> load_config() const;
  bool has_exec_fifo() const;
  Status status(const std::optional<ContainerState>& st) const;
  // Whether another process holds the directory's lock (a create in progress, or briefly a
  // start, kill or delete). Always false when we hold it ourselves.
  bool locked_by_other() const;
  // Removes the directory and everything in it. The object is unusable afterwards.
  void remove(const StateRoot& root);

 private:
  ContainerDir() = default;
  void write_atomic(const char* name, const std::string& text) const;
  Fd fd_;
  std::string id_;
  bool locked_ = false;
};

// The OCI state document that `state` prints and `list --format json` collects.
nlohmann::ordered_json oci_state_json(const ContainerState& st, Status status,
                                      const std::string& id);

}  // namespace sandbox::state
