#include "cgroup/stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include <limits>
#include <map>
#include <sstream>

#include "cgroup/files.hpp"
#include "sys/dir_stream.hpp"

namespace sandbox::cgroup {
namespace {

// ordered: runc's field order (its Go structs), so `events` lines read like runc's.
using json = nlohmann::ordered_json;

std::optional<uint64_t> number(const std::string& dir, const std::string& file) {
  auto text = read_file(dir, file);
  if (!text || text->empty()) return std::nullopt;
  if (*text == "max") return std::numeric_limits<uint64_t>::max();
  try {
    return std::stoull(*text);
  } catch (...) {
    return std::nullopt;
  }
}

// "key value" lines (memory.stat, cpu.stat, memory.events, cpuacct.stat).
std::map<std::string, uint64_t> keyed(const std::string& dir, const std::string& file) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(read_file(dir, file).value_or(""));
  std::string key;
  uint64_t v;
  while (in >> key >> v) out[key] = v;
  return out;
}

// The directory holding FILE: the v1 hierarchy of CONTROLLER, else cgroup2.
std::string dir_for(const Record& r, const char* controller, const std::string& file) {
  std::string v1 = r.v1_dir(controller);
  if (!v1.empty()) return v1;
  if (!r.v2.empty() && exists(r.v2, file)) return r.v2;
  return "";
}

json cpu_stats(const Record& r) {
  json usage = json::object(), throttling = json::object();
  if (auto d = r.v1_dir("cpuacct"); !d.empty()) {
    if (auto v = number(d, "cpuacct.usage")) usage["total"] = *v;
    std::istringstream per(read_file(d, "cpuacct.usage_percpu").value_or(""));
    std::vector<uint64_t> percpu;
    uint64_t v;
    while (per >> v) percpu.push_back(v);
    if (!percpu.empty()) usage["percpu"] = percpu;
    // cpuacct.stat counts clock ticks; runc reports nanoseconds.
    auto st = keyed(d, "cpuacct.stat");
    uint64_t ns_per_tick = 1'000'000'000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    usage["kernel"] = st["system"] * ns_per_tick;
    usage["user"] = st["user"] * ns_per_tick;
  } else if (!r.v2.empty() && exists(r.v2, "cpu.stat")) {
    auto st = keyed(r.v2, "cpu.stat");
    usage["total"] = st["usage_usec"] * 1000;
    usage["kernel"] = st["system_usec"] * 1000;
    usage["user"] = st["user_usec"] * 1000;
    if (st.count("nr_periods")) {
      throttling["periods"] = st["nr_periods"];
      throttling["throttledPeriods"] = st["nr_throttled"];
      throttling["throttledTime"] = st["throttled_usec"] * 1000;
    }
  }
  if (auto d = r.v1_dir("cpu"); !d.empty()) {
    auto st = keyed(d, "cpu.stat");
    if (st.count("nr_periods")) {
      throttling["periods"] = st["nr_periods"];
      throttling["throttledPeriods"] = st["nr_throttled"];
      throttling["throttledTime"] = st["throttled_time"];
    }
  }
  return {{"usage", usage}, {"throttling", throttling}};
}

json memory_entry(const std::string& dir, const std::string& prefix) {
  json e = json::object();
  e["limit"] = number(dir, prefix + ".limit_in_bytes").value_or(0);
  if (auto v = number(dir, prefix + ".usage_in_bytes")) e["usage"] = *v;
  if (auto v = number(dir, prefix + ".max_usage_in_bytes")) e["max"] = *v;
  e["failcnt"] = number(dir, prefix + ".failcnt").value_or(0);
  return e;
}

json memory_stats(const Record& r) {
  json m = json::object();
  if (auto d = r.v1_dir("memory"); !d.empty()) {
    auto raw = keyed(d, "memory.stat");
    m["cache"] = raw.count("total_cache") ? raw["total_cache"] : raw["cache"];
    m["usage"] = memory_entry(d, "memory");
    if (exists(d, "memory.memsw.usage_in_bytes")) m["swap"] = memory_entry(d, "memory.memsw");
    if (exists(d, "memory.kmem.usage_in_bytes")) m["kernel"] = memory_entry(d, "memory.kmem");
    if (exists(d, "memory.kmem.tcp.usage_in_bytes"))
      m["kernelTCP"] = memory_entry(d, "memory.kmem.tcp");
    m["raw"] = raw;
  } else if (!r.v2.empty() && exists(r.v2, "memory.current")) {
    auto raw = keyed(r.v2, "memory.stat");
    auto events = keyed(r.v2, "memory.events");
    m["cache"] = raw["file"];
    json usage = {{"limit", number(r.v2, "memory.max").value_or(0)},
                  {"usage", number(r.v2, "memory.current").value_or(0)}};
    if (auto v = number(r.v2, "memory.peak")) usage["max"] = *v;
    usage["failcnt"] = events["max"];
    m["usage"] = usage;
    if (exists(r.v2, "memory.swap.current"))
      m["swap"] = {{"limit", number(r.v2, "memory.swap.max").value_or(0)},
                   {"usage", number(r.v2, "memory.swap.current").value_or(0)},
                   {"failcnt", 0}};
    m["raw"] = raw;
  }
  return m;
}

json pids_stats(const Record& r) {
  json p = json::object();
  std::string d = dir_for(r, "pids", "pids.current");
  if (d.empty()) return p;
  if (auto v = number(d, "pids.current")) p["current"] = *v;
  auto limit = number(d, "pids.max");
  // runc reports no limit as 0
  if (limit && *limit != std::numeric_limits<uint64_t>::max()) p["limit"] = *limit;
  return p;
}

json blkio_entries(const std::string& dir, const std::string& file) {
  json out = json::array();
  std::istringstream in(read_file(dir, file).value_or(""));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string dev, op;
    uint64_t value;
    unsigned major, minor;
    if (!(l >> dev >> op >> value) || std::sscanf(dev.c_str(), "%u:%u", &major, &minor) != 2)
      continue;
    out.push_back({{"major", major}, {"minor", minor}, {"op", op}, {"value", value}});
  }
  return out;
}

