#include "cgroup/systemd_properties.hpp"

#include <charconv>
#include <limits>

#include "cgroup/apply.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kUsecPerSec = 1'000'000;

bool to_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "max" (cgroup2) and "-1" (v1) are no limit: systemd's infinity.
bool limit_value(const std::string& v, uint64_t* out) {
  if (v == "max" || v == "-1") {
    *out = kInfinity;
    return true;
  }
  return to_u64(v, out);
}

UnitProperty number(const char* name, uint64_t n) {
  return UnitProperty{name, false, n, {}};
}

// systemd writes cpu.max as quota_per_sec * period / 1 s, rounded down. Rounding the per-second
// quota up makes that exactly QUOTA again for every period up to 1 s (the kernel's maximum),
// so a daemon-reload writes back what sandbox wrote. (runc rounds up to whole 10 ms, which
// older systemd needed and which changes the file.)
uint64_t quota_per_sec(uint64_t quota, uint64_t period) {
  return (quota * kUsecPerSec + period - 1) / period;
}

void add_cpu_quota(std::vector<UnitProperty>& out, const std::string& quota,
                   const std::string& period) {
  uint64_t q = 0, p = 0;
  if (!to_u64(period, &p) || p == 0) return;
  if (!limit_value(quota, &q)) return;
  out.push_back(number("CPUQuotaPeriodUSec", p));
  out.push_back(number("CPUQuotaPerSecUSec", q == kInfinity ? kInfinity : quota_per_sec(q, p)));
}

}  // namespace

std::vector<uint8_t> cpu_list_mask(const std::string& list) {
  std::vector<uint8_t> mask;
  auto set = [&](uint64_t n) {
    if (n >= 1u << 16) fail("cpu list \"{}\": {} is too large", list, n);
    if (mask.size() <= n / 8) mask.resize(n / 8 + 1, 0);
    mask[n / 8] |= static_cast<uint8_t>(1u << (n % 8));
  };
  std::string_view rest = list;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto dash = item.find('-');
    uint64_t lo = 0, hi = 0;
    bool ok = dash == std::string_view::npos
                  ? to_u64(item, &lo) && (hi = lo, true)
                  : to_u64(item.substr(0, dash), &lo) && to_u64(item.substr(dash + 1), &hi);
    if (!ok || hi < lo) fail("cpu list \"{}\": \"{}\" is not a number or a range", list, item);
    if (hi >= 1u << 16) fail("cpu list \"{}\": {} is too large", list, hi);
    for (uint64_t n = lo; n <= hi; ++n) set(n);
  }
  return mask;
}

std::vector<UnitProperty> unit_properties(const std::vector<Setting>& v2,
                                          const std::vector<Setting>& v1) {
  std::vector<UnitProperty> out;
  uint64_t n = 0;
  for (const auto& s : v2) {
    if (s.optional) continue;
    const std::string& f = s.file;
    if (f == "memory.max" && limit_value(s.value, &n)) out.push_back(number("MemoryMax", n));
    if (f == "memory.low" && limit_value(s.value, &n)) out.push_back(number("MemoryLow", n));
    if (f == "memory.high" && limit_value(s.value, &n)) out.push_back(number("MemoryHigh", n));
    if (f == "memory.swap.max" && limit_value(s.value, &n))
      out.push_back(number("MemorySwapMax", n));
    if (f == "pids.max" && limit_value(s.value, &n)) out.push_back(number("TasksMax", n));
    if (f == "cpu.weight" && to_u64(s.value, &n)) out.push_back(number("CPUWeight", n));
    if (f == "cpu.max") {
      auto sp = s.value.find(' ');
      if (sp != std::string::npos)
        add_cpu_quota(out, s.value.substr(0, sp), s.value.substr(sp + 1));
    }
    // io.weight is written as "default N".
    if (f == "io.weight" && s.value.rfind("default ", 0) == 0 && to_u64(s.value.substr(8), &n))
      out.push_back(number("IOWeight", n));
    if (f == "cpuset.cpus") out.push_back({"AllowedCPUs", true, 0, cpu_list_mask(s.value)});
    if (f == "cpuset.mems") out.push_back({"AllowedMemoryNodes", true, 0, cpu_list_mask(s.value)});
  }
  std::string quota, period;
  for (const auto& s : v1) {
    if (s.optional) continue;
    const std::string& f = s.file;
    if (f == "memory.limit_in_bytes" && limit_value(s.value, &n))
      out.push_back(number("MemoryLimit", n));
    if (f == "pids.max" && limit_value(s.value, &n)) out.push_back(number("TasksMax", n));
    if (f == "cpu.shares" && to_u64(s.value, &n)) out.push_back(number("CPUShares", n));
    if (f == "blkio.weight" && to_u64(s.value, &n)) out.push_back(number("BlockIOWeight", n));
    if (f == "cpu.cfs_quota_us") quota = s.value;
    if (f == "cpu.cfs_period_us") period = s.value;
  }
  // v1 writes the period alone when no quota is given: systemd can only say both.
  if (!quota.empty() && !period.empty()) add_cpu_quota(out, quota, period);
  return out;
}

std::vector<UnitProperty> unit_properties(const Record& r, const oci::Resources& res) {
  Split split = split_resources(r, res);
  return unit_properties(v2_settings(split.v2), v1_settings(split.v1));
}

std::string property_arg(const UnitProperty& p) {
  if (!p.bitmask) return p.name + "=t:" + std::to_string(p.number);
  static const char* hex = "0123456789abcdef";
  std::string s = p.name + "=ay:";
  for (uint8_t b : p.bytes) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

bool parse_property_arg(const std::string& arg, UnitProperty* out) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  UnitProperty p;
  p.name = arg.substr(0, eq);
  std::string_view v = std::string_view(arg).substr(eq + 1);
  if (v.rfind("t:", 0) == 0) {
    if (!to_u64(v.substr(2), &p.number)) return false;
  } else if (v.rfind("ay:", 0) == 0) {
    p.bitmask = true;
    v.remove_prefix(3);
    if (v.size() % 2) return false;
    for (size_t i = 0; i < v.size(); i += 2) {
      unsigned b = 0;
      auto [e, ec] = std::from_chars(v.data() + i, v.data() + i + 2, b, 16);
      if (ec != std::errc() || e != v.data() + i + 2) return false;
      p.bytes.push_back(static_cast<uint8_t>(b));
    }
  } else {
    return false;
  }
  *out = std::move(p);
  return true;
}

}  // namespace sandbox::cgroup
