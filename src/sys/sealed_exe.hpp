#pragma once
// The CVE-2019-5736 defence. The container's init and every exec'd process are clones of the
// runtime, so until their execve /proc/PID/exe names the runtime's executable, and an image
// whose entrypoint is `#!/proc/self/exe` even runs it inside the container. Commands that put
// a process into a container therefore first re-execute the runtime from a sealed memfd copy
// of itself: what the container can reach is that copy, which nobody can write, not the file
// on the host.
#include <string>

namespace sandbox::sys {

// Re-executes the running binary from a sealed, anonymous copy of itself (same argv and
// environment) unless it already runs from one. Returns only when it already does; throws
// sandbox::Error when no sealed copy can be made (the command must not go on without one).
void reexec_sealed(char** argv);

// The path of the runtime's executable on the host: /proc/self/exe, or, when running from
// the sealed copy, the file the copy was made from (helpers are found next to it).
std::string original_exe();

}  // namespace sandbox::sys
