// open_in_root must never leave the root, whatever symlinks the tree holds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "linux/rootpath.hpp"

namespace fs = std::filesystem;
using sandbox::Fd;
using sandbox::linux_::clean_relative;
using sandbox::linux_::Create;
using sandbox::linux_::open_in_root;

namespace {

class RootPath : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rootpath-test.XXXXXX";
    base_ = ::mkdtemp(tmpl);
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    fs::create_directories(root_ / "etc");
    fs::create_directories(outside_);
    rootfd_.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(rootfd_.valid());
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_, root_, outside_;
  Fd rootfd_;
};

}  // namespace

TEST(RootPathClean, Lexical) {
  EXPECT_EQ(clean_relative("/a/./b/../c"), "a/c");
  EXPECT_EQ(clean_relative("/../../x"), "x");
  EXPECT_EQ(clean_relative("/"), "");
  EXPECT_EQ(clean_relative("//dev//pts/"), "dev/pts");
}

TEST_F(RootPath, CreatesMissingDirectories) {
  Fd fd = open_in_root(rootfd_.get(), "/a/b/c", Create::Dir);
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_TRUE(fs::is_directory(root_ / "a/b/c"));
}

TEST_F(RootPath, CreatesAFileForFileBinds) {
  Fd fd = open_in_root(rootfd_.get(), "/d/file", Create::File);
  ASSERT_TRUE(fd.valid());
  EXPECT_TRUE(fs::is_regular_file(root_ / "d/file"));
}

TEST_F(RootPath, NoCreateReportsMissing) {
  Fd fd = open_in_root(rootfd_.get(), "/missing", Create::No);
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(RootPath, AbsoluteSymlinkStaysInside) {
  // root/evil -> /etc must mean root/etc, never the host's /etc (or outside_).
  fs::create_directory_symlink(outside_, root_ / "evil");
  Fd fd = open_in_root(rootfd_.get(), "/evil/x", Create::Dir);
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_FALSE(fs::exists(outside_ / "x"));
  // The absolute target was taken relative to the root: root/<outside's path>/x.
  EXPECT_TRUE(fs::is_directory(root_ / outside_.relative_path() / "x"));
}

TEST_F(RootPath, DotDotSymlinkStaysInside) {
  fs::create_directory_symlink("../../../../..", root_ / "up");
  Fd fd = open_in_root(rootfd_.get(), "/up/escaped", Create::Dir);
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_FALSE(fs::exists(base_ / "escaped"));
  EXPECT_TRUE(fs::is_directory(root_ / "escaped"));
}
