#pragma once
// Which subcommand a command line names, found before CLI11 sees it. Building CLI11's model of
// all fifteen subcommands was a third of the start-up of every invocation, so main registers
// only the named one (and all of them when none is named, for help and errors).
#include <array>
#include <string_view>

namespace sandbox::cli {

// The global options that take a value, as separate word ("--root DIR") or joined
// ("--root=DIR"); every other global option is a flag.
inline constexpr std::array<std::string_view, 6> kGlobalOptionsWithValue = {
    "--root", "--log", "--log-format", "--rootless", "--cgroup-manager", "--criu"};

// The first word that is not a global option or its value; empty when there is none or when
// an unknown option comes first (then the caller lets CLI11 report it).
inline std::string_view find_subcommand(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.empty() || a[0] != '-') return a;
    if (a == "--") return {};
    bool takes_value = false;
    for (std::string_view o : kGlobalOptionsWithValue) {
      if (a == o) takes_value = true;
    }
    if (takes_value) {
      ++i;  // skip the value
      continue;
    }
    bool joined = false;
    for (std::string_view o : kGlobalOptionsWithValue) {
      if (a.size() > o.size() && a.substr(0, o.size()) == o && a[o.size()] == '=') joined = true;
    }
    if (joined || a == "--debug" || a == "--systemd-cgroup") continue;
    return {};  // -h, -v, or something CLI11 should judge
  }
  return {};
}

}  // namespace sandbox::cli
