#include "cgroup/container_cgroup.hpp"

#include "cgroup/apply.hpp"
#include "cgroup/control.hpp"
#include "cgroup/stats.hpp"
#include "cgroup/systemd_properties.hpp"
#include "cgroup/systemd_scope.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

// No cgroup of its own: nothing to list, signal or remove; what needs a cgroup says so.
class NoCgroup : public ContainerCgroup {
 public:
  explicit NoCgroup(const Record& r) : r_(r) {}
  const Record& record() const override { return r_; }
  std::vector<pid_t> processes() const override { return {}; }
  bool can_freeze(std::string* why) const override { return cgroup::can_freeze(r_, why); }
  void freeze() override { cgroup::freeze(r_); }
  void thaw() override { cgroup::thaw(r_); }
  bool is_frozen() const override { return false; }
  void signal_all(int) override {}
  void update(const oci::Resources&, bool) override {
    fail("it runs without a cgroup of its own, so there are no limits to change");
  }
  nlohmann::ordered_json stats() const override { return read_stats(r_); }
  std::optional<uint64_t> oom_kill_count() const override { return std::nullopt; }
  void destroy() override {}

 private:
  Record r_;
};

// Directories sandbox made (cgroup2 and/or v1 hierarchies): the operations of control.cpp.
class CgroupfsCgroup : public ContainerCgroup {
 public:
  explicit CgroupfsCgroup(const Record& r) : r_(r) {}
  const Record& record() const override { return r_; }
  std::vector<pid_t> processes() const override { return cgroup::processes(r_); }
  bool can_freeze(std::string* why) const override { return cgroup::can_freeze(r_, why); }
  void freeze() override { cgroup::freeze(r_); }
  void thaw() override { cgroup::thaw(r_); }
  bool is_frozen() const override { return cgroup::is_frozen(r_); }
  void signal_all(int sig) override { cgroup::signal_all(r_, sig); }
  void update(const oci::Resources& res, bool privileged) override {
    apply_resources(r_, res, options(privileged));
  }
  nlohmann::ordered_json stats() const override { return read_stats(r_); }
  std::optional<uint64_t> oom_kill_count() const override { return cgroup::oom_kill_count(r_); }
  void destroy() override { cgroup::destroy(r_); }

 protected:
  virtual ApplyOptions options(bool privileged) const {
    ApplyOptions o;
    o.privileged = privileged;
    o.enable_controllers = true;  // sandbox made the tree, so it enables the controllers
    o.undo_on_failure = true;
    return o;
  }
  Record r_;
};

// A transient scope with Delegate=yes: the cgroup is systemd's, delegated to us. Limits also
// go to the unit (so a daemon-reload keeps them) and delete stops the unit.
class SystemdCgroup : public CgroupfsCgroup {
 public:
  using CgroupfsCgroup::CgroupfsCgroup;
  void update(const oci::Resources& res, bool privileged) override {
    // Checked and converted before anything is written.
    auto props = unit_properties(r_, res);
    // The files first, whole or not at all; then the unit, so that a refused value never
    // reaches systemd. A unit that refuses them after the files took them is an error: the
    // limits hold now, but a daemon-reload would undo them.
    apply_resources(r_, res, options(privileged));
    if (!props.empty()) set_unit_properties(r_.user_manager, r_.unit, props);
  }
  void destroy() override {
    cgroup::destroy(r_);
    stop_scope_unless_collected(r_);
  }

 protected:
  ApplyOptions options(bool privileged) const override {
    ApplyOptions o = CgroupfsCgroup::options(privileged);
    o.enable_controllers = false;  // systemd enables what the unit's properties need
    return o;
  }
};

}  // namespace

std::unique_ptr<ContainerCgroup> open_cgroup(const Record& r) {
  switch (r.driver) {
    case Driver::Systemd:
      return std::make_unique<SystemdCgroup>(r);
    case Driver::Cgroupfs:
      return std::make_unique<CgroupfsCgroup>(r);
    case Driver::None:
      break;
  }
  return std::make_unique<NoCgroup>(r);
}

}  // namespace sandbox::cgroup
