#pragma once
// The runtime's operations, one file each. The CLI parses flags into these calls and prints
// what they return; errors are thrown as sandbox::Error and printed once by main.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/options.hpp"
#include "state/root.hpp"
#include "sys/fd.hpp"

namespace sandbox::runtime {

struct CreatedContainer {
  pid_t pid = 0;
  Fd pidfd;
  Fd sync;  // EOF once the user program is exec'd
};

// create: the init is set up and waits for `start`; state.json and the pid file are written.
CreatedContainer create_container(const GlobalOptions& g, const CreateOptions& o);
void start_container(const GlobalOptions& g, const std::string& id);

struct RunOptions : CreateOptions {
  bool detach = false;
  bool keep = false;
  bool no_subreaper = false;
};
// Returns the exit code for the runtime: the container's status in the foreground
// (128+signal when killed), 0 when detached.
int run_container(const GlobalOptions& g, const RunOptions& o);

void kill_container(const GlobalOptions& g, const std::string& id, int sig, bool all);
void delete_container(const GlobalOptions& g, const std::string& id, bool force);
nlohmann::json container_state(const GlobalOptions& g, const std::string& id);

struct ListEntry {
  nlohmann::json state;  // the OCI state document
  std::string owner;     // user name, or "#uid"
};
std::vector<ListEntry> list_containers(const GlobalOptions& g);

// Writes PID to PATH the way runc does: decimal, no newline, via a rename so a reader never
// sees a partial file.
void write_pid_file(const std::string& path, pid_t pid);

// The state root for commands that need an existing container.
state::StateRoot open_existing_root(const GlobalOptions& g);

}  // namespace sandbox::runtime
