// create, start, run: the commands that bring a container up.
#include "cli/commands.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {

void add_create_flags(CLI::App& cmd, runtime::CreateOptions& o) {
  cmd.add_option("-b,--bundle", o.bundle, "bundle directory (default: .)");
  cmd.add_option("--pid-file", o.pid_file, "write the init's pid to this file");
  cmd.add_flag("--no-pivot", o.no_pivot, "use chroot instead of pivot_root");
  cmd.add_flag("--no-new-keyring", o.no_new_keyring, "keep the caller's session keyring");
  cmd.add_option("--console-socket", o.console_socket,
                 "unix socket that receives the pty master of the container's terminal");
  cmd.add_option("--preserve-fds", o.preserve_fds,
                 "pass this many fds beyond stdio (and LISTEN_FDS) to the container");
  cmd.add_option("id", o.id, "container id")->required();
}

void add_create_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto o = std::make_shared<runtime::CreateOptions>();
  auto* cmd = app.add_subcommand("create", "create a container; its process waits for start");
  add_create_flags(*cmd, *o);
  // create always detaches; engines may still say so.
  cmd->add_flag("-d,--detach", o->detach_flag, "accepted: create always detaches");
  cmd->callback([&g, &action, o] {
    action = [&g, o] {
      runtime::create_container(g, *o);
      return 0;
    };
  });
}

void add_start_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("start", "start the process of a created container");
  cmd->add_option("id", *id, "container id")->required();
  cmd->callback([&g, &action, id] {
    action = [&g, id] {
      runtime::start_container(g, *id);
      return 0;
    };
  });
}

void add_run_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto o = std::make_shared<runtime::RunOptions>();
  auto* cmd = app.add_subcommand("run", "create and start a container");
  add_create_flags(*cmd, *o);
  cmd->add_flag("-d,--detach", o->detach, "return once the container runs");
  cmd->add_flag("--keep", o->keep, "keep the container's state after it exits");
  cmd->add_flag("--no-subreaper", o->no_subreaper, "do not reap orphaned processes");
  cmd->callback([&g, &action, o] { action = [&g, o] { return runtime::run_container(g, *o); }; });
}

}  // namespace sandbox::cli
