#include <gtest/gtest.h>

#include <vector>

#include "cli/argv_scan.hpp"

namespace {

std::string_view scan(std::vector<const char*> args) {
  args.insert(args.begin(), "sandbox");
  return sandbox::cli::find_subcommand(static_cast<int>(args.size()), args.data());
}

TEST(FindSubcommand, FirstWordAfterGlobalOptions) {
  EXPECT_EQ(scan({"run", "x"}), "run");
  EXPECT_EQ(scan({"--root", "/tmp/state", "run", "x"}), "run");
  EXPECT_EQ(scan({"--root=/tmp/state", "--debug", "create", "x"}), "create");
  EXPECT_EQ(scan({"--log", "/l", "--log-format", "json", "--systemd-cgroup", "exec", "x"}), "exec");
  EXPECT_EQ(scan({"--cgroup-manager", "disabled", "--rootless", "true", "ls"}), "ls");
}

TEST(FindSubcommand, OptionValueIsNotTakenForTheSubcommand) {
  // "run" here is the value of --root, not the subcommand.
  EXPECT_EQ(scan({"--root", "run", "state", "x"}), "state");
}

TEST(FindSubcommand, NoneWhenHelpVersionOrUnknownOptionComesFirst) {
  EXPECT_EQ(scan({}), "");
  EXPECT_EQ(scan({"--help"}), "");
  EXPECT_EQ(scan({"-v"}), "");
  EXPECT_EQ(scan({"--no-such-flag", "run"}), "");
  EXPECT_EQ(scan({"--root"}), "");  // the value is missing: CLI11 says so
}

}  // namespace
