#pragma once
// A command line read against CLI11's model before CLI11 parses it: the first flag that neither
// the runtime nor the named command defines, and the "--" of `exec -- ID CMD`. CLI11 alone reports
// such a word as an "argument not expected", and for exec and ps (prefix commands, whose trailing
// words are the user's) takes it for the container id; runc (Go's flag package) names it and
// exits 1.
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace sandbox::cli {

namespace detail {

// "-1", "-25": a value (kill's signal, update's -1), never a flag, as CLI11 and Go see it.
inline bool is_negative_number(std::string_view a) {
  return a.size() >= 2 && a[0] == '-' && a[1] >= '0' && a[1] <= '9';
}

inline CLI::App* find_command(CLI::App& app, const std::string& word) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (sub->check_name(word)) return sub;
  return nullptr;
}

// Whether WORD (a flag of SCOPE) is defined there; TAKES_VALUE says whether it consumes the
// next word. Short flags may be grouped ("-td") as CLI11 allows; a short flag that takes a
// value ends the group (the rest is its value: "-uroot").
inline bool flag_defined(const CLI::App& scope, std::string_view word, bool* takes_value) {
  *takes_value = false;
  if (word.substr(0, 2) == "--") {
    auto eq = word.find('=');
    const CLI::Option* opt = scope.get_option_no_throw(std::string(word.substr(0, eq)));
    if (opt == nullptr) return false;
    *takes_value = eq == std::string_view::npos && opt->get_expected_min() > 0;
    return true;
  }
  for (size_t i = 1; i < word.size(); ++i) {
    const CLI::Option* opt = scope.get_option_no_throw(std::string{'-', word[i]});
    if (opt == nullptr) return false;
    if (opt->get_expected_min() > 0) {
      *takes_value = i + 1 == word.size();
      return true;
    }
  }
  return true;
}

}  // namespace detail

// What the scan of a command line finds.
struct FlagScan {
  // The undefined flag as runc prints it ("-bogus" for --bogus or --bogus=1, "-z" for -z),
  // "" when every flag is known.
  std::string undefined;
  // For a prefix command (exec, ps): the index of a "--" that ends its flags before the
  // container id (`exec -- ID CMD`), which CLI11 would take for the start of unexpected
  // positionals; -1 when there is none.
  int separator = -1;
};

// Words after "--", and for a prefix command (exec, ps) every word after its first
// positional, belong to the user and are not looked at. An unknown command name ends the scan
// (main reports it).
inline FlagScan scan_flags(CLI::App& app, int argc, const char* const* argv) {
  FlagScan out;
  CLI::App* scope = &app;
  bool in_command = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      if (in_command && scope->get_prefix_command()) out.separator = i;
      break;
    }
    if (a.size() < 2 || a[0] != '-' || detail::is_negative_number(a)) {
      if (!in_command) {
        scope = detail::find_command(app, std::string(a));
        if (scope == nullptr) break;
        in_command = true;
      } else if (CLI::App* sub = detail::find_command(*scope, std::string(a))) {
        scope = sub;  // a command's own subcommand (`seccomp record`): its flags from here on
      } else if (scope->get_prefix_command()) {
        break;
      }
      continue;
    }
    bool takes_value = false;
    if (!detail::flag_defined(*scope, a, &takes_value)) {
      std::string_view name = a.substr(a[1] == '-' ? 2 : 1);
      out.undefined = "-" + std::string(name.substr(0, name.find('=')));
      break;
    }
    if (takes_value) ++i;
  }
  return out;
}

}  // namespace sandbox::cli
