#pragma once
// Typed linux.resources (runtime-spec "Control groups" section): what the cgroup drivers apply
// at create and `update` changes later. An absent field is nullopt / empty: it asks for nothing.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sandbox::oci {

struct MemoryResources {
  std::optional<int64_t> limit;        // bytes; -1 = unlimited
  std::optional<int64_t> reservation;  // bytes (soft limit; memory.low on cgroup2)
  std::optional<int64_t> swap;         // bytes of memory+swap (v1 semantics); -1 = unlimited
  std::optional<int64_t> kernel;       // deprecated; v1 only, where the kernel has it
  std::optional<int64_t> kernel_tcp;   // v1 only
  std::optional<uint64_t> swappiness;  // 0..100
  std::optional<bool> disable_oom_killer;
  std::optional<bool> use_hierarchy;
  std::optional<bool> check_before_update;
};

struct CpuResources {
  std::optional<uint64_t> shares;  // v1 cpu.shares (2..262144); converted to cpu.weight on v2
  std::optional<int64_t> quota;    // microseconds per period; -1 = unlimited
  std::optional<uint64_t> burst;   // microseconds
  std::optional<uint64_t> period;  // microseconds
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::string cpus;  // cpuset list, "" = unchanged
  std::string mems;
  std::optional<int64_t> idle;  // cgroup2 cpu.idle (0 or 1)
};

struct PidsResources {
  int64_t limit = 0;  // required by the spec; -1 or 0 = unlimited (runc's reading)
};

struct WeightDevice {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
};

struct ThrottleDevice {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
};

struct BlockIoResources {
  std::optional<uint16_t> weight;  // 10..1000 (v1 blkio.weight); converted for io.weight / io.bfq.weight
  std::optional<uint16_t> leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps;
  std::vector<ThrottleDevice> throttle_write_bps;
  std::vector<ThrottleDevice> throttle_read_iops;
  std::vector<ThrottleDevice> throttle_write_iops;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB", ... as the v1 file names spell it
  uint64_t limit = 0;     // bytes
};

// One device cgroup rule. type 'a' (all), 'c' or 'b'; major/minor nullopt = any ("*").
struct DeviceRule {
  bool allow = false;
  char type = 'a';
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::string access = "rwm";  // a non-empty subset of "rwm"
};

struct Resources {
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<PidsResources> pids;
  std::optional<BlockIoResources> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::vector<DeviceRule> devices;               // in config order
  std::map<std::string, std::string> unified;   // cgroup2 file -> value, written as is

  // True when anything beyond the device rules is asked for: a limit that needs a cgroup
  // with controllers. (Device rules alone are also enforced when a cgroup exists.)
  bool has_limits() const;
};

}  // namespace sandbox::oci