json blkio_stats(const Record& r) {
  json b = json::object();
  if (auto d = r.v1_dir("blkio"); !d.empty()) {
    b["ioServiceBytesRecursive"] = blkio_entries(d, "blkio.throttle.io_service_bytes");
    b["ioServicedRecursive"] = blkio_entries(d, "blkio.throttle.io_serviced");
  } else if (!r.v2.empty() && exists(r.v2, "io.stat")) {
    // io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." -> runc's Read/Write entries
    json bytes = json::array(), ios = json::array();
    std::istringstream in(read_file(r.v2, "io.stat").value_or(""));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::string dev, kv;
      unsigned major, minor;
      if (!(l >> dev) || std::sscanf(dev.c_str(), "%u:%u", &major, &minor) != 2) continue;
      while (l >> kv) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        std::string k = kv.substr(0, eq);
        uint64_t v = std::stoull(kv.substr(eq + 1));
        auto entry = [&](const char* op) {
          return json{{"major", major}, {"minor", minor}, {"op", op}, {"value", v}};
        };
        if (k == "rbytes") bytes.push_back(entry("Read"));
        if (k == "wbytes") bytes.push_back(entry("Write"));
        if (k == "rios") ios.push_back(entry("Read"));
        if (k == "wios") ios.push_back(entry("Write"));
      }
    }
    b["ioServiceBytesRecursive"] = bytes;
    b["ioServicedRecursive"] = ios;
  }
  return b;
}

json hugetlb_stats(const Record& r) {
  json h = json::object();
  bool v1 = !r.v1_dir("hugetlb").empty();
  std::string d = v1 ? r.v1_dir("hugetlb") : r.v2;
  if (d.empty()) return h;
  auto dir = sys::DirStream::open(d);
  if (!dir) return h;
  std::string suffix = v1 ? ".limit_in_bytes" : ".max";
  while (const dirent* e = dir.next()) {
    std::string name = e->d_name;
    if (name.rfind("hugetlb.", 0) != 0 || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string size = name.substr(8, name.size() - 8 - suffix.size());
    if (size.find('.') != std::string::npos) continue;  // hugetlb.2MB.rsvd.max
    std::string p = "hugetlb." + size;
    json s = json::object();
    if (v1) {
      if (auto v = number(d, p + ".usage_in_bytes")) s["usage"] = *v;
      if (auto v = number(d, p + ".max_usage_in_bytes")) s["max"] = *v;
      s["failcnt"] = number(d, p + ".failcnt").value_or(0);
    } else {
      if (auto v = number(d, p + ".current")) s["usage"] = *v;
      s["failcnt"] = keyed(d, p + ".events")["max"];
    }
    h[size] = s;
  }
  return h;
}

}  // namespace

nlohmann::ordered_json read_stats(const Record& r) {
  return {{"cpu", cpu_stats(r)},
          {"memory", memory_stats(r)},
          {"pids", pids_stats(r)},
          {"blkio", blkio_stats(r)},
          {"hugetlb", hugetlb_stats(r)}};
}

std::optional<uint64_t> oom_kill_count(const Record& r) {
  if (auto d = r.v1_dir("memory"); !d.empty()) {
    auto st = keyed(d, "memory.oom_control");
    if (st.count("oom_kill")) return st["oom_kill"];
    return std::nullopt;
  }
  if (!r.v2.empty() && exists(r.v2, "memory.events")) {
    auto ev = keyed(r.v2, "memory.events");
    return ev.count("oom_kill") ? ev["oom_kill"] : ev["oom"];
  }
  return std::nullopt;
}

}  // namespace sandbox::cgroup
