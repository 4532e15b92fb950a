#include "cgroup/control.hpp"

#include <unistd.h>

#include <csignal>
#include <thread>

#include "cgroup/files.hpp"
#include "cgroup/layout.hpp"
#include "cgroup/systemd_scope.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::cgroup {
namespace {

using namespace std::chrono_literals;

// The directory that lists the container's processes: cgroup2's, else any v1 one (pids and
// freezer are created for every container, so prefer those).
std::string procs_dir(const Record& r) {
  if (!r.v2.empty()) return r.v2;
  for (const char* c : {"pids", "freezer", "memory", "name=systemd"})
    if (auto d = r.v1_dir(c); !d.empty()) return d;
  return r.v1.empty() ? std::string() : r.v1.begin()->second;
}

// After a pidfd pinned PID: is it still in the container's cgroup2 subtree (not a reused pid)?
// Without cgroup2 the pidfd alone has to do.
bool still_member(const Record& r, pid_t pid) {
  if (r.v2.empty()) return true;
  const std::string& mount = host_layout().v2_mount;
  if (mount.empty() || r.v2.compare(0, mount.size(), mount) != 0) return true;
  std::string rel = r.v2.substr(mount.size());
  try {
    std::string now = process_membership(pid)[""];
    return now.compare(0, rel.size(), rel) == 0 &&
           (now.size() == rel.size() || now[rel.size()] == '/');
  } catch (const Error&) {
    return false;  // gone
  }
}

bool use_v1_freezer(const Record& r) {
  return !r.v1_dir("freezer").empty();
}

template <typename Pred>
bool wait_until(Pred done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Whether systemd has collected the container's empty scope by itself. It does that for a
// transient scope (CollectMode=inactive-or-failed) as soon as it hears the cgroup is empty,
// usually a millisecond or two after the last process exits; then there is nothing to stop
// and the helper need not run. A scope still there after a short wait is stopped.
bool scope_collected(const Record& r) {
  std::string dir = !r.v2.empty() ? r.v2 : r.v1_dir("name=systemd");
  if (dir.empty()) return false;
  return wait_until([&] { return ::access(dir.c_str(), F_OK) != 0 && errno == ENOENT; }, 30ms);
}

bool v2_frozen(const std::string& dir) {
  auto events = read_file(dir, "cgroup.events").value_or("");
  return events.find("frozen 1") != std::string::npos;
}

void set_frozen(const Record& r, bool frozen) {
  if (r.none())
    fail("the container has no cgroup, so it cannot be {}", frozen ? "paused" : "resumed");
  if (use_v1_freezer(r)) {
    std::string dir = r.v1_dir("freezer");
    const char* want = frozen ? "FROZEN" : "THAWED";
    // FREEZING can stick while a task is in an uninterruptible sleep; writing again retries.
    bool ok = wait_until(
        [&] {
          if (read_file(dir, "freezer.state").value_or("") == want) return true;
          write_file(dir, "freezer.state", want);
          return read_file(dir, "freezer.state").value_or("") == want;
        },
        10s);
    if (!ok) fail("cgroup {}: the freezer did not reach {}", dir, want);
    return;
  }
  if (r.v2.empty() || !exists(r.v2, "cgroup.freeze"))
    fail("the container's cgroup has no freezer (no v1 freezer, no cgroup.freeze)");
  write_file(r.v2, "cgroup.freeze", frozen ? "1" : "0");
  if (!wait_until([&] { return v2_frozen(r.v2) == frozen; }, 10s))
    fail("cgroup {}: not {} after 10 s", r.v2, frozen ? "frozen" : "thawed");
}

}  // namespace

std::vector<pid_t> processes(const Record& r) {
  std::string dir = procs_dir(r);
  if (dir.empty()) return {};
  return read_procs(dir, true);
}

void freeze(const Record& r) {
  set_frozen(r, true);
}
void thaw(const Record& r) {
  set_frozen(r, false);
}

bool is_frozen(const Record& r) {
  if (r.none()) return false;
  if (use_v1_freezer(r)) {
    auto s = read_file(r.v1_dir("freezer"), "freezer.state").value_or("");
    return s == "FROZEN" || s == "FREEZING";
  }
  if (r.v2.empty()) return false;
  return read_file(r.v2, "cgroup.freeze").value_or("0") == "1";
}

void refuse_frozen(const Record& r) {
  // v1: freezer.state is FROZEN/FREEZING also when only a parent is frozen.
  if (auto dir = r.v1_dir("freezer"); !dir.empty()) {
    auto s = read_file(dir, "freezer.state").value_or("THAWED");
    if (s != "THAWED")
      fail("container's cgroup unexpectedly frozen: {}/freezer.state is {}", dir, s);
  }
  // cgroup2: cgroup.freeze is the cgroup's own setting; cgroup.events' "frozen 1" the
  // effective state, which a frozen parent sets as well.
  if (!r.v2.empty() && (read_file(r.v2, "cgroup.freeze").value_or("0") == "1" || v2_frozen(r.v2)))
    fail("container's cgroup unexpectedly frozen: {} (cgroup.freeze)", r.v2);
}

bool can_freeze(const Record& r, std::string* why) {
  if (r.none()) {
    *why = "it runs without a cgroup of its own (see --debug at create)";
    return false;
  }
  if (use_v1_freezer(r) || (!r.v2.empty() && exists(r.v2, "cgroup.freeze"))) return true;
  *why = "its cgroup has no freezer";
  return false;
}

void signal_all(const Record& r, int sig) {
  if (r.none()) return;
  if (sig == SIGKILL && !r.v2.empty() && exists(r.v2, "cgroup.kill")) {
    write_file(r.v2, "cgroup.kill", "1");
  } else {
    for (pid_t pid : processes(r)) {
      // A pidfd pins the process: a pid that exited and was reused in between is not hit.
      Fd fd(sys::pidfd_open(pid, 0));
      if (fd && still_member(r, pid)) sys::pidfd_send_signal(fd.get(), sig);
    }
  }
  if (sig == SIGKILL && use_v1_freezer(r) && is_frozen(r)) thaw(r);
}

int join(const Record& r, pid_t pid) {
  if (r.none()) return 0;
  std::string p = std::to_string(pid);
  int first = 0;
  if (!r.v2.empty()) first = try_write(r.v2, "cgroup.procs", p);
  for (const auto& [controller, dir] : r.v1) {
    int err = try_write(dir, "cgroup.procs", p);
    if (err && !first) first = err;
  }
  return first;
}

void destroy(const Record& r) {
  if (r.none()) return;
  if (!processes(r).empty()) {
    signal_all(r, SIGKILL);
    if (!wait_until([&] { return processes(r).empty(); }, 10s))
      fail("cgroup {}: processes are left after SIGKILL", procs_dir(r));
  }
  int err = 0;
  std::string stuck = remove_dirs(r.created, &err);
  if (!stuck.empty()) throw_errno("cgroup: remove " + stuck, err);
  log::debug("cgroups of the container removed ({})", driver_name(r.driver));
}

void stop_scope_unless_collected(const Record& r) {
  if (!r.unit.empty() && !scope_collected(r)) stop_scope(r.user_manager, r.unit);
}

}  // namespace sandbox::cgroup
