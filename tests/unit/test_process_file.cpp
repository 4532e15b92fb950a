// exec's process file, consoleSize, and the flag rules for terminals and passed fds.
#include <gtest/gtest.h>
#include <linux/capability.h>

#include <string>
#include <vector>

#include "oci/parse.hpp"
#include "runtime/console_socket.hpp"
#include "runtime/passed_fds.hpp"
#include "sys/error.hpp"

using nlohmann::json;
using sandbox::Error;
using sandbox::oci::parse_process_file;

namespace {

std::string error_of(const json& doc) {
  try {
    parse_process_file(doc, "--process p.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ProcessFile, ParsesTheProcessFields) {
  auto p = parse_process_file(
      R"({"args": ["sh", "-c", "true"], "env": ["A=b"], "cwd": "/tmp", "terminal": true,
          "consoleSize": {"height": 25, "width": 81}, "user": {"uid": 1000, "gid": 100},
          "capabilities": {"bounding": ["CAP_KILL"]}, "noNewPrivileges": true})"_json,
      "--process p.json");
  EXPECT_EQ(p.args.size(), 3u);
  EXPECT_EQ(p.cwd, "/tmp");
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 25u);
  EXPECT_EQ(p.console_size->width, 81u);
  EXPECT_EQ(p.user.uid, 1000u);
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding, std::vector<int>{CAP_KILL});
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_TRUE(p.rlimits.empty());  // absent: exec then takes the container's
}

TEST(ProcessFile, ErrorsNameTheFileNotConfigJson) {
  EXPECT_EQ(error_of(R"({"args": []})"_json),
            "--process p.json: args: must not be empty (it names the program to run)");
  EXPECT_EQ(error_of(R"({"args": ["sh"], "cwd": 5})"_json).rfind("--process p.json: cwd:", 0), 0u);
  EXPECT_EQ(error_of(R"([1])"_json), "--process p.json: must be a JSON object");
  EXPECT_EQ(error_of(R"({"args": ["sh"], "consoleSize": {"height": 70000, "width": 1}})"_json),
            "--process p.json: consoleSize: height and width must be at most 65535");
}

TEST(TerminalFlags, RuncsRules) {
  using sandbox::runtime::check_terminal_flags;
  EXPECT_NO_THROW(check_terminal_flags(true, false, ""));        // foreground: we proxy
  EXPECT_NO_THROW(check_terminal_flags(true, true, "/s"));       // detached with a socket
  EXPECT_NO_THROW(check_terminal_flags(false, true, ""));        // plain detached
  EXPECT_THROW(check_terminal_flags(true, true, ""), Error);     // nobody to take the pty
  EXPECT_THROW(check_terminal_flags(false, true, "/s"), Error);  // no pty to send
  EXPECT_THROW(check_terminal_flags(true, false, "/s"), Error);  // foreground keeps the pty
}

TEST(ListenEnv, ReplacesOldValuesWithCountAndPidOne) {
  std::vector<std::string> env = {"PATH=/bin", "LISTEN_FDS=9", "LISTEN_PID=77", "A=b"};
  sandbox::runtime::set_listen_env(env, 2);
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "A=b", "LISTEN_FDS=2", "LISTEN_PID=1"}));
  std::vector<std::string> untouched = {"LISTEN_FDS=9"};
  sandbox::runtime::set_listen_env(untouched, 0);
  EXPECT_EQ(untouched, std::vector<std::string>{"LISTEN_FDS=9"});
}

TEST(PassedFds, NegativeCountIsRefused) {
  EXPECT_THROW(sandbox::runtime::check_passed_fds(0, -1), Error);
  EXPECT_EQ(sandbox::runtime::check_passed_fds(0, 0), 0);
}
