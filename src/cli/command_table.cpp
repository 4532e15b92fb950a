// Registers the subcommands with CLI11: only the one the command line names, or all of them.
#include <string_view>

#include "cli/commands.hpp"

namespace sandbox::cli {

namespace {

// Every command, with what registers it with CLI11; help lists them in this order.
struct Entry {
  std::string_view name;
  void (*add)(CLI::App&, const runtime::GlobalOptions&, Action&);
};
constexpr Entry kTable[] = {
    {"spec", [](CLI::App& a, const runtime::GlobalOptions&, Action& x) { add_spec_command(a, x); }},
    {"create", add_create_command},
    {"start", add_start_command},
    {"run", add_run_command},
    {"exec", add_exec_command},
    {"ps", add_ps_command},
    {"state", add_state_command},
    {"list", add_list_command},
    {"kill", add_kill_command},
    {"delete", add_delete_command},
    {"pause", add_pause_resume_commands},
    {"resume", add_pause_resume_commands},
    {"update", add_update_command},
    {"events", add_events_command},
    {"seccomp", add_seccomp_command},
    {"features",
     [](CLI::App& a, const runtime::GlobalOptions&, Action& x) { add_features_command(a, x); }},
};
// The aliases CLI11 knows from the commands themselves.
constexpr std::string_view kAliases[] = {"ls", "rm"};

}  // namespace

bool is_command(std::string_view name) {
  for (const Entry& e : kTable)
    if (e.name == name) return true;
  for (auto a : kAliases)
    if (a == name) return true;
  return false;
}

std::string command_list() {
  std::string out;
  for (const Entry& e : kTable) {
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out;
}

void add_commands(CLI::App& app, const runtime::GlobalOptions& g, Action& action,
                  std::string_view only) {
  if (only == "ls") only = "list";  // the aliases CLI11 knows from the commands themselves
  if (only == "rm") only = "delete";
  bool known = false;
  for (const Entry& e : kTable) known = known || e.name == only;
  for (const Entry& e : kTable) {
    if (known && e.name != only) continue;
    if (!known && e.name == "resume") continue;  // pause registered both
    e.add(app, g, action);
  }
}

}  // namespace sandbox::cli
