#include "oci/resources.hpp"

namespace sandbox::oci {

bool Resources::has_limits() const {
  if (memory || pids || block_io || !hugepage_limits.empty() || !unified.empty()) return true;
  if (!cpu) return false;
  // cpu.shares 1024 is the kernel's default weight: containerd writes it into every config,
  // and it limits nothing.
  const CpuResources& c = *cpu;
  bool only_default_shares = (!c.shares || *c.shares == 1024) && !c.quota && !c.burst &&
                             !c.period && !c.realtime_runtime && !c.realtime_period &&
                             c.cpus.empty() && c.mems.empty() && !c.idle;
  return !only_default_shares;
}

}  // namespace sandbox::oci
