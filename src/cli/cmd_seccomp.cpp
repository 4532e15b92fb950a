// seccomp record|check|stop: profile testing through seccomp user notification
// (runtime/seccomp_session.hpp).
#include "cli/commands.hpp"
#include "runtime/seccomp_session.hpp"

namespace sandbox::cli {

void add_seccomp_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto* cmd =
      app.add_subcommand("seccomp", "record a seccomp profile for a workload, or check one");
  cmd->require_subcommand(1);

  auto rec = std::make_shared<runtime::SeccompSessionOptions>();
  auto* r = cmd->add_subcommand(
      "record", "run the bundle's workload, every syscall seen and allowed; write a profile");
  r->add_option("-b,--bundle", rec->bundle, "bundle directory (default: .)");
  r->add_option("-o,--output", rec->output, "the profile (default: seccomp-profile.json)");
  r->add_option("--format", rec->format, "oci (linux.seccomp) or docker");
  r->add_option("--report", rec->report, "write each syscall's count and first process here");
  r->add_flag("-d,--detach", rec->detach, "return once the container runs");
  r->add_option("id", rec->id, "container id")->required();
  r->callback(
      [&g, &action, rec] { action = [&g, rec] { return runtime::run_seccomp_session(g, *rec); }; });

  auto chk = std::make_shared<runtime::SeccompSessionOptions>();
  chk->check = true;
  auto* c = cmd->add_subcommand(
      "check", "run the bundle's workload under a profile; report what it would deny (exit 2)");
  c->add_option("-b,--bundle", chk->bundle, "bundle directory (default: .)");
  c->add_option("-p,--profile", chk->profile, "the linux.seccomp profile to check")->required();
  auto* enforce = c->add_flag("--enforce", chk->enforce, "deny with the profile's action");
  auto complain = std::make_shared<bool>(false);
  c->add_flag("--complain", *complain, "report and allow (the default)")->excludes(enforce);
  c->add_option("--report", chk->report, "write each call it would deny here");
  c->add_flag("-d,--detach", chk->detach, "return once the container runs");
  c->add_option("id", chk->id, "container id")->required();
  c->callback(
      [&g, &action, chk] { action = [&g, chk] { return runtime::run_seccomp_session(g, *chk); }; });

  auto id = std::make_shared<std::string>();
  auto* s = cmd->add_subcommand("stop", "end a detached record or check: results written");
  s->add_option("id", *id, "container id")->required();
  s->callback(
      [&g, &action, id] { action = [&g, id] { return runtime::stop_seccomp_session(g, *id); }; });
}

}  // namespace sandbox::cli
