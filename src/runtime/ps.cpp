// ps: the container's processes, as host pids (json) or as the host's ps shows them (table).
#include <fmt/ranges.h>
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
#include "sys/run_program.hpp"

namespace sandbox::runtime {
namespace {

// Runs `ps ARGS...` (found in PATH, no shell) and returns its stdout; its stderr goes into the
// error.
std::string run_ps(const std::vector<std::string>& args) {
  sys::Program p;
  p.path = "ps";
  p.search_path = true;
  p.args = args;
  p.output = sys::Program::Output::Capture;
  sys::ProgramResult r = sys::run_program(p);
  sys::check_program(r, fmt::format("ps {}", fmt::join(args, " ")));
  return r.out;
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
