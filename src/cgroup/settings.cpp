#include "cgroup/settings.hpp"

#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

std::string num(int64_t v) {
  return std::to_string(v);
}
std::string unum(uint64_t v) {
  return std::to_string(v);
}
std::string dev(int64_t major, int64_t minor) {
  return num(major) + ":" + num(minor);
}

// cgroup2 spells "no limit" as "max"; v1 configs say -1.
std::string v2_limit(int64_t v) {
  return v < 0 ? "max" : num(v);
}

// The conversions crun documents for v1 values on cgroup2 (crun(1), "CGROUP v2"):
//   cpu.weight = 1 + ((shares - 2) * 9999) / 262142   (shares 2..262144 -> weight 1..10000)
//   io.weight  = 1 + ((weight - 10) * 9999) / 990     (blkio 10..1000   -> io 1..10000)
uint64_t cpu_weight(uint64_t shares) {
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}
uint64_t io_weight(uint64_t blkio) {
  if (blkio < 10) blkio = 10;
  if (blkio > 1000) blkio = 1000;
  return 1 + ((blkio - 10) * 9999) / 990;
}

[[noreturn]] void not_on_v2(const char* field) {
  fail("linux.resources.{}: not available on cgroup v2", field);
}

}  // namespace

std::vector<Setting> v1_settings(const oci::Resources& r) {
  std::vector<Setting> out;
  auto add = [&](const char* c, const std::string& f, const std::string& v) {
    out.push_back({c, f, v});
  };
  if (r.memory) {
    const auto& m = *r.memory;
    // memory before memory+swap: the kernel wants limit <= memsw; the writer retries the
    // other order when shrinking.
    if (m.limit) add("memory", "memory.limit_in_bytes", num(*m.limit));
    if (m.swap) add("memory", "memory.memsw.limit_in_bytes", num(*m.swap));
    // runc: unlimited memory with no swap given is unlimited memory+swap as well (the kernel
    // refuses a memory limit above a memsw limit), where the kernel accounts swap.
    if (m.limit && *m.limit < 0 && !m.swap)
      out.push_back({"memory", "memory.memsw.limit_in_bytes", "-1", true});
    if (m.reservation) add("memory", "memory.soft_limit_in_bytes", num(*m.reservation));
    if (m.kernel) add("memory", "memory.kmem.limit_in_bytes", num(*m.kernel));
    if (m.kernel_tcp) add("memory", "memory.kmem.tcp.limit_in_bytes", num(*m.kernel_tcp));
    if (m.swappiness) add("memory", "memory.swappiness", unum(*m.swappiness));
    if (m.disable_oom_killer && *m.disable_oom_killer) add("memory", "memory.oom_control", "1");
    if (m.use_hierarchy) add("memory", "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0");
  }
  if (r.cpu) {
    const auto& c = *r.cpu;
    if (c.shares) add("cpu", "cpu.shares", unum(*c.shares));
    if (c.period) add("cpu", "cpu.cfs_period_us", unum(*c.period));
    if (c.quota) add("cpu", "cpu.cfs_quota_us", num(*c.quota));
    if (c.burst) add("cpu", "cpu.cfs_burst_us", unum(*c.burst));
    if (c.realtime_period) add("cpu", "cpu.rt_period_us", unum(*c.realtime_period));
    if (c.realtime_runtime) add("cpu", "cpu.rt_runtime_us", num(*c.realtime_runtime));
    if (c.idle) add("cpu", "cpu.idle", num(*c.idle));
    if (!c.cpus.empty()) add("cpuset", "cpuset.cpus", c.cpus);
    if (!c.mems.empty()) add("cpuset", "cpuset.mems", c.mems);
  }
  if (r.pids) add("pids", "pids.max", r.pids->limit > 0 ? num(r.pids->limit) : "max");
  if (r.block_io) {
    const auto& b = *r.block_io;
    if (b.weight) add("blkio", "blkio.weight", unum(*b.weight));
    if (b.leaf_weight) add("blkio", "blkio.leaf_weight", unum(*b.leaf_weight));
    for (const auto& d : b.weight_device) {
      if (d.weight)
        add("blkio", "blkio.weight_device", dev(d.major, d.minor) + " " + unum(*d.weight));
      if (d.leaf_weight)
        add("blkio", "blkio.leaf_weight_device",
            dev(d.major, d.minor) + " " + unum(*d.leaf_weight));
    }
    auto throttle = [&](const char* file, const std::vector<oci::ThrottleDevice>& list) {
      for (const auto& d : list) add("blkio", file, dev(d.major, d.minor) + " " + unum(d.rate));
    };
    throttle("blkio.throttle.read_bps_device", b.throttle_read_bps);
    throttle("blkio.throttle.write_bps_device", b.throttle_write_bps);
    throttle("blkio.throttle.read_iops_device", b.throttle_read_iops);
    throttle("blkio.throttle.write_iops_device", b.throttle_write_iops);
  }
  for (const auto& h : r.hugepage_limits)
    add("hugetlb", "hugetlb." + h.page_size + ".limit_in_bytes", unum(h.limit));
  return out;
}

