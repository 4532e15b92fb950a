#include <gtest/gtest.h>

#include <filesystem>

#include "cgroup/files.hpp"

namespace fs = std::filesystem;

namespace {

// Plain directories stand in for cgroups: rmdir behaves alike for an empty and a non-empty one.
TEST(RemoveDirs, AParentMadeOnTheWayStaysWhileItHoldsOthers) {
  fs::path base = fs::temp_directory_path() / ("sandbox-remove-dirs-" + std::to_string(getpid()));
  fs::create_directories(base / "bench" / "ours");
  fs::create_directories(base / "bench" / "theirs");
  int err = 0;
  std::string stuck = sandbox::cgroup::remove_dirs(
      {(base / "bench").string(), (base / "bench" / "ours").string()}, &err);
  EXPECT_EQ(stuck, "");
  EXPECT_FALSE(fs::exists(base / "bench" / "ours"));
  EXPECT_TRUE(fs::exists(base / "bench" / "theirs"));
  // Once it is empty, the parent goes too.
  fs::remove(base / "bench" / "theirs");
  fs::create_directories(base / "bench" / "ours");
  stuck = sandbox::cgroup::remove_dirs(
      {(base / "bench").string(), (base / "bench" / "ours").string()}, &err);
  EXPECT_EQ(stuck, "");
  EXPECT_FALSE(fs::exists(base / "bench"));
  fs::remove_all(base);
}

TEST(RemoveDirs, TheContainersOwnDirectoryThatWillNotGoIsReported) {
  fs::path base = fs::temp_directory_path() / ("sandbox-remove-leaf-" + std::to_string(getpid()));
  fs::create_directories(base / "leaf" / "child");
  int err = 0;
  std::string stuck = sandbox::cgroup::remove_dirs({(base / "leaf").string()}, &err);
  EXPECT_EQ(stuck, (base / "leaf").string());
  EXPECT_EQ(err, ENOTEMPTY);
  fs::remove_all(base);
}

}  // namespace
