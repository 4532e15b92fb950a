// `sandbox seccomp record|check|stop`: the agent started, the derived bundle written, the
// container run (see seccomp_session.hpp).
#include "runtime/seccomp_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "oci/parse.hpp"
#include "runtime/operations.hpp"
#include "runtime/seccomp_record.hpp"
#include "state/id.hpp"
#include "state/root.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file_io.hpp"
#include "sys/sealed_exe.hpp"
#include "sys/syscalls.hpp"

namespace fs = std::filesystem;

namespace sandbox::runtime {
namespace {

constexpr const char* kAgent = "sandbox-seccomp";

std::string agent_path() {
  fs::path self = sys::original_exe();
  if (self.empty()) fail("seccomp: cannot find {}: /proc/self/exe: {}", kAgent, errno_text(errno));
  fs::path dir = self.parent_path();
  for (fs::path p : {dir / kAgent, dir.parent_path() / "libexec" / "sandbox" / kAgent})
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  fail("seccomp: the agent {} is neither next to {} nor in {}", kAgent, self.string(),
       (dir.parent_path() / "libexec" / "sandbox").string());
}

std::string session_dir(const GlobalOptions& g, const std::string& id) {
  return (fs::path(g.root) / (id + "@seccomp")).string();
}

std::string absolute(const std::string& p) {
  return p.empty() ? p : fs::absolute(p).string();
}

// Starts the agent detached from us (double fork, own session): it outlives a detached
// session, and a foreground `run` (a subreaper that reaps every child) never reaps it. Its
// stderr goes to DIR/agent.log. Returns its pid once it listens.
// What the agent wrote (its summary; check's denied calls when no --report was given) goes to
// our stderr once it is done: the agent itself runs detached, its output in the session.
void relay_agent_log(const std::string& dir) {
  try {
    std::string text = sys::read_file(dir + "/agent.log");
    std::fwrite(text.data(), 1, text.size(), stderr);
  } catch (const Error&) {
  }
}

pid_t start_agent(const std::string& dir, const std::vector<std::string>& args) {
  std::string path = agent_path();
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd rd(ready[0]), wr(ready[1]);
  std::vector<std::string> argv_s = {path};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.push_back("--ready-fd");
  argv_s.push_back("3");
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = dir + "/agent.log";
  pid_t child = ::fork();
  if (child < 0) throw_errno("fork");
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    int in = ::open("/dev/null", O_RDONLY);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(err, 1) < 0 || ::dup2(err, 2) < 0 ||
        ::dup2(wr.get(), 3) < 0)
      ::_exit(127);
    sys::close_range(4, ~0U, 0);
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  int st;
  while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
  }
  wr.reset();
  char buf[32] = {};
  ssize_t n = ::read(rd.get(), buf, sizeof(buf) - 1);
  pid_t pid = n > 0 ? pid_t(std::atoi(buf)) : 0;
  if (pid <= 0) {
    std::string why;
    try {
      why = sys::read_file(log);
    } catch (const Error&) {
    }
    while (!why.empty() && why.back() == '\n') why.pop_back();
    fail("seccomp: the agent {} did not start{}{}", path, why.empty() ? "" : ": ", why);
  }
  return pid;
}

// Waits for PID (not our child) to exit: its pidfd turns readable.
void wait_gone(pid_t pid) {
  int fd = sys::pidfd_open(pid);
  if (fd < 0) return;  // gone already
  Fd pidfd(fd);
  pollfd p{pidfd.get(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

int read_result(const std::string& dir) {
  try {
    return std::stoi(sys::read_file(dir + "/result"));
  } catch (const std::exception&) {
    fail("seccomp: the agent ended without a result (see {}/agent.log)", dir);
  }
}

// write_file_atomic takes a directory fd and a plain name.
void write_in(const std::string& dir, const std::string& name, const std::string& data) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid()) throw_errno("open " + dir);
  sys::write_file_atomic(d.get(), name, data, 0600);
}

void remove_session(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// The derived config: the bundle's, with an absolute root.path and the session's filter.
void write_derived_config(const SeccompSessionOptions& o, const std::string& dir,
                          const std::string& socket) {
  std::string bundle = absolute(o.bundle);
  auto config = nlohmann::ordered_json::parse(oci::read_config_text(bundle), nullptr, false);
  if (config.is_discarded() || !config.is_object()) fail("config.json: not valid JSON");
  std::string root = config["root"].value("path", "rootfs");
  if (root.empty() || root[0] != '/') config["root"]["path"] = bundle + "/" + root;
  if (o.check) {
    auto profile = nlohmann::json::parse(sys::read_file(o.profile), nullptr, false);
    if (profile.is_discarded()) fail("--profile {}: not valid JSON", o.profile);
    config["linux"]["seccomp"] = check_seccomp(profile, socket);
  } else {
    config["linux"]["seccomp"] = record_seccomp(socket);
  }
  write_in(dir, "config.json", config.dump(2));
}

}  // namespace

int run_seccomp_session(const GlobalOptions& g, const SeccompSessionOptions& o) {
  state::validate_id(o.id);
  if (o.check && o.profile.empty()) fail("seccomp check: --profile is required");
  if (o.format != "oci" && o.format != "docker") fail("--format {}: not oci or docker", o.format);
  state::StateRoot::open(g.root, state::StateRoot::Mode::Create);
  std::string dir = session_dir(g, o.id);
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) fail("seccomp: a session for {} exists already ({})", o.id, dir);
    throw_errno("mkdir " + dir);
  }
  std::string socket = dir + "/agent.sock";
  pid_t agent = 0;
  try {
    write_derived_config(o, dir, socket);
    std::vector<std::string> args;
    if (o.check) {
      args = {"check",     "--socket",          socket,
              "--profile", absolute(o.profile), o.enforce ? "--enforce" : "--complain"};
    } else {
      args = {"record",
              "--socket",
              socket,
              "--format",
              o.format,
              "--output",
              absolute(o.output.empty() ? "seccomp-profile.json" : o.output)};
    }
    if (!o.report.empty()) args.insert(args.end(), {"--report", absolute(o.report)});
    args.insert(args.end(), {"--result", dir + "/result"});
    agent = start_agent(dir, args);
    write_in(dir, "agent.pid", std::to_string(agent));

    RunOptions run;
    run.id = o.id;
    run.bundle = dir;
    run.detach = o.detach;
    int status = run_container(g, run);
    if (o.detach) return 0;
    wait_gone(agent);
    int verdict = read_result(dir);
    relay_agent_log(dir);
    remove_session(dir);
    return o.check ? verdict : status;
  } catch (...) {
    if (agent > 0) {
      ::kill(agent, SIGKILL);
      wait_gone(agent);
    }
    remove_session(dir);
    throw;
  }
}

int stop_seccomp_session(const GlobalOptions& g, const std::string& id) {
  state::validate_id(id);
  std::string dir = session_dir(g, id);
  pid_t agent;
  try {
    agent = pid_t(std::stoi(sys::read_file(dir + "/agent.pid")));
  } catch (const std::exception&) {
    fail("seccomp stop: no session for {}", id);
  }
  try {
    delete_container(g, id, true);  // its processes gone, the agent's fds hang up
  } catch (const Error&) {
    // already deleted: the agent may be done or about to be
  }
  wait_gone(agent);
  int verdict = read_result(dir);
  relay_agent_log(dir);
  remove_session(dir);
  return verdict;
}

}  // namespace sandbox::runtime
