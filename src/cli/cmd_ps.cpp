// ps: the processes of a container.
#include <cstdio>

#include "cli/commands.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {

void add_ps_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto format = std::make_shared<std::string>("table");
  auto* cmd =
      app.add_subcommand("ps", "the processes of a container: ps [OPTIONS] ID [ps options]");
  cmd->add_option("-f,--format", *format, "table (the host's ps) or json (host pids)")
      ->check(CLI::IsMember({"table", "json"}));
  // The ps options after the id keep their own dashes: `ps c1 -o pid,args`.
  cmd->prefix_command();
  cmd->callback([&g, &action, format, cmd] {
    std::vector<std::string> rest = cmd->remaining();
    if (!rest.empty() && rest[0] == "--") rest.erase(rest.begin());
    if (rest.empty()) throw CLI::ValidationError("ps", "the container id is required");
    std::string id = rest[0];
    std::vector<std::string> ps_args(rest.begin() + 1, rest.end());
    action = [&g, format, id, ps_args] {
      if (*format == "json") {
        nlohmann::json pids = runtime::container_pids(g, id);
        std::printf("%s\n", pids.dump().c_str());
      } else {
        std::fputs(runtime::ps_table(g, id, ps_args).c_str(), stdout);
      }
      return 0;
    };
  });
}

}  // namespace sandbox::cli
