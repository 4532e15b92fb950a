// sandbox: a rootless-first OCI runtime with runc's command line.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cli/argv_scan.hpp"
#include "cli/commands.hpp"
#include "cli/flag_scan.hpp"
#include "state/root.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"
#include "sys/sealed_exe.hpp"
#include "version.hpp"

namespace {

void print_version() {
  // Line by line what go-runc and moby parse: "<name> version X", "commit: ", "spec: ".
  std::printf("sandbox version %s\ncommit: %s\nspec: %s\n", sandbox::kVersion, sandbox::kCommit,
              sandbox::kSpecVersion);
}

}  // namespace

namespace {
int run_main(int argc, char** argv);
}

// Leaves without running static destructors and freeing the heap piece by piece: nothing at
// that point needs them, and on a machine where page faults are dear the teardown of a
// short-lived process is measurable. Everything with an effect (rollbacks, locks) is scoped to
// run_main and has run by then; stdio is flushed here.
int main(int argc, char** argv) {
  int code = run_main(argc, argv);
  std::fflush(nullptr);
  ::_exit(code);
}

namespace {

constexpr const char* kEmptyRoot = "--root: the state directory must not be empty";

int run_main(int argc, char** argv) {
  using namespace sandbox;
  runtime::GlobalOptions g;
  std::string log_path, log_format = "text";
  bool version = false;

  CLI::App app{"sandbox: a rootless-first OCI container runtime (runc's command line)", "sandbox"};
  app.require_subcommand(0, 1);
  app.add_option("--root", g.root,
                 "state directory (default: /run/sandbox for root, $XDG_RUNTIME_DIR/sandbox or "
                 "/tmp/sandbox-<uid> otherwise)");
  app.add_option("--log", log_path, "append log records to this file (default: stderr)");
  app.add_option("--log-format", log_format, "log format")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", g.debug, "log debug records");
  app.add_flag("--systemd-cgroup", g.systemd_cgroup,
               "use systemd for cgroups (cgroupsPath as slice:prefix:name)");
  app.add_option("--rootless", g.rootless, "true, false or auto (runc's flag; accepted)")
      ->check(CLI::IsMember({"true", "false", "auto"}));
  app.add_option("--cgroup-manager", g.cgroup_manager, "cgroup manager")
      ->check(CLI::IsMember({"systemd", "cgroupfs", "disabled"}));
  // runc's path to criu, for checkpoint/restore, which sandbox does not have: nothing uses it.
  std::string criu;
  app.add_option("--criu", criu, "path to criu (runc's flag; accepted, unused: no checkpoint)");
  app.add_flag("-v,--version", version, "print the version");

  std::string_view command = cli::find_subcommand(argc, argv);
  // runc's wording for a command it does not have, with the list, instead of CLI11's dump of
  // the arguments it did not expect.
  if (!command.empty() && !cli::is_command(command)) {
    std::fprintf(stderr, "sandbox: unknown command \"%s\" (commands: %s)\n",
                 log::one_line(std::string(command)).c_str(), cli::command_list().c_str());
    return 1;
  }
  // An empty --root is refused below; "--root=" must be caught here, before CLI11 would take
  // the next word (the command) for its value.
  for (int i = 1; i < argc && argv[i] != command.data(); i++) {
    if (std::string_view(argv[i]) == "--root=") {
      std::fprintf(stderr, "sandbox: %s\n", kEmptyRoot);
      return 1;
    }
  }
  // The commands whose processes enter a container run from a sealed copy of the runtime
  // (sys/sealed_exe.hpp): the container can then never reach the binary on the host.
  if (command == "create" || command == "run" || command == "exec") {
    try {
      sys::reexec_sealed(argv);
    } catch (const Error& e) {
      std::fprintf(stderr, "sandbox: %s\n", log::one_line(e.what()).c_str());
      return 1;
    }
  }

  cli::Action action;
  cli::add_commands(app, g, action, command);

  // runc's line and status for a flag nobody defines, before CLI11 could take it for an id.
  cli::FlagScan scan = cli::scan_flags(app, argc, argv);
  if (!scan.undefined.empty()) {
    std::fprintf(stderr, "sandbox: flag provided but not defined: %s\n",
                 log::one_line(scan.undefined).c_str());
    return 1;
  }
  // `exec -- ID CMD`: the "--" only ends the flags, as for runc; CLI11 would refuse the rest.
  std::vector<char*> args(argv, argv + argc);
  if (scan.separator > 0) args.erase(args.begin() + scan.separator);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  if (version) {
    print_version();
    return 0;
  }
  if (!action) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  try {
    log::configure(log_path, log_format == "json" ? log::Format::Json : log::Format::Text, g.debug);
  } catch (const Error& e) {
    std::fprintf(stderr, "sandbox: %s\n", log::one_line(e.what()).c_str());
    return 1;
  }
  // An empty --root (an unset variable in a script) is a mistake, not a request for the
  // default root: the default would be some other state than the caller meant.
  if (app.get_option("--root")->count() > 0 && g.root.empty()) {
    log::error(kEmptyRoot);
    return 1;
  }
  g.root_given = !g.root.empty();
  if (g.root.empty()) {
    // runc's rule: uid 0 in a user namespace, with USER unset or not "root", is a normal user
    // running rootless (podman) and keeps its state in its XDG_RUNTIME_DIR.
    const char* user = std::getenv("USER");
    bool userns_root = ::geteuid() == 0 && !sys::in_initial_user_namespace() &&
                       (user == nullptr || std::string(user) != "root");
    g.root = state::default_root(::geteuid(), std::getenv("XDG_RUNTIME_DIR"), userns_root);
  }
  try {
    return action();
  } catch (const Error& e) {
    log::error(e.what());
  } catch (const std::exception& e) {
    log::error(std::string("internal error: ") + e.what());
  }
  return 1;
}

}  // namespace
