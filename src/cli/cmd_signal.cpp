// kill and delete: the commands that bring a container down.
#include "cli/commands.hpp"
#include "linux/signals.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {
namespace {

struct KillFlags {
  std::string id;
  std::string signal = "TERM";
  bool all = false;
};

struct DeleteFlags {
  std::string id;
  bool force = false;
};

}  // namespace

void add_kill_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto f = std::make_shared<KillFlags>();
  auto* cmd = app.add_subcommand("kill", "send a signal (default TERM) to a container");
  cmd->add_flag("-a,--all", f->all, "signal every process of the container");
  cmd->add_option("id", f->id, "container id")->required();
  cmd->add_option("signal", f->signal, "signal name (TERM, SIGTERM) or number (15)");
  cmd->callback([&g, &action, f] {
    action = [&g, f] {
      // Signal 0 checks that the container is alive, as with runc and kill(1).
      int sig = f->signal == "0" ? 0 : linux_::parse_signal(f->signal);
      runtime::kill_container(g, f->id, sig, f->all);
      return 0;
    };
  });
}

void add_delete_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto f = std::make_shared<DeleteFlags>();
  auto* cmd = app.add_subcommand("delete", "delete a stopped container");
  cmd->alias("rm");
  cmd->add_flag("-f,--force", f->force, "kill it first if it runs; no error if it is missing");
  cmd->add_option("id", f->id, "container id")->required();
  cmd->callback([&g, &action, f] {
    action = [&g, f] {
      runtime::delete_container(g, f->id, f->force);
      return 0;
    };
  });
}

}  // namespace sandbox::cli
