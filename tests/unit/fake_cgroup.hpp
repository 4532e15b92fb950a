#pragma once
// A ContainerCgroup that records what its callers asked, in order, for unit tests of the
// runtime's commands without cgroups (or root).
#include <string>
#include <vector>

#include "cgroup/container_cgroup.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {

class FakeCgroup : public ContainerCgroup {
 public:
  explicit FakeCgroup(Driver d = Driver::Cgroupfs) { r_.driver = d; }
  const Record& record() const override { return r_; }
  std::vector<pid_t> processes() const override { return pids; }
  bool can_freeze(std::string*) const override { return true; }
  void freeze() override { calls.push_back("freeze"); }
  void thaw() override { calls.push_back("thaw"); }
  bool is_frozen() const override { return false; }
  void signal_all(int sig) override { calls.push_back("signal " + std::to_string(sig)); }
  void update(const oci::Resources& res, bool privileged) override {
    calls.push_back(privileged ? "update privileged" : "update");
    updated.push_back(res);
    if (fail_update) fail("fake: update refused");
  }
  nlohmann::ordered_json stats() const override { return {}; }
  std::optional<uint64_t> oom_kill_count() const override { return std::nullopt; }
  void destroy() override { calls.push_back("destroy"); }

  std::vector<std::string> calls;
  std::vector<oci::Resources> updated;
  std::vector<pid_t> pids;
  bool fail_update = false;

 private:
  Record r_;
};

}  // namespace sandbox::cgroup
