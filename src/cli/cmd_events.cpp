// events: stats and OOM events of a container, as runc prints them.
#include "cli/commands.hpp"
#include "runtime/events.hpp"

namespace sandbox::cli {
namespace {

struct EventsFlags {
  std::string id;
  bool stats = false;
  std::string interval = "5s";
};

}  // namespace

void add_events_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto f = std::make_shared<EventsFlags>();
  auto* cmd = app.add_subcommand("events", "print a container's stats and OOM events as JSON");
  cmd->add_flag("--stats", f->stats, "print the stats once and exit");
  cmd->add_option("--interval", f->interval, "time between stats records (default 5s)");
  cmd->add_option("id", f->id, "container id")->required();
  cmd->callback([&g, &action, f] {
    action = [&g, f] {
      auto interval = runtime::parse_duration(f->interval);
      return runtime::container_events(g, f->id, f->stats, interval);
    };
  });
}

}  // namespace sandbox::cli
