// features: what this build of sandbox implements, as the runtime-spec features document.
#include <cstdio>

#include "cli/commands.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {

void add_features_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("features",
                                 "print the features document (runtime-spec features.md) as JSON");
  cmd->callback([&action] {
    action = [] {
      std::printf("%s\n", runtime::features_document().dump(4).c_str());
      return 0;
    };
  });
}

}  // namespace sandbox::cli
