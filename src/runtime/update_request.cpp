#include "runtime/update_request.hpp"

#include <cctype>
#include <limits>

#include "oci/parse.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {

int64_t parse_size(const std::string& text, const std::string& flag) {
  if (text == "-1") return -1;
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t d = static_cast<uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) fail("{} {}: too large", flag, text);
    n = n * 10 + d;
    ++i;
  }
  if (i == 0) fail("{} {}: not a size (e.g. 512m, 1g, 1048576)", flag, text);
  std::string unit;
  for (; i < text.size(); ++i)
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else {
    char u = unit[0];
    std::string rest = unit.substr(1);
    if (rest != "" && rest != "b" && rest != "ib") fail("{} {}: unknown unit", flag, text);
    switch (u) {
      case 'k':
        mult = 1ULL << 10;
        break;
      case 'm':
        mult = 1ULL << 20;
        break;
      case 'g':
        mult = 1ULL << 30;
        break;
      case 't':
        mult = 1ULL << 40;
        break;
      default:
        fail("{} {}: unknown unit", flag, text);
    }
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / mult)
    fail("{} {}: too large", flag, text);
  return static_cast<int64_t>(n * mult);
}

oci::Resources update_resources(const UpdateFlags& f,
                                const std::optional<nlohmann::json>& file_json) {
  if (!f.l3_cache_schema.empty())
    fail("update --l3-cache-schema: Intel RDT is not supported by sandbox");
  if (!f.mem_bw_schema.empty())
    fail("update --mem-bw-schema: Intel RDT is not supported by sandbox");
  oci::Resources r;
  if (file_json) {
    std::string label = f.resources == "-" ? "resources (stdin)" : f.resources;
    r = oci::parse_resources_file(*file_json, label);
  }
  auto mem = [&]() -> oci::MemoryResources& {
    if (!r.memory) r.memory = oci::MemoryResources{};
    return *r.memory;
  };
  auto cpu = [&]() -> oci::CpuResources& {
    if (!r.cpu) r.cpu = oci::CpuResources{};
    return *r.cpu;
  };
  if (f.memory) mem().limit = parse_size(*f.memory, "--memory");
  if (f.memory_reservation)
    mem().reservation = parse_size(*f.memory_reservation, "--memory-reservation");
  if (f.memory_swap) mem().swap = parse_size(*f.memory_swap, "--memory-swap");
  if (f.kernel_memory) mem().kernel = parse_size(*f.kernel_memory, "--kernel-memory");
  if (f.kernel_memory_tcp)
    mem().kernel_tcp = parse_size(*f.kernel_memory_tcp, "--kernel-memory-tcp");
  if (f.pids_limit) r.pids = oci::PidsResources{*f.pids_limit};
  if (f.cpu_shares) cpu().shares = *f.cpu_shares;
  if (f.cpu_period) cpu().period = *f.cpu_period;
  if (f.cpu_quota) cpu().quota = *f.cpu_quota;
  if (f.cpu_burst) cpu().burst = *f.cpu_burst;
  if (f.cpu_rt_period) cpu().realtime_period = *f.cpu_rt_period;
  if (f.cpu_rt_runtime) cpu().realtime_runtime = *f.cpu_rt_runtime;
  if (f.cpu_idle) cpu().idle = *f.cpu_idle;
  if (f.cpuset_cpus) cpu().cpus = *f.cpuset_cpus;
  if (f.cpuset_mems) cpu().mems = *f.cpuset_mems;
  if (f.blkio_weight) {
    if (*f.blkio_weight != 0 && (*f.blkio_weight < 10 || *f.blkio_weight > 1000))
      fail("--blkio-weight {}: must be from 10 to 1000", *f.blkio_weight);
    if (!r.block_io) r.block_io = oci::BlockIoResources{};
    r.block_io->weight = *f.blkio_weight;
  }
  // A flag given as 0 asks for nothing either (runc's update reads both the same way).
  oci::drop_unset_zeros(r);
  return r;
}

}  // namespace sandbox::runtime
