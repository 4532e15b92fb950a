// sandbox-systemd: the systemd cgroup driver's conversation with systemd over D-Bus (sd-bus),
// run by the runtime (src/cgroup/systemd_scope.cpp) as a helper process:
//
//   sandbox-systemd probe user|system
//   sandbox-systemd start user|system UNIT SLICE PID|- DESCRIPTION [PROPERTY...]
//                                                            ("-": the pid on stdin)
//   sandbox-systemd set user|system UNIT PROPERTY...
//   sandbox-systemd stop user|system UNIT
// PROPERTY: NAME=t:NUMBER or NAME=ay:HEX (cgroup/systemd_properties.hpp), the container's limits.
//
// Exit 0 on success; otherwise one line on stderr (the reason, "systemd: ...") and exit 1.
//
// Why a helper: the runtime is linked statically, without libsystemd, because loading
// libsystemd and what it pulls in (libgcrypt, liblzma, libzstd, liblz4) cost every invocation
// about 3 ms and 1 MiB of resident memory on this project's machines, and only the systemd
// driver needs it. A static binary cannot dlopen it (a second libc), so the driver's calls
// run here, and only containers under systemd pay for them.
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "cgroup/systemd_properties.hpp"
#include "cgroup/systemd_scope.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

// Every call opens its own connection and closes it: the runtime is a short-lived process and
// a container's scope outlives it, so there is nothing worth keeping between calls.
namespace sandbox::cgroup {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

using Usec = uint64_t;
constexpr Usec kSecond = 1'000'000;
// The probe decides the default driver on every rootless create: it must not make a create
// slow when a bus is wedged. A live bus (even one activated by this very connection) answers
// within milliseconds.
constexpr Usec kProbeTimeout = 2 * kSecond;
// Starting and stopping a scope: systemd itself may be busy with other jobs.
constexpr Usec kConnectTimeout = 5 * kSecond;
constexpr Usec kJobTimeout = 10 * kSecond;

// Close without flushing: every call here is synchronous, so nothing is left to send, and
// sd_bus_flush would wait up to 90 s for a peer that never finished authenticating.
struct BusUnref {
  void operator()(sd_bus* b) const { sd_bus_close_unref(b); }
};
using Bus = std::unique_ptr<sd_bus, BusUnref>;

struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

struct SlotUnref {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
using Slot = std::unique_ptr<sd_bus_slot, SlotUnref>;

struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&e); }
};

std::string describe(int r, const BusError& err) {
  if (sd_bus_error_is_set(&err.e) && err.e.message) return err.e.message;
  return errno_text(-r);
}

const char* manager_name(bool user_manager) {
  return user_manager ? "user" : "system";
}

// The address sd-bus will use, for messages only (it picks it the same way).
std::string bus_address(bool user_manager) {
  if (user_manager) {
    if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) return a;
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    return fmt::format("unix:path={}/bus", run ? run : "");
  }
  if (const char* a = std::getenv("DBUS_SYSTEM_BUS_ADDRESS"); a && *a) return a;
  return "unix:path=/run/dbus/system_bus_socket";
}

Usec now_usec() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs the bus until DONE() or the deadline; false on timeout. A negative r from sd-bus is
// thrown with WHAT.
template <typename Done>
bool run_until(sd_bus* bus, Usec deadline, Done done, const std::string& what) {
  while (!done()) {
    int r = sd_bus_process(bus, nullptr);
    if (r < 0) throw_errno(what, -r);
    if (r > 0) continue;
    Usec now = now_usec();
    if (now >= deadline) return false;
    r = sd_bus_wait(bus, deadline - now);
    if (r < 0 && r != -EINTR) throw_errno(what, -r);
  }
  return true;
}

// Connects to the manager's bus and waits, up to TIMEOUT, until it is usable (authenticated,
// Hello answered). sd-bus would otherwise wait its own 90 s for a peer that accepts the
// connection and never speaks. Null with WHY set when there is no usable bus.
Bus open_bus(bool user_manager, Usec timeout, std::string* why) {
  std::string address = bus_address(user_manager);
  // sd-bus falls back to $XDG_RUNTIME_DIR/bus itself; without either there is nothing to try.
  if (user_manager && !std::getenv("DBUS_SESSION_BUS_ADDRESS") && !std::getenv("XDG_RUNTIME_DIR")) {
    *why = "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set";
    return nullptr;
  }
  sd_bus* raw = nullptr;
  int r = user_manager ? sd_bus_open_user(&raw) : sd_bus_open_system(&raw);
  if (r < 0) {
    *why = fmt::format("cannot connect to the {} bus at {}: {}",
                       user_manager ? "session" : "system", address, errno_text(-r));
    return nullptr;
  }
  Bus bus(raw);
  try {
    if (!run_until(
            bus.get(), now_usec() + timeout, [&] { return sd_bus_is_ready(bus.get()) > 0; }, "bus"))
      *why = fmt::format("the bus at {} accepted the connection but did not answer within {} s",
                         address, timeout / kSecond);
    else
      return bus;
  } catch (const Error& e) {
    // A daemon that rejects our credentials (another user's bus) just hangs up.
    *why = fmt::format("the bus at {} refused the connection ({}): is it another user's bus?",
                       address, errno_text(e.code()));
  }
  return nullptr;
}

