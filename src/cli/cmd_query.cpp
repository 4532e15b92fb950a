// state and list: what the runtime knows about containers.
#include <cstdio>

#include "cli/commands.hpp"
#include "runtime/operations.hpp"

namespace sandbox::cli {
namespace {

struct ListFlags {
  std::string format = "table";
  bool quiet = false;
};

int print_list(const runtime::GlobalOptions& g, const ListFlags& f) {
  auto entries = runtime::list_containers(g);
  if (f.quiet) {
    for (const auto& e : entries) std::printf("%s\n", e.state["id"].get<std::string>().c_str());
    return 0;
  }
  if (f.format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& e : entries) arr.push_back(e.state);
    std::printf("%s\n", arr.dump().c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const auto& e : entries) {
    const auto& s = e.state;
    rows.push_back({s["id"].get<std::string>(), std::to_string(s["pid"].get<int>()),
                    s["status"].get<std::string>(), s["bundle"].get<std::string>(),
                    s["created"].get<std::string>(), e.owner});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); i++) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); i++) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace

void add_state_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("state", "print a container's OCI state as JSON");
  cmd->add_option("id", *id, "container id")->required();
  cmd->callback([&g, &action, id] {
    action = [&g, id] {
      std::printf("%s\n", runtime::container_state(g, *id).dump(2).c_str());
      return 0;
    };
  });
}

void add_list_command(CLI::App& app, const runtime::GlobalOptions& g, Action& action) {
  auto f = std::make_shared<ListFlags>();
  auto* cmd = app.add_subcommand("list", "list containers");
  cmd->alias("ls");
  cmd->add_option("-f,--format", f->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("-q,--quiet", f->quiet, "print only the ids");
  cmd->callback([&g, &action, f] { action = [&g, f] { return print_list(g, *f); }; });
}

}  // namespace sandbox::cli
