#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "process/exec_path.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::process::find_executable;
using sandbox::process::path_from_env;

namespace {
std::string error_of(const std::string& arg0, const std::string& path) {
  try {
    find_executable(arg0, path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ExecPath, PathFromEnv) {
  EXPECT_EQ(path_from_env({"A=b", "PATH=/x:/y"}), "/x:/y");
  EXPECT_NE(path_from_env({}).find("/usr/bin"), std::string::npos);
}

TEST(ExecPath, FindsInPath) {
  EXPECT_EQ(find_executable("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(find_executable("/bin/sh", ""), "/bin/sh");
}

TEST(ExecPath, EngineWords) {
  EXPECT_NE(error_of("no-such-prog", "/bin:/usr/bin").find("executable file not found in $PATH"),
            std::string::npos);
  EXPECT_NE(error_of("/no/such", "").find("no such file or directory"), std::string::npos);
  char tmpl[] = "/tmp/exec-path-test.XXXXXX";
  int fd = ::mkstemp(tmpl);  // mode 0600: not executable by anyone
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_NE(error_of(tmpl, "").find("permission denied"), std::string::npos);
  ::unlink(tmpl);
  EXPECT_NE(error_of("/etc", "").find("permission denied"), std::string::npos);
}
