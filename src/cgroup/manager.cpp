#include "cgroup/manager.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "cgroup/apply.hpp"
#include "cgroup/container_cgroup.hpp"
#include "cgroup/control.hpp"
#include "cgroup/files.hpp"
#include "cgroup/layout.hpp"
#include "cgroup/path.hpp"
#include "cgroup/systemd_properties.hpp"
#include "cgroup/systemd_scope.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::cgroup {
namespace {

const char* kRootlessAdvice =
    "; rootless cgroups need cgroup v2 with a systemd user session (systemd --user with "
    "dbus-user-session, `loginctl enable-linger` for services), a delegated cgroup2 "
    "subtree or cgroup v1 hierarchies delegated by ownership; or run with --cgroup-manager "
    "disabled to run without limits";

// An explicit linux.cgroupsPath is a request: a rootless caller that cannot make it gets an
// error (runc: "permission denied"), never a container without the cgroup it named. Only the
// default path may fall back to no cgroup.
[[noreturn]] void fail_explicit_path(const std::string& path, const std::string& why) {
  fail("linux.cgroupsPath {}: permission denied: {}{}", path, why, kRootlessAdvice);
}

bool writable(const std::string& dir) {
  return ::access(dir.c_str(), W_OK) == 0;
}

// The hierarchies the cgroupfs driver may use, with the container's path in each.
struct Target {
  std::string mount;
  std::string path;        // relative to mount
  std::string controller;  // "" for cgroup2
};

std::vector<Target> cgroupfs_targets(const Request& req, bool only_writable) {
  const Layout& l = host_layout();
  Membership own = process_membership(0);
  std::vector<Target> out;
  if (!l.v2_mount.empty()) {
    std::string p = cgroupfs_path(req.cgroups_path, req.id, own[""], true);
    if (!only_writable || writable(nearest_existing(l.v2_mount, p)))
      out.push_back({l.v2_mount, p, ""});
  }
  for (const auto& [controller, mount] : l.v1) {
    std::string p = cgroupfs_path(req.cgroups_path, req.id, own[controller], false);
    if (!only_writable || writable(nearest_existing(mount, p)))
      out.push_back({mount, p, controller});
  }
  return out;
}

// The limits as the scope's properties, split as place() will find the hierarchies: the user
// manager has cgroup2 only, the system manager cgroup2 and every v1 controller. A config that
// cannot be converted is sent without properties: apply() reports it with the files' names.
std::vector<UnitProperty> scope_properties(const oci::Resources& res, bool user_manager) {
  const Layout& l = host_layout();
  Record where;
  where.driver = Driver::Systemd;
  where.v2 = l.v2_mount;
  if (!user_manager)
    for (const auto& [controller, mount] : l.v1) where.v1[controller] = mount;
  oci::Resources limits = res;
  limits.devices.clear();
  try {
    return unit_properties(where, limits);
  } catch (const Error& e) {
    log::debug("systemd: limits not sent as unit properties: {}", e.what());
    return {};
  }
}

Probe probe_cgroupfs(const Request& req) {
  const Layout& l = host_layout();
  try {
    auto targets = cgroupfs_targets(req, true);
    // Rootless: a delegated cgroup2 subtree, or v1 controllers delegated by ownership (a
    // directory in each hierarchy chowned to the user, as runc's rootless tests and some CI
    // runners set up). name=systemd alone is no delegation: systemd gives every user their
    // session's directory there, with no controller behind it.
    for (const auto& t : targets)
      if (t.controller.empty() || l.v2_mount.empty() || t.controller.rfind("name=", 0) != 0)
        return {true, ""};
    if (l.v2_mount.empty()) return {false, "no cgroup hierarchy is writable"};
    Membership own = process_membership(0);
    std::string p = cgroupfs_path(req.cgroups_path, req.id, own[""], true);
    return {false, fmt::format("{} is not writable (no delegated cgroup2 subtree), nor is a v1 "
                               "controller's hierarchy",
                               nearest_existing(l.v2_mount, p))};
  } catch (const Error& e) {
    return {false, e.what()};
  }
}

}  // namespace