std::vector<Setting> v2_settings(const oci::Resources& r) {
  std::vector<Setting> out;
  auto add = [&](const char* c, const std::string& f, const std::string& v) {
    out.push_back({c, f, v});
  };
  if (r.memory) {
    const auto& m = *r.memory;
    if (m.kernel) not_on_v2("memory.kernel");
    if (m.kernel_tcp) not_on_v2("memory.kernelTCP");
    if (m.swappiness) not_on_v2("memory.swappiness");
    if (m.disable_oom_killer && *m.disable_oom_killer) not_on_v2("memory.disableOOMKiller");
    if (m.limit) add("memory", "memory.max", v2_limit(*m.limit));
    if (m.swap) {
      // v1's swap is memory+swap; cgroup2's swap.max is the swap alone.
      std::string swap;
      if (*m.swap < 0) {
        swap = "max";
      } else {
        if (!m.limit || *m.limit < 0)
          fail("linux.resources.memory.swap: on cgroup v2 it needs a memory.limit as well");
        if (*m.swap < *m.limit)
          fail("linux.resources.memory.swap: {} is below memory.limit {} (swap is memory+swap)",
               *m.swap, *m.limit);
        swap = num(*m.swap - *m.limit);
      }
      add("memory", "memory.swap.max", swap);
    } else if (m.limit && *m.limit < 0) {
      out.push_back({"memory", "memory.swap.max", "max", true});  // as on v1, above
    }
    if (m.reservation) add("memory", "memory.low", v2_limit(*m.reservation));
  }
  if (r.cpu) {
    const auto& c = *r.cpu;
    if (c.realtime_period || c.realtime_runtime) not_on_v2("cpu.realtimeRuntime/realtimePeriod");
    if (c.shares) add("cpu", "cpu.weight", unum(cpu_weight(*c.shares)));
    if (c.quota || c.period) {
      // "QUOTA [PERIOD]": without a period the kernel keeps the current one (an update of
      // the quota alone must not reset a period set before). As runc, a period alone goes
      // with "max": cpu.max has no way to name the period only.
      std::string max = c.quota && *c.quota > 0 ? num(*c.quota) : "max";
      if (c.period) max += " " + unum(*c.period);
      add("cpu", "cpu.max", max);
    }
    if (c.burst) add("cpu", "cpu.max.burst", unum(*c.burst));
    if (c.idle) add("cpu", "cpu.idle", num(*c.idle));
    if (!c.cpus.empty()) add("cpuset", "cpuset.cpus", c.cpus);
    if (!c.mems.empty()) add("cpuset", "cpuset.mems", c.mems);
  }
  if (r.pids) add("pids", "pids.max", r.pids->limit > 0 ? num(r.pids->limit) : "max");
  if (r.block_io) {
    const auto& b = *r.block_io;
    if (b.leaf_weight) not_on_v2("blockIO.leafWeight");
    if (b.weight) add("io", "io.weight", "default " + unum(io_weight(*b.weight)));
    for (const auto& d : b.weight_device) {
      if (d.leaf_weight) not_on_v2("blockIO.weightDevice[].leafWeight");
      if (d.weight)
        add("io", "io.weight", dev(d.major, d.minor) + " " + unum(io_weight(*d.weight)));
    }
    auto throttle = [&](const char* key, const std::vector<oci::ThrottleDevice>& list) {
      for (const auto& d : list)
        add("io", "io.max", dev(d.major, d.minor) + " " + key + "=" + unum(d.rate));
    };
    throttle("rbps", b.throttle_read_bps);
    throttle("wbps", b.throttle_write_bps);
    throttle("riops", b.throttle_read_iops);
    throttle("wiops", b.throttle_write_iops);
  }
  for (const auto& h : r.hugepage_limits)
    add("hugetlb", "hugetlb." + h.page_size + ".max", unum(h.limit));
  for (const auto& [file, value] : r.unified) {
    std::string controller = file.substr(0, file.find('.'));
    if (controller == "cgroup") controller.clear();
    out.push_back({controller, file, value});
  }
  return out;
}

std::vector<oci::DeviceRule> effective_device_rules(const oci::Resources& r) {
  std::vector<oci::DeviceRule> rules = r.devices;
  auto allow = [&](char type, std::optional<int64_t> major, std::optional<int64_t> minor,
                   const char* access) {
    rules.push_back(oci::DeviceRule{true, type, major, minor, access});
  };
  // What every container gets (runc's default allow list), so a deny-all config still works.
  allow('c', std::nullopt, std::nullopt, "m");
  allow('b', std::nullopt, std::nullopt, "m");
  allow('c', 1, 3, "rwm");               // null
  allow('c', 1, 5, "rwm");               // zero
  allow('c', 1, 7, "rwm");               // full
  allow('c', 1, 8, "rwm");               // random
  allow('c', 1, 9, "rwm");               // urandom
  allow('c', 5, 0, "rwm");               // tty
  allow('c', 5, 2, "rwm");               // ptmx
  allow('c', 136, std::nullopt, "rwm");  // /dev/pts/*
  return rules;
}

}  // namespace sandbox::cgroup
