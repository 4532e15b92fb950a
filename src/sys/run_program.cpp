#include "sys/run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"

extern char** environ;

namespace sandbox::sys {
namespace {

// posix_spawn attributes and fd actions, destroyed however we leave.
struct SpawnSetup {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::pair<Fd, Fd> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe");
  return {Fd(p[0]), Fd(p[1])};
}

// Appends what FD has now to OUT; false at its end.
bool drain(int fd, std::string& out) {
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  out.append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

bool ProgramResult::ok() const {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("wait status {:#x}", status);
}

RunningProgram start_program(const Program& p) {
  SpawnSetup s;
  RunningProgram r;
  r.name = p.path.substr(p.path.rfind('/') + 1);
  Fd child_in, child_out;
  if (p.input == Program::Input::Socket) {
    // A socket rather than a pipe: a send to a program that is gone is EPIPE, not SIGPIPE.
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) throw_errno("socketpair");
    r.input.reset(sp[1]);
    child_in.reset(sp[0]);
    posix_spawn_file_actions_adddup2(&s.fa, child_in.get(), 0);
  } else {
    posix_spawn_file_actions_addopen(&s.fa, 0, "/dev/null", O_RDONLY, 0);
  }
  auto [err_read, err_write] = make_pipe();
  r.errors = std::move(err_read);
  switch (p.output) {
    case Program::Output::Null:
      posix_spawn_file_actions_addopen(&s.fa, 1, "/dev/null", O_WRONLY, 0);
      break;
    case Program::Output::Capture: {
      auto [out_read, out_write] = make_pipe();
      r.output = std::move(out_read);
      child_out = std::move(out_write);
      posix_spawn_file_actions_adddup2(&s.fa, child_out.get(), 1);
      break;
    }
    case Program::Output::Stderr:
      posix_spawn_file_actions_adddup2(&s.fa, err_write.get(), 1);
      break;
  }
  posix_spawn_file_actions_adddup2(&s.fa, err_write.get(), 2);
  // Nothing of ours beyond stdio: the runtime may hold fds that are not close-on-exec on
  // purpose (--preserve-fds, LISTEN_FDS) and those are the container's, not the helper's.
  posix_spawn_file_actions_addclosefrom_np(&s.fa, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(p.path.c_str()));
  for (const auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  char* no_env[] = {nullptr};
  char** envp = p.empty_environment ? no_env : environ;
  // glibc's posix_spawn reports a failed execve (ENOENT, EACCES) as its result.
  int rc = p.search_path ? ::posix_spawnp(&r.pid, p.path.c_str(), &s.fa, &s.attr, argv.data(), envp)
                         : ::posix_spawn(&r.pid, p.path.c_str(), &s.fa, &s.attr, argv.data(), envp);
  if (rc != 0) throw_errno("run " + p.path, rc);
  return r;
}

ProgramResult finish_program(RunningProgram& r) {
  ProgramResult res;
  bool out_open = r.output.valid(), err_open = r.errors.valid();
  while (out_open || err_open) {
    pollfd fds[2];
    nfds_t n = 0;
    int out_at = -1, err_at = -1;
    if (out_open) {
      out_at = static_cast<int>(n);
      fds[n++] = {r.output.get(), POLLIN, 0};
    }
    if (err_open) {
      err_at = static_cast<int>(n);
      fds[n++] = {r.errors.get(), POLLIN, 0};
    }
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll " + r.name);
    }
    if (out_at >= 0 && fds[out_at].revents) out_open = drain(r.output.get(), res.out);
    if (err_at >= 0 && fds[err_at].revents) err_open = drain(r.errors.get(), res.err);
  }
  r.output.reset();
  r.errors.reset();
  r.input.reset();
  while (::waitpid(r.pid, &res.status, 0) < 0) {
    if (errno != EINTR) throw_errno("wait for " + r.name);
  }
  r.pid = -1;
  return res;
}

ProgramResult run_program(const Program& p) {
  RunningProgram r = start_program(p);
  return finish_program(r);
}

std::string output_line(const std::string& output, const std::string& name) {
  std::string out;
  std::string_view rest = output;
  std::string prefix = name + ": ";
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

void check_program(const ProgramResult& r, const std::string& name) {
  if (r.ok()) return;
  std::string said = output_line(r.err, name);
  if (said.empty()) fail("{}: {}", name, describe_exit(r.status));
  fail("{}: {}: {}", name, describe_exit(r.status), said);
}

}  // namespace sandbox::sys
