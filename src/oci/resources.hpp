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
  std::optional<uint16_t>
      weight;  // 10..1000 (v1 blkio.weight); converted for io.weight / io.bfq.weight
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
  std::vector<DeviceRule> devices;             // in config order
  std::map<std::string, std::string> unified;  // cgroup2 file -> value, written as is

  // True when anything beyond the device rules is asked for: a limit that needs a cgroup
  // with controllers. (Device rules alone are also enforced when a cgroup exists.)
  bool has_limits() const;
};

// runc's reading of a zero: for the fields below a 0 asks for nothing, at create and at
// `update` (runc keeps them as plain integers, 0 being the Go zero value, and its cgroup
// writers skip them): memory limit/reservation/swap/kernel/kernelTCP, cpu shares, quota,
// period, realtimeRuntime, realtimePeriod, pids.limit, blockIO weight/leafWeight (also per
// device). Empty cpus/mems ask for nothing too. What stays a value when 0: swappiness, idle,
// burst (pointers in runc), throttle rates (0 lifts the device's limit) and hugepage limits.
// Engines rely on it: docker writes "cpu": {"shares": 0}, `docker update --memory` sends
// "quota": 0, "period": 0.
// Where the spec and runc part: runtime-spec up to 1.2 calls pids.limit REQUIRED, "the maximum
// number of tasks", and says nothing of 0; 1.3 (runtime-spec#1279) makes 0 a real limit, and
// runc >= 1.4 writes 1 for it. We keep runc 1.1's reading (the runc engines on this machine
// drive, and what a fresh cgroup already has: no limit), and -1 for "max".
void drop_unset_zeros(Resources& r);

}  // namespace sandbox::oci
