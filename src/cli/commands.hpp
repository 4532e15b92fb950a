#pragma once
// Each subcommand adds itself to the CLI11 app and sets `action` to what runs when it is
// chosen. Flags become options structs; the work is in runtime/.
#include <CLI/CLI.hpp>
#include <functional>
#include <string_view>

#include "runtime/options.hpp"

namespace sandbox::cli {

using Action = std::function<int()>;

void add_spec_command(CLI::App& app, Action& action);
void add_create_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_start_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_run_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_exec_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_ps_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_state_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_list_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_kill_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_delete_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_features_command(CLI::App& app, Action& action);
// cgroup commands: pause, resume, update (cmd_cgroup.cpp) and events (cmd_events.cpp).
void add_pause_resume_commands(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_update_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
void add_events_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);
// seccomp record|check|stop (cmd_seccomp.cpp).
void add_seccomp_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action);

// Adds ONLY's subcommand when it names one (pause and resume come together), else all of
// them (command_table.cpp).
// True for a command name sandbox has (or one of its aliases, "ls" and "rm").
bool is_command(std::string_view name);
// "spec, create, start, ...": every command, for the unknown-command error.
std::string command_list();

void add_commands(CLI::App& app, const runtime::GlobalOptions& g, Action& action,
                  std::string_view only);

// Flags shared by create and run.
void add_create_flags(CLI::App& cmd, runtime::CreateOptions& o);

}  // namespace sandbox::cli
