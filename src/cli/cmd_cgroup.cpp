// pause, resume and update: the commands that act on a live container's cgroups.
#include "cli/commands.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {
namespace {

struct IdFlag {
  std::string id;
};

struct UpdateArgs {
  std::string id;
  runtime::UpdateFlags f;
};

template <typename T>
void optional_option(CLI::App* cmd, const std::string& name, std::optional<T>& into,
                     const std::string& help) {
  cmd->add_option_function<T>(
      name, [&into](const T& v) { into = v; }, help);
}

}  // namespace

void add_pause_resume_commands(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto p = std::make_shared<IdFlag>();
  auto* pause = app.add_subcommand("pause", "freeze every process of a container");
  pause->add_option("id", p->id, "container id")->required();
  pause->callback([&g, &action, p] {
    action = [&g, p] {
      runtime::pause_container(g, p->id);
      return 0;
    };
  });
  auto r = std::make_shared<IdFlag>();
  auto* resume = app.add_subcommand("resume", "thaw a paused container");
  resume->add_option("id", r->id, "container id")->required();
  resume->callback([&g, &action, r] {
    action = [&g, r] {
      runtime::resume_container(g, r->id);
      return 0;
    };
  });
}

void add_update_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto a = std::make_shared<UpdateArgs>();
  auto& f = a->f;
  auto* cmd = app.add_subcommand("update", "change the cgroup limits of a running container");
  cmd->add_option("-r,--resources", f.resources,
                  "a linux.resources JSON file, or - for stdin (flags override it)");
  optional_option(cmd, "--memory", f.memory, "memory limit (e.g. 512m; -1 = unlimited)");
  optional_option(cmd, "--memory-reservation", f.memory_reservation, "memory soft limit");
  optional_option(cmd, "--memory-swap", f.memory_swap, "memory plus swap limit (-1 = unlimited)");
  optional_option(cmd, "--kernel-memory", f.kernel_memory, "kernel memory limit (v1 only)");
  optional_option(cmd, "--kernel-memory-tcp", f.kernel_memory_tcp, "kernel TCP buffer limit");
  optional_option(cmd, "--pids-limit", f.pids_limit, "maximum number of processes");
  // --cpu-share is runc's spelling, --cpu-shares docker's; both are taken.
  optional_option(cmd, "--cpu-shares,--cpu-share", f.cpu_shares, "CPU shares (relative weight)");
  optional_option(cmd, "--cpu-period", f.cpu_period, "CPU CFS period in microseconds");
  optional_option(cmd, "--cpu-quota", f.cpu_quota, "CPU CFS quota in microseconds (-1 = none)");
  optional_option(cmd, "--cpu-burst", f.cpu_burst, "CPU CFS burst in microseconds");
  optional_option(cmd, "--cpu-rt-period", f.cpu_rt_period, "CPU realtime period (v1)");
  optional_option(cmd, "--cpu-rt-runtime", f.cpu_rt_runtime, "CPU realtime runtime (v1)");
  optional_option(cmd, "--cpu-idle", f.cpu_idle, "cgroup2 cpu.idle (0 or 1)");
  optional_option(cmd, "--cpuset-cpus", f.cpuset_cpus, "CPUs to use (e.g. 0-1)");
  optional_option(cmd, "--cpuset-mems", f.cpuset_mems, "memory nodes to use");
  optional_option(cmd, "--blkio-weight", f.blkio_weight, "block IO weight (10-1000)");
  cmd->add_option("--l3-cache-schema", f.l3_cache_schema,
                  "Intel RDT/CAT L3 schema (runc's flag; refused: no Intel RDT)");
  cmd->add_option("--mem-bw-schema", f.mem_bw_schema,
                  "Intel RDT/MBA schema (runc's flag; refused: no Intel RDT)");
  cmd->add_option("id", a->id, "container id")->required();
  cmd->callback([&g, &action, a] {
    action = [&g, a] {
      runtime::update_container(g, a->id, a->f);
      return 0;
    };
  });
}

}  // namespace sandbox::cli
