#include "cgroup/apply.hpp"

#include <fmt/ranges.h>

#include <set>

#include "cgroup/device_bpf.hpp"
#include "cgroup/files.hpp"
#include "cgroup/settings.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"

#include <fcntl.h>

namespace sandbox::cgroup {
namespace {

bool has(const Record& r, const char* controller) { return !r.v1_dir(controller).empty(); }

struct Pending {
  std::string dir;
  Setting s;
};

// Writes every setting; one that fails with EINVAL/EBUSY is retried after the others, which
// covers values whose order depends on the current ones (memory below memsw and back).
void write_all(std::vector<Pending> todo) {
  std::vector<Pending> again;
  for (auto& p : todo) {
    int err = try_write(p.dir, p.s.file, p.s.value);
    if (err == EINVAL || err == EBUSY) {
      again.push_back(p);
    } else if (err == ENOENT) {
      fail("cgroup {}: this kernel has no {} (asked for {})", p.dir, p.s.file, p.s.value);
    } else if (err) {
      throw_errno(fmt::format("cgroup {}/{}: write {}", p.dir, p.s.file, p.s.value), err);
    }
  }
  for (auto& p : again) write_file(p.dir, p.s.file, p.s.value);
}

bool empty(const oci::Resources& r) {
  return !r.memory && !r.cpu && !r.pids && !r.block_io && r.hugepage_limits.empty() &&
         r.devices.empty() && r.unified.empty();
}

}  // namespace

Split split_resources(const Record& r, const oci::Resources& res) {
  Split s;
  if (res.memory) (has(r, "memory") ? s.v1 : s.v2).memory = res.memory;
  if (res.pids) (has(r, "pids") ? s.v1 : s.v2).pids = res.pids;
  if (res.block_io) (has(r, "blkio") ? s.v1 : s.v2).block_io = res.block_io;
  if (!res.hugepage_limits.empty())
    (has(r, "hugetlb") ? s.v1 : s.v2).hugepage_limits = res.hugepage_limits;
  if (res.cpu) {
    // cpus/mems belong to cpuset, the rest to cpu: each follows its own controller.
    oci::CpuResources cpu = *res.cpu, cpuset;
    cpuset.cpus = std::move(cpu.cpus);
    cpuset.mems = std::move(cpu.mems);
    cpu.cpus.clear();
    cpu.mems.clear();
    auto put = [&](oci::Resources& into, const oci::CpuResources& part) {
      if (!into.cpu) into.cpu = oci::CpuResources{};
      auto& c = *into.cpu;
      if (!part.cpus.empty()) c.cpus = part.cpus;
      if (!part.mems.empty()) c.mems = part.mems;
      if (part.shares) c.shares = part.shares;
      if (part.quota) c.quota = part.quota;
      if (part.burst) c.burst = part.burst;
      if (part.period) c.period = part.period;
      if (part.realtime_runtime) c.realtime_runtime = part.realtime_runtime;
      if (part.realtime_period) c.realtime_period = part.realtime_period;
      if (part.idle) c.idle = part.idle;
    };
    bool cpu_asks = cpu.shares || cpu.quota || cpu.burst || cpu.period || cpu.realtime_runtime ||
                    cpu.realtime_period || cpu.idle;
    if (cpu_asks) put(has(r, "cpu") ? s.v1 : s.v2, cpu);
    if (!cpuset.cpus.empty() || !cpuset.mems.empty()) put(has(r, "cpuset") ? s.v1 : s.v2, cpuset);
  }
  s.v2.unified = res.unified;
  s.devices_v1 = has(r, "devices");
  (s.devices_v1 ? s.v1 : s.v2).devices = res.devices;
  return s;
}

void apply_resources(const Record& r, const oci::Resources& res, const ApplyOptions& o) {
  if (r.none()) return;
  Split split = split_resources(r, res);
  std::vector<Pending> todo;

  for (const auto& s : v1_settings(split.v1)) {
    std::string dir = r.v1_dir(s.controller);
    if (dir.empty()) fail("cgroup: no {} hierarchy for {}", s.controller, s.file);
    todo.push_back({dir, s});
  }

  // Device rules: v1 lists, or a cgroup2 eBPF program (privileged only: unprivileged callers
  // cannot load one, and a rootless container cannot reach more devices than its user anyway).
  bool any_rules = !res.devices.empty();
  if (any_rules || (o.devices && !o.devices->empty())) {
    auto rules = effective_device_rules(res, o.devices ? *o.devices : std::vector<oci::Device>{});
    if (split.devices_v1) {
      if (o.privileged)
        for (const auto& s : v1_device_settings(rules)) todo.push_back({r.v1_dir("devices"), s});
      else
        log::debug("device rules not written to the v1 devices cgroup: not privileged");
    } else if (!r.v2.empty() && any_rules) {
      if (o.privileged) {
        Fd dir(::open(r.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw_errno("cgroup: open " + r.v2);
        attach_device_program(dir.get(), rules);
      } else {
        log::debug("device rules not enforced by eBPF: an unprivileged runtime cannot load it");
      }
    }
  }

  split.v2.devices.clear();
  if (!empty(split.v2)) {
    if (r.v2.empty())
      fail("cannot apply linux.resources: the container has no cgroup2 directory for {}{}",
           split.v2.unified.empty() ? "these limits" : "linux.resources.unified", o.advice);
    auto settings = v2_settings(split.v2);
    std::set<std::string> wanted;
    for (const auto& s : settings)
      if (!s.controller.empty()) wanted.insert(s.controller);
    if (o.enable_controllers) {
      std::string mount = host_layout().v2_mount;
      enable_controllers(mount, r.v2, wanted);
    }
    auto have = controllers(r.v2);
    for (const auto& c : wanted)
      if (!have.count(c))
        fail(
            "cannot apply the {} limits: cgroup {} has no {} controller (it has: {}){}", c, r.v2,
            c, have.empty() ? "none" : fmt::format("{}", fmt::join(have, " ")), o.advice);
    for (const auto& s : settings) todo.push_back({r.v2, s});
  }
  write_all(std::move(todo));
}

}  // namespace sandbox::cgroup