Choice choose_driver(const std::string& manager, bool rootless,
                     const std::function<Probe()>& systemd,
                     const std::function<Probe()>& cgroupfs) {
  if (manager == "disabled") return {Driver::None, "--cgroup-manager disabled"};
  if (manager == "systemd") {
    Probe p = systemd();
    if (!p.ok) fail("cgroup manager systemd: {}", p.why);
    return {Driver::Systemd, ""};
  }
  if (manager == "cgroupfs") {
    if (rootless) {
      Probe p = cgroupfs();
      if (!p.ok) fail("cgroup manager cgroupfs: {}", p.why);
    }
    return {Driver::Cgroupfs, ""};
  }
  if (!manager.empty()) fail("unknown cgroup manager {}", manager);
  if (!rootless) return {Driver::Cgroupfs, ""};
  Probe s = systemd();
  if (s.ok) return {Driver::Systemd, ""};
  Probe f = cgroupfs();
  if (f.ok) return {Driver::Cgroupfs, ""};
  return {Driver::None, fmt::format("no systemd user session ({}); {}", s.why, f.why)};
}

Setup::Setup(const Request& req) : req_(req) {
  bool limits = req.resources && req.resources->has_limits();
  // Before a driver is chosen or anything made: a config no driver could apply here.
  if (limits && req.manager != "disabled") check_unified_fits_host(*req.resources, host_layout());
  Choice c = choose_driver(
      req.manager, req.rootless,
      [&] {
        // Only whether the bus socket answers: the helper that starts the scope finds out the
        // rest (systemd on the bus, a caller it may move), and a failure there falls back in
        // place() when the driver was the default's choice. A full probe first would cost a
        // helper run of its own on every rootless create.
        std::string why;
        bool ok = systemd_bus_listening(req.rootless, &why);
        return Probe{ok, why};
      },
      [&] { return probe_cgroupfs(req); });
  switch (c.driver) {
    case Driver::None:
      if (!req.cgroups_path.empty() && req.manager != "disabled")
        fail_explicit_path(req.cgroups_path, c.why_none);
      if (!req.cgroups_path.empty())
        log::warning(fmt::format("linux.cgroupsPath {} not used: --cgroup-manager disabled",
                                 req.cgroups_path));
      if (limits && req.manager != "disabled")
        fail("cannot apply linux.resources: no cgroup is available to this user: {}{}", c.why_none,
             kRootlessAdvice);
      if (limits) log::warning("linux.resources not applied: --cgroup-manager disabled");
      log::debug("the container gets no cgroup of its own: {}", c.why_none);
      return;
    case Driver::Systemd: {
      ScopeName n = systemd_scope_name(req.cgroups_path, req.id, req.rootless);
      record_.driver = Driver::Systemd;
      record_.unit = n.unit;
      record_.user_manager = req.rootless;
      ScopeRequest s;
      s.user_manager = record_.user_manager;
      s.slice = n.slice;
      s.unit = n.unit;
      s.description = "sandbox container " + req_.id;
      if (limits) s.properties = scope_properties(*req.resources, req.rootless);
      pending_scope_ = std::make_unique<PendingScope>(PendingScope::begin(s));
      return;  // the scope needs the init's pid: place()
    }
    case Driver::Cgroupfs:
      prepare_cgroupfs();
      return;
  }
}

Setup::~Setup() {
  if (pending_scope_) return;  // never placed: no scope was started (the helper is told so)
  if (committed_ || record_.none()) return;
  try {
    open_cgroup(record_)->destroy();
  } catch (const Error& e) {
    log::debug("cgroup rollback: {}", e.what());
  }
}

// The default driver choice found a session bus, but no scope could be made there: no systemd
// behind it, or a caller outside the user's session (cron, a service) whose processes the user
// manager may not move. Go on as the choice would have without the bus: a delegated cgroupfs
// subtree, else no cgroup (an error when the config asks for limits).
void Setup::fall_back_from_systemd(pid_t pid, const std::string& why) {
  log::debug("systemd user session not usable ({}); trying cgroupfs", why);
  record_ = Record{};
  Probe f = probe_cgroupfs(req_);
  if (f.ok) {
    prepare_cgroupfs();
    std::string p = std::to_string(pid);
    if (!record_.v2.empty()) write_file(record_.v2, "cgroup.procs", p);
    for (const auto& [controller, dir] : record_.v1) write_file(dir, "cgroup.procs", p);
    return;
  }
  if (!req_.cgroups_path.empty()) fail_explicit_path(req_.cgroups_path, why + "; " + f.why);
  if (req_.resources && req_.resources->has_limits())
    fail("cannot apply linux.resources: no cgroup is available to this user: {}; {}{}", why, f.why,
         kRootlessAdvice);
  log::debug("the container gets no cgroup of its own: {}; {}", why, f.why);
}

