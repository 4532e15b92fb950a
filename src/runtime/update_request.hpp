#pragma once
// `update`: the resources to write, from -r FILE (or "-" for stdin) and runc's per-field
// flags, which override the file. Pure, unit-tested.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/resources.hpp"

namespace sandbox::runtime {

struct UpdateFlags {
  std::string resources;  // -r/--resources: a file, or "-" for stdin
  // runc's flags, as typed (sizes take k/m/g suffixes; -1 means unlimited where runc allows it)
  std::optional<std::string> memory, memory_reservation, memory_swap, kernel_memory,
      kernel_memory_tcp;
  std::optional<int64_t> pids_limit;
  std::optional<uint64_t> cpu_shares, cpu_period, cpu_rt_period, cpu_burst;
  std::optional<int64_t> cpu_quota, cpu_rt_runtime, cpu_idle;
  std::optional<std::string> cpuset_cpus, cpuset_mems;
  std::optional<uint16_t> blkio_weight;
  // --l3-cache-schema, --mem-bw-schema: runc's Intel RDT flags, accepted and refused when not
  // empty (sandbox has no Intel RDT, as linux.intelRdt is refused in config.json).
  std::string l3_cache_schema, mem_bw_schema;
};

// A size as docker and runc take it: bytes, or a number with b/k/m/g/t (any case, optional
// trailing "b"/"ib"): "512m" = 512 MiB; "-1" = unlimited. Throws naming FLAG.
int64_t parse_size(const std::string& text, const std::string& flag);

// FILE_JSON is the parsed -r document (nullopt when none). Throws sandbox::Error.
oci::Resources update_resources(const UpdateFlags& f,
                                const std::optional<nlohmann::json>& file_json);

}  // namespace sandbox::runtime
