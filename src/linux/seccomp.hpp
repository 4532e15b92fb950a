#pragma once
// linux.seccomp: compiled to classic BPF with libseccomp in the runtime (before clone), loaded
// with a bare seccomp(2) in the container init. The child never calls libseccomp, so no
// allocation or library state is needed after fork, and the filter is the last thing installed.
#include <linux/filter.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::linux_ {

struct SeccompProgram {
  std::vector<struct sock_filter> filter;     // the BPF program, ready for seccomp(2)
  std::vector<std::string> unknown_syscalls;  // names libseccomp does not know, skipped (once each)
  unsigned flags = 0;   // seccomp(2)'s SECCOMP_FILTER_FLAG_*, NEW_LISTENER when notify
  bool notify = false;  // some rule is SCMP_ACT_NOTIFY: loading yields a listener fd
};

// Translates linux.seccomp into BPF. Each rule's args become libseccomp conditions; the spec's
// `value` and `valueTwo` are libseccomp's datum_a and datum_b, so for SCMP_CMP_MASKED_EQ `value`
// is the mask and `valueTwo` the value the masked argument must equal: (arg & value) == valueTwo.
// SCMP_ACT_NOTIFY needs listenerPath and listenerPath needs a NOTIFY rule; flags are checked
// against the running kernel. Throws sandbox::Error naming the config.json field at fault.
SeccompProgram compile_seccomp(const oci::Seccomp& s);

// Installs the program in the calling thread with seccomp(SECCOMP_SET_MODE_FILTER). The caller
// must hold CAP_SYS_ADMIN in its user namespace or have set PR_SET_NO_NEW_PRIVS. Returns the
// notification listener when the program notifies (p.notify), else an empty Fd.
Fd load_seccomp(const SeccompProgram& p);

// The names compile_seccomp accepts, in the spec's spelling: for the features document.
std::vector<std::string> seccomp_action_names();          // SCMP_ACT_*
std::vector<std::string> seccomp_operator_names();        // SCMP_CMP_*
std::vector<std::string> seccomp_architecture_names();    // SCMP_ARCH_*
std::vector<std::string> seccomp_known_flag_names();      // SECCOMP_FILTER_FLAG_* sandbox knows
std::vector<std::string> seccomp_supported_flag_names();  // those this kernel takes
// The version of the libseccomp sandbox runs with ("2.5.4").
std::string libseccomp_version();

}  // namespace sandbox::linux_
