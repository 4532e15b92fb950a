#pragma once
// OCI hooks: each one a program run to completion with the container's state JSON on its
// stdin. The runtime runs prestart, createRuntime, poststart and poststop in its own
// namespaces; the container init runs createContainer and startContainer in the container's.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::process {

// The state document a hook reads on stdin: the OCI state of the container at that point.
std::string hook_state(const oci::Spec& spec, const std::string& id, const std::string& bundle,
                       pid_t pid, std::string_view status);

// Whether the init must stop once its mounts are in place, for the runtime's hooks (prestart,
// createRuntime) or to learn its host pid for its own (createContainer, startContainer).
bool init_needs_hook_round_trip(const oci::Hooks& h);

// Runs HOOKS one after another, each with STATE on stdin, its stdout and stderr collected
// (a hook must not write into the container's or the engine's streams). Stops at the first
// that fails, times out or cannot be started, and throws
//   "<kind> hook /path: exit status 3: <the last of its output>"
void run_hooks(std::string_view kind, const std::vector<oci::Hook>& hooks,
               const std::string& state);

// The same, for the kinds whose failures the spec makes warnings (poststart, poststop):
// every hook runs, and each failure is logged as a warning.
void run_hooks_warning_only(std::string_view kind, const std::vector<oci::Hook>& hooks,
                            const std::string& state);

}  // namespace sandbox::process
