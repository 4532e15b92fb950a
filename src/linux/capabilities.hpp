#pragma once
// process.capabilities, applied in the container init in two steps around the uid switch:
// drop_bounding_set while still privileged (PR_CAPBSET_DROP needs CAP_SETPCAP), then, after
// setresuid with PR_SET_KEEPCAPS, set_capabilities for the other four sets.
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

// The highest capability number the running kernel knows (CAP_LAST_CAP of the kernel, which may
// be older or newer than the headers we were built with).
int last_cap();

// Drops from the bounding set every capability up to last_cap() that is not in KEEP. Caps that
// are already gone are left alone, so an already-restricted set needs no CAP_SETPCAP.
void drop_bounding_set(const std::vector<int>& keep);

// Sets effective, permitted and inheritable exactly to CAPS (one capset), then clears the
// ambient set and raises CAPS.ambient. Capabilities above last_cap() are skipped: a config
// written for a newer kernel still runs, without what this kernel cannot grant anyway.
// An ambient capability must also be permitted and inheritable (the kernel's rule); one that is
// not, or that the kernel refuses, is skipped with a log warning, as runc does.
void set_capabilities(const oci::Capabilities& caps);

// "CAP_SYS_ADMIN"; "capability 63" for a number libcap has no name for.
std::string capability_name(int cap);

// Every capability name libcap knows ("CAP_CHOWN" ... ), in number order: the names config.json
// may use (the parser accepts exactly these), whether or not the running kernel has them all.
std::vector<std::string> known_capability_names();

}  // namespace sandbox::linux_
