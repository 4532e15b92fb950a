#pragma once
// process.rlimits: the RLIMIT_* names of config.json, and setting the limits in the container init.
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

// RLIMIT_NOFILE for "RLIMIT_NOFILE", ...; -1 for a name that is not one of the 16 Linux limits.
// Only the canonical upper-case spelling is known, as config.json writes it.
int rlimit_from_name(std::string_view name);

// setrlimit for each limit, in order. On failure throws sandbox::Error naming the limit and, when
// the kernel refused to raise a hard limit, the hard limit the caller actually has.
void apply_rlimits(const std::vector<oci::Rlimit>& limits);

}  // namespace sandbox::linux_
