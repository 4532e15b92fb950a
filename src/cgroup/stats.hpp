#pragma once
// A container's resource usage in runc's `events` shape (the `data` of a "stats" event), read
// from its v1 hierarchies and/or its cgroup2 directory: whatever exists is reported.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "cgroup/record.hpp"

namespace sandbox::cgroup {

nlohmann::ordered_json read_stats(const Record& r);

// How many times the kernel's OOM killer has killed in the container's memory cgroup so far
// (v1 memory.oom_control, cgroup2 memory.events); nullopt without a memory cgroup.
std::optional<uint64_t> oom_kill_count(const Record& r);

}  // namespace sandbox::cgroup
