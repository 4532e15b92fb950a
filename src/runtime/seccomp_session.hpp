#pragma once
// `sandbox seccomp record|check|stop`: the runtime's side. A session is the agent
// (helpers/sandbox_seccomp.cpp, found next to the runtime or in ../libexec/sandbox/) listening
// on a socket in <root>/<ID>@seccomp/ ('@' is outside the id alphabet, so `list` never takes
// it for a container), and a derived bundle there: the bundle's config.json with root.path made
// absolute and linux.seccomp replaced by the record or check filter (seccomp_record.hpp), the
// notify fd sent to the agent's socket. The container then runs as `run` runs it.
#include <string>

#include "runtime/options.hpp"

namespace sandbox::runtime {

struct SeccompSessionOptions {
  std::string id;
  std::string bundle = ".";
  bool detach = false;
  bool check = false;          // check (else record)
  std::string output;          // record: the profile (default: seccomp-profile.json)
  std::string format = "oci";  // record: oci | docker
  std::string profile;         // check: the profile to check
  bool enforce = false;        // check: deny with the profile's action (else complain)
  std::string report;          // the report file (record: per syscall; check: each denial)
};

// Exit status when a check finds calls the profile would deny (0: it holds; 1: an error).
constexpr int kProfileWouldDeny = 2;

// In the foreground: record returns the workload's exit status, check 0 or kProfileWouldDeny
// once the agent has written its results. Detached: 0 once the container runs; the agent
// writes the results when the container's processes are gone (or at `seccomp stop`).
int run_seccomp_session(const GlobalOptions& g, const SeccompSessionOptions& o);
// Ends a detached session: the container is killed and deleted, the agent writes its results;
// returns what the foreground session would have.
int stop_seccomp_session(const GlobalOptions& g, const std::string& id);

}  // namespace sandbox::runtime
