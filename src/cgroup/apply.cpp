#include "cgroup/apply.hpp"

#include <fcntl.h>
#include <fmt/ranges.h>

#include <cstring>
#include <optional>
#include <set>

#include "cgroup/device_bpf.hpp"
#include "cgroup/device_rules_v1.hpp"
#include "cgroup/files.hpp"
#include "cgroup/restore.hpp"
#include "cgroup/settings.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"

namespace sandbox::cgroup {
namespace {

bool has(const Record& r, const char* controller) {
  return !r.v1_dir(controller).empty();
}

struct Pending {
  std::string dir;
  Setting s;
};

struct Written {
  std::string dir;
  std::string file;
  std::optional<std::string> before;  // what to write back; nullopt: cannot be undone
};

// Puts back what WRITTEN changed, last first. Values whose order depends on each other
// (memory and memsw) get a second pass, as in write_all. Returns how many stayed changed.
size_t put_back(const std::vector<Written>& written) {
  std::vector<const Written*> again;
  size_t left = 0;
  for (auto it = written.rbegin(); it != written.rend(); ++it) {
    if (!it->before) {
      ++left;
    } else if (try_write(it->dir, it->file, *it->before)) {
      again.push_back(&*it);
    }
  }
  for (const auto* w : again) {
    if (int err = try_write(w->dir, w->file, *w->before)) {
      log::debug("cgroup {}/{}: could not put back {}: {}", w->dir, w->file, *w->before,
                 errno_text(err));
      ++left;
    }
  }
  return left;
}

// Writes every setting; one that fails with EINVAL/EBUSY is retried after the others, which
// covers values whose order depends on the current ones (memory below memsw and back). With
// UNDO (update), each file is read before its first write and a failure puts back every
// value already written before the error is reported: the update applies whole or not at all.
void write_all(std::vector<Pending> todo, bool undo) {
  std::vector<Written> written;
  auto write_one = [&](const Pending& p) {
    std::optional<std::string> before;
    if (undo)
      if (auto now = read_file(p.dir, p.s.file)) before = value_to_restore(p.s, *now);
    int err = try_write(p.dir, p.s.file, p.s.value);
    if (!err && undo) written.push_back({p.dir, p.s.file, std::move(before)});
    return err;
  };
  auto fail_undone = [&](const Pending& p, int err) {
    std::string undone;
    if (undo) {
      size_t left = put_back(written);
      undone = left ? fmt::format(" ({} of the values written before could not be put back)", left)
                    : " (nothing was changed)";
    }
    if (err == ENOENT)
      fail("cgroup {}: this kernel has no {} (asked for {}){}", p.dir, p.s.file, p.s.value, undone);
    fail("cgroup {}/{}: write {}: {}{}", p.dir, p.s.file, p.s.value, errno_text(err), undone);
  };
  std::vector<Pending> again;
  for (auto& p : todo) {
    int err = write_one(p);
    if (err == ENOENT && p.s.optional) continue;
    if (err == EINVAL || err == EBUSY)
      again.push_back(p);
    else if (err)
      fail_undone(p, err);
  }
  for (auto& p : again)
    if (int err = write_one(p)) fail_undone(p, err);
}

// blkio.weight and blkio.weight_device belong to CFQ, gone from kernels since 5.0; BFQ has
// blkio.bfq.weight(_device) instead (same values). runc uses whichever the cgroup has.
void pick_blkio_weight_file(const std::string& dir, Setting& s) {
  if (s.file != "blkio.weight" && s.file != "blkio.weight_device") return;
  if (exists(dir, s.file)) return;
  std::string bfq = "blkio.bfq." + s.file.substr(strlen("blkio."));
  if (!exists(dir, bfq))
    fail(
        "cgroup {}: this kernel has neither {} nor {} (linux.resources.blockIO weight: no CFQ "
        "or BFQ I/O scheduler support)",
        dir, s.file, bfq);
  s.file = bfq;
}

bool empty(const oci::Resources& r) {
  return !r.memory && !r.cpu && !r.pids && !r.block_io && r.hugepage_limits.empty() &&
         r.devices.empty() && r.unified.empty();
}

}  // namespace

void check_unified_fits_host(const oci::Resources& res, const Layout& host) {
  for (const auto& [file, value] : res.unified) {
    std::string controller = file.substr(0, file.find('.'));
    if (host.v2_mount.empty())
      fail("invalid configuration: linux.resources.unified.{}: this host has no cgroup2 mount",
           file);
    // cgroup.* and the PSI files (cpu.pressure, ...) are core files of every cgroup2 cgroup.
    bool core = controller == "cgroup" || file.ends_with(".pressure");
    if (core || host.v2_controllers.count(controller)) continue;
    if (host.has_v1(controller))
      fail(
          "invalid configuration: linux.resources.unified.{}: the {} controller is a cgroup v1 "
          "hierarchy on this host (use the v1 fields of linux.resources)",
          file, controller);
    // Not a controller of either version here: left for the kernel to accept or refuse.
  }
}

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
  check_unified_fits_host(res, host_layout());
  Split split = split_resources(r, res);
  std::vector<Pending> todo;