void Setup::prepare_cgroupfs() {
  record_.driver = Driver::Cgroupfs;
  // Root uses every hierarchy; rootless only what it may write (the delegated ones).
  auto targets = cgroupfs_targets(req_, req_.rootless);
  if (req_.before_mkdir) {
    Record planned;
    planned.driver = Driver::Cgroupfs;
    for (const auto& t : targets) {
      std::string dir = t.mount + t.path;
      // Only what is not there yet: a cgroup that exists already is not ours to remove.
      if (::access(dir.c_str(), F_OK) != 0 &&
          std::find(planned.created.begin(), planned.created.end(), dir) == planned.created.end())
        planned.created.push_back(dir);
      if (t.controller.empty())
        planned.v2 = dir;
      else
        planned.v1[t.controller] = dir;
    }
    req_.before_mkdir(planned);
  }
  std::map<std::string, std::string> made_for_mount;  // co-mounted controllers share a mount
  for (const auto& t : targets) {
    std::string dir = t.mount + t.path;
    if (!made_for_mount.count(t.mount)) {
      auto made = make_dirs(t.mount, t.path, t.controller == "cpuset");
      record_.created.insert(record_.created.end(), made.begin(), made.end());
      made_for_mount[t.mount] = dir;
    }
    if (t.controller.empty())
      record_.v2 = dir;
    else
      record_.v1[t.controller] = dir;
  }
  try {
    // Before anything is written or any process moved: a frozen cgroup would stop the init
    // (and the runtime waiting for it) for good.
    refuse_frozen(record_);
    apply();
  } catch (...) {
    // The constructor did not finish, so no destructor will: undo here.
    remove_dirs(record_.created);
    throw;
  }
  if (!record_.v2.empty()) {
    clone_into_.reset(::open(record_.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!clone_into_) throw_errno("cgroup: open " + record_.v2);
  }
  log::debug("cgroupfs: cgroup2 {}, {} v1 hierarchies", record_.v2.empty() ? "-" : record_.v2,
             record_.v1.size());
}

ApplyOptions Setup::options() const {
  ApplyOptions o;
  o.privileged = !req_.rootless;
  o.enable_controllers = record_.driver == Driver::Cgroupfs;
  if (req_.rootless) o.advice = kRootlessAdvice;
  return o;
}

void Setup::apply() {
  if (!req_.resources) return;
  oci::Resources limits = *req_.resources;
  limits.devices.clear();  // later: apply_device_rules()
  apply_resources(record_, limits, options());
}

void Setup::apply_device_rules() {
  if (device_rules_applied_ || !req_.resources || req_.resources->devices.empty()) return;
  device_rules_applied_ = true;
  oci::Resources rules;
  rules.devices = req_.resources->devices;
  apply_resources(record_, rules, options());
}

void Setup::place(pid_t pid, bool cloned_into) {
  if (record_.none()) return;
  if (record_.driver == Driver::Systemd) {
    auto pending = std::move(pending_scope_);
    try {
      pending->finish(pid);
    } catch (const Error& e) {
      if (req_.manager == "systemd") throw;
      fall_back_from_systemd(pid, e.what());
      return;
    }
    // Where systemd put it: the hierarchies whose path ends in the scope (a user manager on a
    // hybrid host only has cgroup2 and name=systemd; the other v1 lines are the caller's).
    const Layout& l = host_layout();
    Membership m = process_membership(pid);
    auto in_scope = [&](const std::string& p) {
      std::string tail = "/" + record_.unit;
      return p.size() >= tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (!l.v2_mount.empty() && in_scope(m[""])) record_.v2 = l.v2_mount + m[""];
    for (const auto& [controller, mount] : l.v1)
      if (in_scope(m[controller])) record_.v1[controller] = mount + m[controller];
    log::debug("systemd: scope {} at {}", record_.unit, record_.v2);
    apply();
    return;
  }
  std::string p = std::to_string(pid);
  if (!record_.v2.empty() && !cloned_into) write_file(record_.v2, "cgroup.procs", p);
  for (const auto& [controller, dir] : record_.v1) write_file(dir, "cgroup.procs", p);
}

}  // namespace sandbox::cgroup