Bus open_bus_or_throw(bool user_manager) {
  std::string why;
  Bus bus = open_bus(user_manager, kConnectTimeout, &why);
  if (!bus) fail("systemd: {}", why);
  return bus;
}

// A job's end: systemd sends JobRemoved(id, job, unit, result) when it is finished.
struct JobWait {
  std::string job;  // set once the call returned the job's path
  std::string result;
  bool done = false;
};

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* w = static_cast<JobWait*>(userdata);
  uint32_t id = 0;
  const char *path = nullptr, *unit = nullptr, *result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) return 0;
  if (path && w->job == path) {
    w->result = result ? result : "";
    w->done = true;
  }
  return 0;
}

// Subscribes to JobRemoved. This must happen before the call that makes the job: a scope's
// job can finish before its path is returned to us. (sd_bus_match_signal waits for AddMatch;
// signals that arrive while sd_bus_call waits for its reply are queued, not lost.) systemd
// sends the signal to the job's requester even without Subscribe().
Slot watch_jobs(sd_bus* bus, JobWait& w) {
  sd_bus_slot* slot = nullptr;
  int r =
      sd_bus_match_signal(bus, &slot, kService, kPath, kManager, "JobRemoved", on_job_removed, &w);
  if (r < 0) throw_errno("systemd: subscribe to JobRemoved", -r);
  return Slot(slot);
}

// The job path of REPLY, then its result once JobRemoved came.
std::string wait_job(sd_bus* bus, sd_bus_message* reply, JobWait& w, const std::string& what) {
  const char* job = nullptr;
  int r = sd_bus_message_read(reply, "o", &job);
  if (r < 0) throw_errno("systemd: " + what + ": reading the job path", -r);
  w.job = job;
  if (!run_until(
          bus, now_usec() + kJobTimeout, [&] { return w.done; }, "systemd: " + what))
    fail("systemd: {}: the job {} did not finish within {} s", what, w.job, kJobTimeout / kSecond);
  return w.result;
}

// Appends the limits as (sv) entries of an open a(sv).
int append_properties(sd_bus_message* m, const std::vector<UnitProperty>& props) {
  int r = 0;
  for (const auto& p : props) {
    if (!p.bitmask) {
      r = sd_bus_message_append(m, "(sv)", p.name.c_str(), "t", p.number);
    } else {
      r = sd_bus_message_open_container(m, 'r', "sv");
      if (r >= 0) r = sd_bus_message_append(m, "s", p.name.c_str());
      if (r >= 0) r = sd_bus_message_open_container(m, 'v', "ay");
      if (r >= 0) r = sd_bus_message_append_array(m, 'y', p.bytes.data(), p.bytes.size());
      if (r >= 0) r = sd_bus_message_close_container(m);
      if (r >= 0) r = sd_bus_message_close_container(m);
    }
    if (r < 0) return r;
  }
  return r;
}

// A systemd older than a property answers PropertyReadOnly, "Cannot set property NAME, or
// unknown property." Drops NAME from PROPS and returns true, so that the call can be made
// again without it (crun does the same; the limit is still written into the cgroup file).
bool drop_unknown_property(const BusError& err, std::vector<UnitProperty>& props) {
  if (!sd_bus_error_has_name(&err.e, "org.freedesktop.DBus.Error.PropertyReadOnly") ||
      !err.e.message)
    return false;
  std::string_view msg = err.e.message, lead = "Cannot set property ";
  if (msg.rfind(lead, 0) != 0) return false;
  msg.remove_prefix(lead.size());
  std::string name(msg.substr(0, msg.find(',')));
  for (auto it = props.begin(); it != props.end(); ++it) {
    if (it->name != name) continue;
    log::warning(fmt::format("systemd does not know the unit property {}: not sent", name));
    props.erase(it);
    return true;
  }
  return false;
}

