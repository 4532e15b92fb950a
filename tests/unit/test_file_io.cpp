#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <string>

#include "sys/dir_stream.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file_io.hpp"

namespace {

namespace fs = std::filesystem;
using sandbox::Error;
using sandbox::Fd;

class FileIo : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sandbox-file-io-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    dirfd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dirfd_);
  }
  void TearDown() override {
    dirfd_.reset();
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::set<std::string> entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.insert(e.path().filename().string());
    return out;
  }

  std::string dir_;
  Fd dirfd_;
  bool mounted_ = false;
};

int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) n++;
  return n;
}

TEST_F(FileIo, ReadsAWholeFileLargerThanOneBuffer) {
  std::string big(100000, 'x');
  big.back() = 'y';
  sandbox::sys::write_file_atomic(dirfd_.get(), "big", big);
  EXPECT_EQ(sandbox::sys::read_file(path("big")), big);
  EXPECT_EQ(sandbox::sys::read_file_at(dirfd_.get(), "big", O_NOFOLLOW), big);
}

TEST_F(FileIo, ReadErrorsCarryTheErrno) {
  try {
    sandbox::sys::read_file(path("missing"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_EQ(std::string(e.what()), "open " + path("missing") + ": no such file or directory");
  }
  try {
    sandbox::sys::read_file(dir_);  // a directory opens, but read says EISDIR
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EISDIR);
  }
}

TEST_F(FileIo, ReadAtWithNoFollowRefusesALink) {
  sandbox::sys::write_file_atomic(dirfd_.get(), "real", "secret");
  ASSERT_EQ(::symlink("real", path("link").c_str()), 0);
  EXPECT_EQ(sandbox::sys::read_file_at(dirfd_.get(), "link"), "secret");
  try {
    sandbox::sys::read_file_at(dirfd_.get(), "link", O_NOFOLLOW);
    FAIL() << "followed the link";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ELOOP);
  }
}

TEST_F(FileIo, AtomicWriteCreatesWithTheModeAndLeavesNoTemporary) {
  mode_t old = ::umask(0);
  sandbox::sys::write_file_atomic(dirfd_.get(), "state.json", "{}", 0600);
  sandbox::sys::write_file_atomic(dirfd_.get(), "pid", "42", 0644);
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path("state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(path("pid").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(entries(), (std::set<std::string>{"state.json", "pid"}));
}

TEST_F(FileIo, AtomicWriteReplacesTheOldContentsWhole) {
  sandbox::sys::write_file_atomic(dirfd_.get(), "f", std::string(5000, 'a'));
  sandbox::sys::write_file_atomic(dirfd_.get(), "f", "short");
  EXPECT_EQ(sandbox::sys::read_file(path("f")), "short");
  EXPECT_EQ(entries(), std::set<std::string>{"f"});
}

TEST_F(FileIo, AtomicWriteNeverFollowsALinkPlantedAsTheTemporary) {
  sandbox::sys::write_file_atomic(dirfd_.get(), "victim", "untouched");
  ASSERT_EQ(::symlink("victim", path(".f.tmp").c_str()), 0);
  try {
    sandbox::sys::write_file_atomic(dirfd_.get(), "f", "data", 0600, "pid file f");
    FAIL() << "wrote through the link";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ELOOP);
    EXPECT_EQ(std::string(e.what()).rfind("pid file f: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(sandbox::sys::read_file(path("victim")), "untouched");
  EXPECT_FALSE(fs::exists(path("f")));
}

TEST_F(FileIo, AtomicWriteOnAFullDiskFailsWithEnospcAndKeepsTheOldFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tiny tmpfs";
  if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=16k") != 0)
    GTEST_SKIP() << "cannot mount tmpfs here";
  mounted_ = true;
  dirfd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dirfd_);
  sandbox::sys::write_file_atomic(dirfd_.get(), "state.json", "old");
  try {
    sandbox::sys::write_file_atomic(dirfd_.get(), "state.json", std::string(1 << 20, 'x'));
    FAIL() << "1 MiB fit into a 16 KiB tmpfs";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOSPC);
    EXPECT_EQ(std::string(e.what()), "write state.json: no space left on device");
  }
  EXPECT_EQ(sandbox::sys::read_file(path("state.json")), "old");
  EXPECT_EQ(entries(), std::set<std::string>{"state.json"});  // the temporary is gone
}

TEST_F(FileIo, DirStreamSkipsDotsAndClosesOnThrow) {
  sandbox::sys::write_file_atomic(dirfd_.get(), "a", "");
  sandbox::sys::write_file_atomic(dirfd_.get(), "b", "");
  std::set<std::string> seen;
  {
    auto d = sandbox::sys::DirStream::reopen(dirfd_.get());
    ASSERT_TRUE(d);
    while (const dirent* e = d.next()) seen.insert(e->d_name);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"}));

  int before = open_fd_count();
  for (int i = 0; i < 3; i++) {
    EXPECT_THROW(
        {
          auto d = sandbox::sys::DirStream::open(dir_);
          ASSERT_TRUE(d);
          d.next();
          sandbox::fail("halfway");
        },
        Error);
  }
  EXPECT_EQ(open_fd_count(), before);

  errno = 0;
  auto missing = sandbox::sys::DirStream::open(path("missing"));
  EXPECT_FALSE(missing);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(missing.next(), nullptr);
}

}  // namespace