  // Everything is converted and checked first: nothing is written while a later part could
  // still be refused.
  for (auto& s : v1_settings(split.v1)) {
    std::string dir = r.v1_dir(s.controller);
    if (dir.empty()) fail("cgroup: no {} hierarchy for {}", s.controller, s.file);
    pick_blkio_weight_file(dir, s);
    todo.push_back({dir, s});
  }

  split.v2.devices.clear();
  std::vector<Pending> v2_todo;
  std::set<std::string> wanted;
  if (!empty(split.v2)) {
    if (r.v2.empty()) {
      // Name the limits: with v1 hierarchies in use they are the ones no v1 hierarchy took.
      std::vector<std::string> fields;
      const auto& v = split.v2;
      if (v.memory) fields.push_back("memory");
      if (v.cpu) fields.push_back("cpu");
      if (v.pids) fields.push_back("pids");
      if (v.block_io) fields.push_back("blockIO");
      if (!v.hugepage_limits.empty()) fields.push_back("hugepageLimits");
      if (!v.unified.empty()) fields.push_back("unified");
      fail(
          "cannot apply linux.resources ({}): the container has no cgroup2 directory nor a v1 "
          "hierarchy for them{}",
          fmt::join(fields, ", "), o.advice);
    }
    for (const auto& s : v2_settings(split.v2)) {
      if (!s.controller.empty()) wanted.insert(s.controller);
      v2_todo.push_back({r.v2, s});
    }
  }

  // Device rules: v1 lists, or a cgroup2 eBPF program (privileged only: unprivileged callers
  // cannot load one, and a rootless container cannot reach more devices than its user anyway).
  // Without rules the cgroup keeps what it inherited.
  std::vector<oci::DeviceRule> rules;
  bool bpf = false;
  if (!res.devices.empty()) {
    rules = effective_device_rules(res);
    if (split.devices_v1) {
      if (o.privileged) {
        // From what the cgroup holds now to what the rules leave, as runc's emulator does.
        std::string dir = r.v1_dir("devices");
        auto now = read_file(dir, "devices.list");
        if (!now) throw_errno("cgroup: read " + dir + "/devices.list");
        auto writes = device_transition(parse_devices_list(*now), device_state(rules));
        for (auto& s : writes) todo.push_back({dir, std::move(s)});
      } else {
        log::debug("device rules not written to the v1 devices cgroup: not privileged");
      }
    } else if (!r.v2.empty()) {
      if (o.privileged)
        bpf = true;
      else
        log::debug("device rules not enforced by eBPF: an unprivileged runtime cannot load it");
    }
  }

  if (!wanted.empty()) {
    if (o.enable_controllers) {
      std::string mount = host_layout().v2_mount;
      enable_controllers(mount, r.v2, wanted);
    }
    auto have = controllers(r.v2);
    for (const auto& c : wanted)
      if (!have.count(c))
        fail("cannot apply the {} limits: cgroup {} has no {} controller (it has: {}){}", c, r.v2,
             c, have.empty() ? "none" : fmt::format("{}", fmt::join(have, " ")), o.advice);
  }
  for (auto& p : v2_todo) todo.push_back(std::move(p));

  if (bpf) {
    Fd dir(::open(r.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_errno("cgroup: open " + r.v2);
    attach_device_program(dir.get(), rules);
  }
  write_all(std::move(todo), o.undo_on_failure);
}

}  // namespace sandbox::cgroup
