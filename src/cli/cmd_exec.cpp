// exec: a new process in a running container.
#include "cli/commands.hpp"
#include "runtime/operations.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::cli {

void add_exec_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto o = std::make_shared<runtime::ExecOptions>();
  auto* cmd = app.add_subcommand(
      "exec", "run a new process in a running container: exec [OPTIONS] ID [COMMAND [ARG...]]");
  cmd->add_option("-p,--process", o->process_file, "process.json with the whole process");
  cmd->add_flag("-t,--tty", o->tty, "give the process a terminal");
  cmd->add_flag("-d,--detach", o->detach, "return once the process runs");
  cmd->add_option("--pid-file", o->pid_file, "write the process's pid to this file");
  cmd->add_option("--console-socket", o->console_socket,
                  "unix socket that receives the pty master (with -t -d)");
  cmd->add_option("--cwd", o->cwd, "working directory in the container");
  cmd->add_option("-e,--env", o->env, "set an environment variable (NAME=VALUE)")
      ->allow_extra_args(false);
  cmd->add_option("-u,--user", o->user, "UID[:GID] to run as");
  cmd->add_option("-g,--additional-gids", o->additional_gids, "add a supplementary group")
      ->allow_extra_args(false);
  cmd->add_option("-c,--cap", o->caps, "add a capability (CAP_...)")->allow_extra_args(false);
  cmd->add_flag("--no-new-privs", o->no_new_privs, "set no_new_privs");
  cmd->add_option("--preserve-fds", o->preserve_fds, "pass this many fds beyond stdio");
  cmd->add_option("--process-label", o->process_label,
                  "SELinux label for the process (dropped where the host has no SELinux)");
  cmd->add_option("--apparmor", o->apparmor,
                  "AppArmor profile for the process (dropped where the host has no AppArmor)");
  cmd->add_option("--cgroup", o->sub_cgroups,
                  "run in an existing sub-cgroup of the container: [CONTROLLER[,...]:]PATH")
      ->allow_extra_args(false);
  cmd->add_flag("--ignore-paused", o->ignore_paused,
                "exec in a paused container (the process stays frozen until resume)");
  // ID and the command come last and the command keeps its own flags: `exec c sh -c 'exit 7'`.
  cmd->prefix_command();
  cmd->callback([&g, &action, o, cmd] {
    std::vector<std::string> rest = cmd->remaining();
    if (!rest.empty() && rest[0] == "--") rest.erase(rest.begin());
    if (rest.empty()) throw CLI::ValidationError("exec", "the container id is required");
    o->id = rest[0];
    o->args.assign(rest.begin() + 1, rest.end());
    if (!o->args.empty() && o->args[0] == "--") o->args.erase(o->args.begin());
    action = [&g, o] {
      try {
        return runtime::exec_in_container(g, *o);
      } catch (const Error& e) {
        // In the foreground the process's own status is the exit code; 255 says that exec
        // itself failed (runc's convention). Detached, failure is 1 like every command.
        if (o->detach) throw;
        log::error(e.what());
        return 255;
      }
    };
  });
}

}  // namespace sandbox::cli
