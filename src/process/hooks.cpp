#include "process/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/run_program.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::process {
namespace {

constexpr size_t kOutputKept = 512;  // of a failing hook's output, for the error line

// The state goes into the stdin pipe whole before the hook starts: the hook may never read
// it, and the runtime must not block on (or get SIGPIPE from) a hook that does not.
Fd state_pipe(const std::string& state) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("hook: pipe");
  Fd rd(p[0]), wr(p[1]);
  if (state.size() > 65536 && ::fcntl(wr.get(), F_SETPIPE_SZ, static_cast<int>(state.size())) < 0)
    throw_errno("hook: the state document does not fit a pipe");
  if (::write(wr.get(), state.data(), state.size()) != static_cast<ssize_t>(state.size()))
    throw_errno("hook: write the state");
  // The hook reads with blocking reads, as from any pipe.
  ::fcntl(rd.get(), F_SETFL, 0);
  return rd;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_hook(const oci::Hook& h, int in, int out) {
  if (::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
      ::dup2(out, STDERR_FILENO) < 0)
    _exit(127);
  // Under a seccomp filter (a startContainer hook, run by the init after its filter went in)
  // close_range may be denied or even kill: every fd there is already close-on-exec
  // (mark_cloexec_from before the filter), so nothing else reaches the hook.
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0) sys::close_fds_except(3, {});
  // A hook starts with default signal handling and nothing blocked, whatever the runtime (or
  // the init) had set for itself.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; sig++) ::signal(sig, SIG_DFL);
  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  std::vector<std::string> env = h.env;
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  ::execve(h.path.c_str(), argv.data(), envp.data());
  std::string msg = fmt::format("exec: {}", errno_text(errno));
  (void)!::write(STDERR_FILENO, msg.data(), msg.size());
  _exit(127);
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Reads what is there without blocking; keeps the last kOutputKept bytes.
bool drain(int fd, std::string& kept) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      kept.append(buf, static_cast<size_t>(n));
      if (kept.size() > kOutputKept) kept.erase(0, kept.size() - kOutputKept);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n == 0;  // EOF
  }
}

void run_one(std::string_view kind, const oci::Hook& h, const std::string& state) {
  Fd in = state_pipe(state);
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("hook: pipe");
  Fd out_rd(p[0]), out_wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno(fmt::format("{} hook {}: fork", kind, h.path));
  if (pid == 0) {
    ::fcntl(out_wr.get(), F_SETFL, 0);
    exec_hook(h, in.get(), out_wr.get());
  }
  in.reset();
  out_wr.reset();
  Fd pidfd(sys::pidfd_open(pid));
  using Clock = std::chrono::steady_clock;
  auto deadline =
      h.timeout ? Clock::now() + std::chrono::seconds(*h.timeout) : Clock::time_point::max();
  std::string output;
  bool eof = false, timed_out = false;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) throw_errno(fmt::format("{} hook {}: wait", kind, h.path));
    int wait_ms = -1;
    if (h.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    // Without a pidfd (old kernels) the exit is polled for every 10 ms.
    if (!pidfd && (wait_ms < 0 || wait_ms > 10)) wait_ms = 10;
    pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {eof ? -1 : out_rd.get(), POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) < 0 && errno != EINTR)
      throw_errno(fmt::format("{} hook {}: poll", kind, h.path));
    if (fds[1].revents) eof = drain(out_rd.get(), output);
  }
  // Whatever the hook wrote before it ended (a child it left behind may still hold the pipe).
  drain(out_rd.get(), output);
  std::string said = one_line(output);
  std::string tail = said.empty() ? "" : ": " + said;
  if (timed_out) fail("{} hook {}: timed out after {} s{}", kind, h.path, *h.timeout, tail);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("{} hook {}: {}{}", kind, h.path, sys::describe_exit(status), tail);
  if (!said.empty()) log::debug("{} hook {}: {}", kind, h.path, said);
}

}  // namespace

std::string hook_state(const oci::Spec& spec, const std::string& id, const std::string& bundle,
                       pid_t pid, std::string_view status) {
  nlohmann::ordered_json j = {{"ociVersion", spec.oci_version},
                              {"id", id},
                              {"status", status},
                              {"pid", pid},
                              {"bundle", bundle}};
  if (!spec.annotations.empty()) j["annotations"] = spec.annotations;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool init_needs_hook_round_trip(const oci::Hooks& h) {
  return !h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() ||
         !h.start_container.empty();
}

void run_hooks(std::string_view kind, const std::vector<oci::Hook>& hooks,
               const std::string& state) {
  for (const auto& h : hooks) run_one(kind, h, state);
}

void run_hooks_warning_only(std::string_view kind, const std::vector<oci::Hook>& hooks,
                            const std::string& state) {
  for (const auto& h : hooks) {
    try {
      run_one(kind, h, state);
    } catch (const Error& e) {
      log::warning(e.what());
    }
  }
}

}  // namespace sandbox::process
