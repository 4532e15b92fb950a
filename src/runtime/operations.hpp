#pragma once
// The runtime's operations, one file each. The CLI parses flags into these calls and prints
// what they return; errors are thrown as sandbox::Error and printed once by main.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/notify_socket.hpp"
#include "runtime/options.hpp"
#include "runtime/update_request.hpp"
#include "state/root.hpp"
#include "sys/fd.hpp"

namespace sandbox::runtime {

struct CreatedContainer {
  pid_t pid = 0;
  Fd pidfd;
  Fd sync;      // EOF once the user program is exec'd
  Fd terminal;  // the pty master, when there is a terminal and no console socket took it
};

// create: the init is set up and waits for `start`; state.json and the pid file are written.
// DETACHED is false only for `run` in the foreground, which proxies a terminal itself.
CreatedContainer create_container(const GlobalOptions& g, const CreateOptions& o,
                                  bool detached = true);
// start: releases the init; with NOTIFY_SOCKET, relays sd_notify messages until READY=1.
void start_container(const GlobalOptions& g, const std::string& id);
// The first half of start: releases the init and returns the sd_notify relay, if there is one,
// for the caller to drive (`run` does it from its foreground loop).
std::optional<NotifyRelay> release_container(const GlobalOptions& g, const std::string& id);

struct RunOptions : CreateOptions {
  bool detach = false;
  bool keep = false;
  bool no_subreaper = false;
};
// Returns the exit code for the runtime: the container's status in the foreground
// (128+signal when killed), 0 when detached.
int run_container(const GlobalOptions& g, const RunOptions& o);

struct ExecOptions {
  std::string id;
  std::string process_file;       // --process: a process.json, taken as it is
  std::vector<std::string> args;  // or the command, with the flags below
  bool tty = false;
  bool detach = false;
  std::string pid_file;
  std::string console_socket;
  std::string cwd;
  std::vector<std::string> env;
  std::string user;  // UID[:GID]
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;
  bool no_new_privs = false;
  int preserve_fds = 0;
  std::string process_label;  // overrides process.selinuxLabel (linux/lsm decides)
  std::string apparmor;       // overrides process.apparmorProfile (linux/lsm decides)
  // --cgroup: sub-cgroups of the container to run in ([CONTROLLER:]PATH, runc's forms)
  std::vector<std::string> sub_cgroups;
  bool ignore_paused = false;  // --ignore-paused: exec into a paused (frozen) container
};
// Returns the process's exit code in the foreground (128+signal when killed), 0 detached.
int exec_in_container(const GlobalOptions& g, const ExecOptions& o);

// ps: the container's processes (host pids, ascending), or the host's ps output for them.
std::vector<pid_t> container_pids(const GlobalOptions& g, const std::string& id);
std::string ps_table(const GlobalOptions& g, const std::string& id,
                     const std::vector<std::string>& ps_args);
// features: the runtime-spec features document (what config.json may ask of sandbox).
nlohmann::ordered_json features_document();

// pause/resume: freeze or thaw the container's cgroup; `state` then says "paused".
void pause_container(const GlobalOptions& g, const std::string& id);
void resume_container(const GlobalOptions& g, const std::string& id);
// update: write new limits into a live container's cgroups.
void update_container(const GlobalOptions& g, const std::string& id, const UpdateFlags& f);

void kill_container(const GlobalOptions& g, const std::string& id, int sig, bool all);
void delete_container(const GlobalOptions& g, const std::string& id, bool force);
nlohmann::ordered_json container_state(const GlobalOptions& g, const std::string& id);

struct ListEntry {
  nlohmann::ordered_json state;  // the OCI state document, in runc's key order
  std::string owner;             // user name, or "#uid"
};
std::vector<ListEntry> list_containers(const GlobalOptions& g);

// Writes PID to PATH the way runc does: decimal, no newline, via a rename so a reader never
// sees a partial file.
void write_pid_file(const std::string& path, pid_t pid);

// The state root for commands that need an existing container.
state::StateRoot open_existing_root(const GlobalOptions& g);

}  // namespace sandbox::runtime