bool reachable(bool user_manager, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  Bus bus = open_bus(user_manager, kProbeTimeout, why);
  if (!bus) return false;
  sd_bus_set_method_call_timeout(bus.get(), kProbeTimeout);
  // A cheap property: whether systemd1 is there at all (a bare dbus-daemon would answer
  // ServiceUnknown, or activate nothing).
  BusError err;
  char* version = nullptr;
  int r =
      sd_bus_get_property_string(bus.get(), kService, kPath, kManager, "Version", &err.e, &version);
  if (r < 0) {
    *why = fmt::format("the {} manager does not answer on {}: {}", manager_name(user_manager),
                       bus_address(user_manager), describe(r, err));
    return false;
  }
  log::debug("systemd {} manager {} on {}", manager_name(user_manager), version,
             bus_address(user_manager));
  std::free(version);
  return true;
}

// The pid from stdin ("PID\n"), once the runtime knows it; 0 when the runtime closed the pipe
// without one (its create failed before the clone).
pid_t read_pid_from_stdin() {
  char buf[32];
  size_t n = 0;
  // Up to the newline, not to EOF: the container's init, a clone of the runtime, holds a copy
  // of the other end until it execs.
  while (n < sizeof(buf) - 1 && (n == 0 || buf[n - 1] != '\n')) {
    ssize_t r = ::read(0, buf + n, sizeof(buf) - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += static_cast<size_t>(r);
  }
  buf[n] = 0;
  return static_cast<pid_t>(std::atol(buf));
}

// Starts the scope for REQ.pid, or, when REQ.pid is 0, connects and subscribes first and then
// waits for the pid on stdin: the runtime starts the helper before it clones the container's
// init, so that loading libsystemd and authenticating on the bus overlap its own work.
// Returns false when the pid never came.
bool start(ScopeRequest req) {
  const std::string what = "start scope " + req.unit;
  Bus bus = open_bus_or_throw(req.user_manager);
  JobWait w;
  Slot slot = watch_jobs(bus.get(), w);
  if (req.pid == 0) {
    req.pid = read_pid_from_stdin();
    if (req.pid <= 0) return false;
  }

  BusError err;
  sd_bus_message* reply_raw = nullptr;
  int r = 0;
  for (;;) {
    sd_bus_message* raw = nullptr;
    r = sd_bus_message_new_method_call(bus.get(), &raw, kService, kPath, kManager,
                                       "StartTransientUnit");
    if (r < 0) throw_errno("systemd: " + what, -r);
    Message m(raw);
    // "fail": refuse rather than replace a job already queued for this unit.
    r = sd_bus_message_append(m.get(), "ss", req.unit.c_str(), "fail");
    if (r >= 0) r = sd_bus_message_open_container(m.get(), 'a', "(sv)");
    // Delegate: the cgroup is ours to write limits into and to freeze/kill.
    // DefaultDependencies=no: no ordering against shutdown.target and friends, so that a
    // container's scope starts and stops on its own. CollectMode: unload it even if it failed,
    // so that the name can be used again.
    if (r >= 0)
      r = sd_bus_message_append(m.get(), "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s",
                                req.description.c_str(), "Slice", "s", req.slice.c_str(),
                                "Delegate", "b", 1, "PIDs", "au", 1, static_cast<uint32_t>(req.pid),
                                "DefaultDependencies", "b", 0, "CollectMode", "s",
                                "inactive-or-failed");
    if (r >= 0) r = append_properties(m.get(), req.properties);
    if (r >= 0) r = sd_bus_message_close_container(m.get());
    if (r >= 0) r = sd_bus_message_append(m.get(), "a(sa(sv))", 0);  // no auxiliary units
    if (r < 0) throw_errno("systemd: " + what + ": building the call", -r);

    sd_bus_error_free(&err.e);
    r = sd_bus_call(bus.get(), m.get(), kJobTimeout, &err.e, &reply_raw);
    if (r >= 0 || !drop_unknown_property(err, req.properties)) break;
  }
  // UnitExists ("was already loaded or has a fragment file") names the unit itself.
  if (r < 0) fail("systemd: {} in {}: {}", what, req.slice, describe(r, err));
  Message reply(reply_raw);
  std::string result = wait_job(bus.get(), reply.get(), w, what);
  // A scope job fails when the manager cannot move PIDs into the new cgroup: on cgroup2 that
  // needs write access to the common ancestor's cgroup.procs, i.e. a caller in a cgroup the
  // manager (the user, for a user manager) owns, such as its login session.
  if (result == "failed")
    fail(
        "systemd: {}: job failed (result: failed); is the caller inside a cgroup the {} "
        "manager may move processes from (a login session's scope)?",
        what, manager_name(req.user_manager));
  if (result != "done") fail("systemd: {}: job failed (result: {})", what, result);
  log::debug("systemd: started {} in {}", req.unit, req.slice);
  return true;
}

// SetUnitProperties(unit, runtime=true, props): `update`'s limits, kept until the unit goes
// (runtime: not written to /etc; a transient unit lives in /run anyway).
void set(bool user_manager, const std::string& unit, std::vector<UnitProperty> props) {
  const std::string what = "set properties of " + unit;
  Bus bus = open_bus_or_throw(user_manager);
  for (;;) {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus.get(), &raw, kService, kPath, kManager,
                                           "SetUnitProperties");
    if (r < 0) throw_errno("systemd: " + what, -r);
    Message m(raw);
    r = sd_bus_message_append(m.get(), "sb", unit.c_str(), 1);
    if (r >= 0) r = sd_bus_message_open_container(m.get(), 'a', "(sv)");
    if (r >= 0) r = append_properties(m.get(), props);
    if (r >= 0) r = sd_bus_message_close_container(m.get());
    if (r < 0) throw_errno("systemd: " + what + ": building the call", -r);
    BusError err;
    r = sd_bus_call(bus.get(), m.get(), kJobTimeout, &err.e, nullptr);
    if (r >= 0) return;
    if (!drop_unknown_property(err, props)) fail("systemd: {}: {}", what, describe(r, err));
    if (props.empty()) return;
  }
}

