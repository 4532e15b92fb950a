// cli/flag_scan.hpp: which word of a command line is a flag nobody defines, and the "--" of exec.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/flag_scan.hpp"

namespace {

// A model shaped like sandbox's: global options, exec (a prefix command), kill, update.
struct Model {
  CLI::App app{"test", "sandbox"};
  std::string s;
  bool b = false;
  std::vector<std::string> v;
  Model() {
    app.add_option("--root", s);
    app.add_flag("--debug", b);
    auto* exec = app.add_subcommand("exec");
    exec->add_flag("-t,--tty", b);
    exec->add_flag("-d,--detach", b);
    exec->add_option("-u,--user", s);
    exec->add_option("-e,--env", v);
    exec->prefix_command();
    auto* kill = app.add_subcommand("kill");
    kill->add_flag("-a,--all", b);
    kill->add_option("id", s);
    kill->add_option("signal", s);
    auto* update = app.add_subcommand("update");
    update->add_option("--memory", s);
    update->add_option("id", s);
    app.add_subcommand("delete")->alias("rm")->add_flag("-f,--force", b);
    auto* seccomp = app.add_subcommand("seccomp");
    auto* check = seccomp->add_subcommand("check");
    check->add_option("-p,--profile", s);
    check->add_option("id", s);
  }
  std::string scan(std::vector<const char*> args) {
    args.insert(args.begin(), "sandbox");
    return sandbox::cli::scan_flags(app, static_cast<int>(args.size()), args.data()).undefined;
  }
};

TEST(UndefinedFlag, NamesTheFlagAsRuncDoes) {
  Model m;
  EXPECT_EQ(m.scan({"exec", "--bogus-flag", "c", "true"}), "-bogus-flag");
  EXPECT_EQ(m.scan({"exec", "--bogus=1", "c", "true"}), "-bogus");
  EXPECT_EQ(m.scan({"exec", "-z", "c", "true"}), "-z");
  EXPECT_EQ(m.scan({"exec", "-tz", "c", "true"}), "-tz");
  EXPECT_EQ(m.scan({"--bogus", "list"}), "-bogus");
  EXPECT_EQ(m.scan({"kill", "c", "--bogus"}), "-bogus");
  EXPECT_EQ(m.scan({"rm", "--bogus", "c"}), "-bogus");
}

TEST(UndefinedFlag, KnownFlagsAndValuesPass) {
  Model m;
  EXPECT_EQ(m.scan({"--root", "/r", "--debug", "exec", "-t", "-u", "0", "c", "ls", "-l"}), "");
  EXPECT_EQ(m.scan({"--root=/r", "exec", "-td", "-u0", "--user=1", "c", "true"}), "");
  EXPECT_EQ(m.scan({"exec", "-e", "--x", "c", "true"}), "");  // a value, not a flag
  EXPECT_EQ(m.scan({"kill", "c", "-9"}), "");
  EXPECT_EQ(m.scan({"kill", "-a", "c", "KILL"}), "");
  EXPECT_EQ(m.scan({"update", "--memory", "-1", "c"}), "");
  EXPECT_EQ(m.scan({"rm", "-f", "c"}), "");
  EXPECT_EQ(m.scan({"exec", "--help"}), "");
  EXPECT_EQ(m.scan({"-h"}), "");
}

TEST(UndefinedFlag, TheUsersWordsAreNotLookedAt) {
  Model m;
  EXPECT_EQ(m.scan({"exec", "c", "sh", "--bogus", "-z"}), "");
  EXPECT_EQ(m.scan({"exec", "--", "c", "--bogus"}), "");
  EXPECT_EQ(m.scan({"kill", "--", "--bogus"}), "");
  EXPECT_EQ(m.scan({"frobnicate", "--bogus"}), "");  // main names the unknown command
}

TEST(FlagScan, TheSeparatorOfAPrefixCommand) {
  Model m;
  auto sep = [&](std::vector<const char*> args) {
    args.insert(args.begin(), "sandbox");
    return sandbox::cli::scan_flags(m.app, static_cast<int>(args.size()), args.data()).separator;
  };
  EXPECT_EQ(sep({"exec", "-t", "--", "c", "echo", "--x"}), 3);
  EXPECT_EQ(sep({"exec", "c", "--", "echo"}), -1);  // the command's own "--"
  EXPECT_EQ(sep({"kill", "--", "c"}), -1);          // not a prefix command
}

}  // namespace

TEST(UndefinedFlag, ACommandsSubcommandHasItsOwnFlags) {
  Model m;
  EXPECT_EQ(m.scan({"seccomp", "check", "--profile", "p.json", "c1"}), "");
  EXPECT_EQ(m.scan({"seccomp", "check", "-p", "p.json", "c1"}), "");
  EXPECT_EQ(m.scan({"seccomp", "check", "--bogus", "c1"}), "-bogus");
  EXPECT_EQ(m.scan({"seccomp", "--profile", "p.json"}), "-profile");
}
