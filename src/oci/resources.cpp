#include "oci/resources.hpp"

namespace sandbox::oci {
namespace {

// A section counts by what it sets, not by being there: engines write "memory": {} and
// "blockIO": {} into configs that ask for no limit at all.
bool sets_something(const MemoryResources& m) {
  // checkBeforeUpdate only changes how `update` lowers a limit; it limits nothing itself.
  return m.limit || m.reservation || m.swap || m.kernel || m.kernel_tcp || m.swappiness ||
         m.disable_oom_killer.value_or(false) || m.use_hierarchy;
}

bool sets_something(const BlockIoResources& b) {
  return b.weight || b.leaf_weight || !b.weight_device.empty() || !b.throttle_read_bps.empty() ||
         !b.throttle_write_bps.empty() || !b.throttle_read_iops.empty() ||
         !b.throttle_write_iops.empty();
}

bool sets_something(const CpuResources& c) {
  // cpu.shares 1024 is the kernel's default weight: containerd writes it into every config,
  // and it limits nothing.
  bool weight = c.shares && *c.shares != 1024;
  return weight || c.quota || c.burst || c.period || c.realtime_runtime || c.realtime_period ||
         !c.cpus.empty() || !c.mems.empty() || c.idle;
}

}  // namespace

bool Resources::has_limits() const {
  return (memory && sets_something(*memory)) || (cpu && sets_something(*cpu)) || pids ||
         (block_io && sets_something(*block_io)) || !hugepage_limits.empty() || !unified.empty();
}

void drop_unset_zeros(Resources& r) {
  auto zero_unset = [](auto& field) {
    if (field && *field == 0) field.reset();
  };
  if (r.memory) {
    auto& m = *r.memory;
    for (auto* f : {&m.limit, &m.reservation, &m.swap, &m.kernel, &m.kernel_tcp}) zero_unset(*f);
  }
  if (r.cpu) {
    auto& c = *r.cpu;
    zero_unset(c.shares);
    zero_unset(c.quota);
    zero_unset(c.period);
    zero_unset(c.realtime_runtime);
    zero_unset(c.realtime_period);
  }
  if (r.pids && r.pids->limit == 0) r.pids.reset();
  if (r.block_io) {
    auto& b = *r.block_io;
    zero_unset(b.weight);
    zero_unset(b.leaf_weight);
    std::erase_if(b.weight_device, [&](WeightDevice& d) {
      zero_unset(d.weight);
      zero_unset(d.leaf_weight);
      return !d.weight && !d.leaf_weight;
    });
  }
}

}  // namespace sandbox::oci
