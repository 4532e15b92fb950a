// ps: the container's processes, as host pids (json) or as the host's ps shows them (table).
#include <fcntl.h>
#include <fmt/ranges.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "cgroup/container_cgroup.hpp"
#include "runtime/container_processes.hpp"
#include "runtime/operations.hpp"
#include "runtime/ps_table.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {
namespace {

// Runs `ps ARGS...` and returns its stdout; no shell is involved.
std::string run_ps(const std::vector<std::string>& args) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd rd(p[0]), wr(p[1]);
  pid_t child = ::fork();
  if (child < 0) throw_errno("fork");
  if (child == 0) {
    ::dup2(wr.get(), STDOUT_FILENO);
    std::vector<char*> argv{const_cast<char*>("ps")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp("ps", argv.data());
    _exit(127);
  }
  wr.reset();
  std::string out = sys::read_fd(rd.get());
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("ps {}: exited with status {}", fmt::join(args, " "),
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return out;
}

}  // namespace

std::vector<pid_t> container_pids(const GlobalOptions& g, const std::string& id) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  auto st = dir.load();
  // A stopped container has no processes. runc says so with an empty list and status 0 (its
  // cgroup is empty or gone), not with an error: an engine asking right after the exit is fine.
  if (!st || dir.status(st) == state::Status::Stopped) return {};
  auto cgroups = cgroup::open_cgroup(cgroup::record_from_json(st->cgroup));
  if (!cgroups->none()) return cgroups->processes();
  return container_processes(st->pid, st->pid_start_time);
}

std::string ps_table(const GlobalOptions& g, const std::string& id,
                     const std::vector<std::string>& ps_args) {
  std::vector<pid_t> pids = container_pids(g, id);
  std::vector<std::string> args = ps_args;
  if (args.empty()) args = {"-ef"};
  return filter_ps_output(run_ps(args), pids);
}

}  // namespace sandbox::runtime
