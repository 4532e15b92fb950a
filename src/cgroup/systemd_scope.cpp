// The systemd driver's calls, made by the helper sandbox-systemd (helpers/sandbox_systemd.cpp),
// which links libsystemd; the runtime itself does not (see the helper for why).
#include "cgroup/systemd_scope.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"

extern char** environ;

namespace sandbox::cgroup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelper = "sandbox-systemd";

// Next to the runtime (a build tree, or both in bin/), else PREFIX/libexec/sandbox/ as
// installed. Found from our own executable, never from $PATH or the environment.
std::string helper_path() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) fail("the systemd cgroup driver: cannot find its helper {}: /proc/self/exe: {}", kHelper,
               ec.message());
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

// Runs the helper with ARGS, stdin and stdout on /dev/null, stderr captured; with no signal
// blocked or ignored (the caller may block signals for its signalfd).
Outcome run_helper(const std::vector<std::string>& args) {
  std::string path = helper_path();
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw_errno("pipe", errno);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    throw_errno("systemd: run " + path, rc);
  }
  std::string err = sys::read_fd(pipefd[0]);
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("systemd: wait for " + path, errno);
  }
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
  Outcome o;
  o.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!o.ok && err.empty())
    err = fmt::format("systemd: {} {} failed (status {})", path, args.empty() ? "" : args[0],
                      status);
  o.message = err;
  return o;
}

const char* manager_arg(bool user_manager) { return user_manager ? "user" : "system"; }

// Whether something listens on the bus socket at all: cheap, in-process, so that the common
// "no session bus" answer costs no helper.
bool bus_socket_answers(bool user_manager, std::string* why) {
  std::string path;
  const char* env = std::getenv(user_manager ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
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
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return true;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  int err = errno;
  ::close(fd);
  if (rc == 0) return true;
  *why = fmt::format("cannot connect to the {} bus at unix:path={}: {}",
                     user_manager ? "session" : "system", path, errno_text(err));
  return false;
}

}  // namespace

bool systemd_reachable(bool user_manager, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  if (!bus_socket_answers(user_manager, why)) return false;
  Outcome o;
  try {
    o = run_helper({"probe", manager_arg(user_manager)});
  } catch (const Error& e) {
    *why = e.what();
    return false;
  }
  if (!o.ok) *why = o.message;
  return o.ok;
}

void start_scope(const ScopeRequest& req) {
  Outcome o = run_helper({"start", manager_arg(req.user_manager), req.unit, req.slice,
                          std::to_string(req.pid), req.description});
  if (!o.ok) fail("{}", o.message);
  log::debug("systemd: started {} in {}", req.unit, req.slice);
}

void stop_scope(bool user_manager, const std::string& unit) {
  Outcome o = run_helper({"stop", manager_arg(user_manager), unit});
  if (!o.ok) fail("{}", o.message);
  log::debug("systemd: stopped {}", unit);
}

}  // namespace sandbox::cgroup
