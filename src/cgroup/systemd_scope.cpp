// The systemd driver's calls, made by the helper sandbox-systemd (helpers/sandbox_systemd.cpp),
// which links libsystemd; the runtime itself does not (see the helper for why).
#include "cgroup/systemd_scope.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"
#include "sys/run_program.hpp"
#include "sys/sealed_exe.hpp"

namespace sandbox::cgroup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelper = "sandbox-systemd";

// Next to the runtime (a build tree, or both in bin/), else PREFIX/libexec/sandbox/ as
// installed. Found from our own executable, never from $PATH or the environment.
std::string helper_path() {
  fs::path self = sys::original_exe();
  if (self.empty())
    fail("the systemd cgroup driver: cannot find its helper {}: /proc/self/exe: {}", kHelper,
         errno_text(errno));
  fs::path dir = self.parent_path();
  for (fs::path p : {dir / kHelper, dir.parent_path() / "libexec" / "sandbox" / kHelper}) {
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  fail("the systemd cgroup driver needs its helper {} (next to {} or in {}): it is not there",
       kHelper, self.string(), (dir.parent_path() / "libexec" / "sandbox").string());
}

struct Outcome {
  bool ok = false;
  std::string message;  // the helper's stderr, one line
};

// Starts the helper with ARGS: stdout on /dev/null, stderr on a pipe, stdin on a socket when
// WITH_STDIN (else /dev/null); sys::start_program resets its signal mask and dispositions (the
// caller may block signals for its signalfd). Our ends are close-on-exec: the container's init
// never holds them.
sys::RunningProgram spawn_helper(const std::vector<std::string>& args, bool with_stdin) {
  sys::Program p;
  p.path = helper_path();
  p.args = args;
  if (with_stdin) p.input = sys::Program::Input::Socket;
  sys::RunningProgram r = sys::start_program(p);
  r.name = kHelper;
  return r;
}

// Reads the helper's stderr to its end and reaps it.
Outcome collect(sys::RunningProgram& r, const std::string& verb) {
  sys::ProgramResult res = sys::finish_program(r);
  std::string err = res.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
  Outcome o;
  o.ok = res.ok();
  if (!o.ok && err.empty())
    err = fmt::format("systemd: {} {} failed ({})", kHelper, verb, sys::describe_exit(res.status));
  o.message = err;
  return o;
}

Outcome run_helper(const std::vector<std::string>& args) {
  sys::RunningProgram r = spawn_helper(args, false);
  return collect(r, args.empty() ? "" : args[0]);
}

const char* manager_arg(bool user_manager) {
  return user_manager ? "user" : "system";
}

// Whether something listens on the bus socket at all: cheap, in-process, so that the common
// "no session bus" answer costs no helper.
bool bus_socket_answers(bool user_manager, std::string* why) {
  std::string path;
  const char* env =
      std::getenv(user_manager ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
  if (env && *env) {
    std::string_view a = env;
    if (a.rfind("unix:path=", 0) != 0) return true;  // another transport: let sd-bus judge
    a.remove_prefix(10);
    path = std::string(a.substr(0, a.find(',')));
  } else if (user_manager) {
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    if (!run || !*run) {
      *why = "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set";
      return false;
    }
    path = std::string(run) + "/bus";
  } else {
    path = "/run/dbus/system_bus_socket";
  }
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return true;
  path.copy(sa.sun_path, path.size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return true;
  int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  int err = errno;
  if (rc == 0) return true;
  *why = fmt::format("cannot connect to the {} bus at unix:path={}: {}",
                     user_manager ? "session" : "system", path, errno_text(err));
  return false;
}

}  // namespace

bool systemd_bus_listening(bool user_manager, std::string* why) {
  std::string ignored;
  return bus_socket_answers(user_manager, why ? why : &ignored);
}

PendingScope PendingScope::begin(const ScopeRequest& req) {
  std::vector<std::string> args{
      "start", manager_arg(req.user_manager), req.unit, req.slice, "-", req.description};
  for (const auto& p : req.properties) args.push_back(property_arg(p));
  PendingScope p;
  p.helper_ = spawn_helper(args, true);
  return p;
}

PendingScope::PendingScope(PendingScope&& o) noexcept : helper_(std::move(o.helper_)) {
  o.helper_.pid = -1;
}

PendingScope::~PendingScope() {
  if (helper_.pid < 0) return;
  // No pid was sent, so the helper has started nothing: end it. (Closing its stdin is not
  // enough while a clone of ours, the container's init, still holds the other copy.)
  ::kill(helper_.pid, SIGKILL);
  helper_.input.reset();
  try {
    collect(helper_, "start");
  } catch (const Error&) {
  }
}

void PendingScope::finish(pid_t pid) {
  std::string line = std::to_string(pid) + "\n";
  // A helper that already failed (no bus) has closed its stdin: its stderr says why.
  (void)!::send(helper_.input.get(), line.data(), line.size(), MSG_NOSIGNAL);
  helper_.input.reset();
  sys::RunningProgram h = std::move(helper_);
  helper_.pid = -1;
  Outcome o = collect(h, "start");
  if (!o.ok) fail("{}", o.message);
  log::debug("systemd: started the scope of pid {}", pid);
}

void set_unit_properties(bool user_manager, const std::string& unit,
                         const std::vector<UnitProperty>& props) {
  std::vector<std::string> args{"set", manager_arg(user_manager), unit};
  for (const auto& p : props) args.push_back(property_arg(p));
  Outcome o = run_helper(args);
  if (!o.ok) fail("{}", o.message);
  log::debug("systemd: set {} properties of {}", props.size(), unit);
}

void stop_scope(bool user_manager, const std::string& unit) {
  Outcome o = run_helper({"stop", manager_arg(user_manager), unit});
  if (!o.ok) fail("{}", o.message);
  log::debug("systemd: stopped {}", unit);
}

}  // namespace sandbox::cgroup
