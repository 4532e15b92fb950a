#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/syscalls.hpp"

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

// Runs BODY in a child, so that closing fds does not disturb the test runner; returns the
// child's exit status.
template <typename F>
int in_child(F body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

}  // namespace

TEST(CloseFds, KeepsOnlyWhatIsAsked) {
  int rc = in_child([] {
    int a = ::open("/dev/null", O_RDONLY), b = ::open("/dev/null", O_RDONLY);
    int c = ::open("/dev/null", O_RDONLY), d = ::open("/dev/null", O_RDONLY);
    int high = ::fcntl(a, F_DUPFD, 200);
    if (sandbox::sys::close_fds_except(3, {b, d}) != 0) return 1;
    if (is_open(a) || is_open(c) || is_open(high)) return 2;
    if (!is_open(b) || !is_open(d)) return 3;
    if (!is_open(0) || !is_open(1) || !is_open(2)) return 4;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(CloseFds, FdsBelowFirstStay) {
  int rc = in_child([] {
    int a = ::open("/dev/null", O_RDONLY), b = ::open("/dev/null", O_RDONLY);
    if (sandbox::sys::close_fds_except(b, {}) != 0) return 1;
    return is_open(a) && !is_open(b) ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}