void stop(bool user_manager, const std::string& unit) {
  const std::string what = "stop scope " + unit;
  Bus bus = open_bus_or_throw(user_manager);
  JobWait w;
  Slot slot = watch_jobs(bus.get(), w);
  BusError err;
  sd_bus_message* reply_raw = nullptr;
  int r = sd_bus_call_method(bus.get(), kService, kPath, kManager, "StopUnit", &err.e, &reply_raw,
                             "ss", unit.c_str(), "replace");
  if (r < 0) {
    // Gone already: systemd collects a transient scope once its last process has exited.
    if (sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit") ||
        sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.LoadFailed"))
      return;
    fail("systemd: {}: {}", what, describe(r, err));
  }
  Message reply(reply_raw);
  std::string result = wait_job(bus.get(), reply.get(), w, what);
  // "done", or "canceled" when a newer job replaced ours: either way the unit is going.
  if (result != "done" && result != "canceled")
    fail("systemd: {}: job failed (result: {})", what, result);
  log::debug("systemd: stopped {}", unit);
}

}  // namespace
}  // namespace sandbox::cgroup

namespace {

int usage() {
  std::fputs(
      "usage: sandbox-systemd probe user|system\n"
      "       sandbox-systemd start user|system UNIT SLICE PID|- DESCRIPTION [PROPERTY...]\n"
      "       sandbox-systemd set user|system UNIT PROPERTY...\n"
      "       sandbox-systemd stop user|system UNIT\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sandbox;
  if (argc < 3) return usage();
  std::string_view verb = argv[1], manager = argv[2];
  if (manager != "user" && manager != "system") return usage();
  bool user = manager == "user";
  try {
    if (verb == "probe" && argc == 3) {
      std::string why;
      if (cgroup::reachable(user, &why)) return 0;
      std::fprintf(stderr, "%s\n", why.c_str());
      return 1;
    }
    // PROPERTY arguments from FIRST on; false when one is malformed.
    auto properties = [&](int first, std::vector<cgroup::UnitProperty>* out) {
      for (int i = first; i < argc; ++i) {
        cgroup::UnitProperty p;
        if (!cgroup::parse_property_arg(argv[i], &p)) return false;
        out->push_back(std::move(p));
      }
      return true;
    };
    if (verb == "set" && argc >= 4) {
      std::vector<cgroup::UnitProperty> props;
      if (!properties(4, &props)) return usage();
      cgroup::set(user, argv[3], std::move(props));
      return 0;
    }
    if (verb == "start" && argc >= 7) {
      cgroup::ScopeRequest req;
      req.user_manager = user;
      req.unit = argv[3];
      req.slice = argv[4];
      // "-": the pid comes on stdin (see start()).
      req.pid = std::string_view(argv[5]) == "-" ? 0 : static_cast<pid_t>(std::atol(argv[5]));
      req.description = argv[6];
      if (req.pid < 0 || (req.pid == 0 && std::string_view(argv[5]) != "-")) return usage();
      if (!properties(7, &req.properties)) return usage();
      cgroup::start(req);
      return 0;
    }
    if (verb == "stop" && argc == 4) {
      cgroup::stop(user, argv[3]);
      return 0;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "systemd: internal error: %s\n", e.what());
    return 1;
  }
  return usage();
}
