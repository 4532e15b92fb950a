#include "cgroup/systemd_scope.hpp"

#include <systemd/sd-bus.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::cgroup {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr uint64_t kJobTimeoutUsec = 10'000'000;

struct BusUnref {
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
using Bus = std::unique_ptr<sd_bus, BusUnref>;

struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&e); }
};

std::string describe(int r, const BusError& err) {
  if (sd_bus_error_is_set(&err.e) && err.e.message) return err.e.message;
  return errno_text(-r);
}

// Opens the manager's bus. The user bus needs an address: sd-bus falls back to
// $XDG_RUNTIME_DIR/bus itself, but without either there is nothing to try.
Bus open_bus(bool user_manager, std::string* why) {
  sd_bus* raw = nullptr;
  int r;
  if (user_manager) {
    if (!std::getenv("DBUS_SESSION_BUS_ADDRESS") && !std::getenv("XDG_RUNTIME_DIR")) {
      *why = "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set";
      return nullptr;
    }
    r = sd_bus_open_user(&raw);
  } else {
    r = sd_bus_open_system(&raw);
  }
  if (r < 0) {
    *why = fmt::format("cannot connect to the {} bus: {}", user_manager ? "session" : "system",
                       errno_text(-r));
    return nullptr;
  }
  return Bus(raw);
}

Bus open_bus_or_throw(bool user_manager) {
  std::string why;
  Bus bus = open_bus(user_manager, &why);
  if (!bus) fail("systemd: {}", why);
  return bus;
}

// Calls METHOD, whose reply is a job path, and waits for that job's JobRemoved signal.
// Returns the job's result ("done", "failed", ...). The match is added before the call, so
// the signal cannot be missed.
struct JobWait {
  std::string job;
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

std::string wait_job(sd_bus* bus, JobWait& w, const std::string& unit) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kJobTimeoutUsec);
  while (!w.done) {
    int r = sd_bus_process(bus, nullptr);
    if (r < 0) throw_errno("systemd: " + unit + ": reading the bus", -r);
    if (r > 0) continue;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) fail("systemd: {}: no answer for the job {} within 10 s", unit, w.job);
    r = sd_bus_wait(bus, static_cast<uint64_t>(left.count()));
    if (r < 0) throw_errno("systemd: " + unit + ": waiting on the bus", -r);
  }
  return w.result;
}

sd_bus_slot* watch_jobs(sd_bus* bus, JobWait& w) {
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_match_signal(bus, &slot, kService, kPath, kManager, "JobRemoved", on_job_removed,
                              &w);
  if (r < 0) throw_errno("systemd: subscribe to JobRemoved", -r);
  return slot;
}

}  // namespace

bool systemd_reachable(bool user_manager, std::string* why) {
  Bus bus = open_bus(user_manager, why);
  if (!bus) return false;
  BusError err;
  char* version = nullptr;
  int r = sd_bus_get_property_string(bus.get(), kService, kPath, kManager, "Version", &err.e,
                                     &version);
  if (r < 0) {
    *why = fmt::format("the {} manager does not answer: {}", user_manager ? "user" : "system",
                       describe(r, err));
    return false;
  }
  log::debug("systemd {} manager {}", user_manager ? "user" : "system", version);
  std::free(version);
  return true;
}

void start_scope(const ScopeRequest& req) {
  Bus bus = open_bus_or_throw(req.user_manager);
  JobWait w;
  sd_bus_slot* slot = watch_jobs(bus.get(), w);
  std::unique_ptr<sd_bus_slot, sd_bus_slot* (*)(sd_bus_slot*)> keep(slot, sd_bus_slot_unref);

  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus.get(), &raw, kService, kPath, kManager,
                                         "StartTransientUnit");
  if (r < 0) throw_errno("systemd: StartTransientUnit", -r);
  Message m(raw);
  uint32_t pid = static_cast<uint32_t>(req.pid);
  r = sd_bus_message_append(m.get(), "ss", req.unit.c_str(), "fail");
  if (r >= 0) r = sd_bus_message_open_container(m.get(), 'a', "(sv)");
  if (r >= 0)
    r = sd_bus_message_append(m.get(), "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s",
                              req.description.c_str(), "Slice", "s", req.slice.c_str(),
                              "Delegate", "b", 1, "PIDs", "au", 1, pid, "DefaultDependencies",
                              "b", 0, "CollectMode", "s", "inactive-or-failed");
  if (r >= 0) r = sd_bus_message_close_container(m.get());
  if (r >= 0) r = sd_bus_message_append(m.get(), "a(sa(sv))", 0);
  if (r < 0) throw_errno("systemd: build StartTransientUnit", -r);

  BusError err;
  sd_bus_message* reply_raw = nullptr;
  r = sd_bus_call(bus.get(), m.get(), kJobTimeoutUsec, &err.e, &reply_raw);
  if (r < 0)
    fail("systemd: start scope {} in {}: {}", req.unit, req.slice, describe(r, err));
  Message reply(reply_raw);
  const char* job = nullptr;
  r = sd_bus_message_read(reply.get(), "o", &job);
  if (r < 0) throw_errno("systemd: StartTransientUnit reply", -r);
  w.job = job;
  std::string result = wait_job(bus.get(), w, req.unit);
  if (result != "done")
    fail(
        "systemd: start scope {}: job {} (the manager could not move the container into it; "
        "the caller must run in a cgroup that the manager may move processes from, such as "
        "its login session)",
        req.unit, result);
  log::debug("systemd: started {} in {}", req.unit, req.slice);
}

void stop_scope(bool user_manager, const std::string& unit) {
  Bus bus = open_bus_or_throw(user_manager);
  JobWait w;
  sd_bus_slot* slot = watch_jobs(bus.get(), w);
  std::unique_ptr<sd_bus_slot, sd_bus_slot* (*)(sd_bus_slot*)> keep(slot, sd_bus_slot_unref);
  BusError err;
  sd_bus_message* reply_raw = nullptr;
  int r = sd_bus_call_method(bus.get(), kService, kPath, kManager, "StopUnit", &err.e, &reply_raw,
                             "ss", unit.c_str(), "replace");
  if (r < 0) {
    // Gone already: an empty transient scope is collected by systemd on its own.
    if (sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit") ||
        sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.LoadFailed"))
      return;
    fail("systemd: stop scope {}: {}", unit, describe(r, err));
  }
  Message reply(reply_raw);
  const char* job = nullptr;
  if (sd_bus_message_read(reply.get(), "o", &job) < 0) return;
  w.job = job;
  wait_job(bus.get(), w, unit);
}

}  // namespace sandbox::cgroup
