#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/syscalls.hpp"

namespace {

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

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

namespace {

bool is_cloexec(int fd) {
  return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

// Opens fds without close-on-exec (one far up), marks from the second, checks the result.
int mark_and_check() {
  int a = ::open("/dev/null", O_RDONLY), b = ::open("/dev/null", O_RDONLY);
  int high = ::fcntl(b, F_DUPFD, 300);
  if (a < 0 || b < 0 || high < 0 || is_cloexec(b) || is_cloexec(high)) return 1;
  if (sandbox::sys::mark_cloexec_from(b) != 0) return 2;
  if (is_cloexec(a)) return 3;  // below FIRST: untouched
  if (!is_cloexec(b) || !is_cloexec(high)) return 4;
  if (!is_open(b) || !is_open(high)) return 5;  // marked, not closed
  return 0;
}

}  // namespace

TEST(MarkCloexec, MarksEveryFdFromFirstAndClosesNone) {
  EXPECT_EQ(in_child(mark_and_check), 0);
}

// A seccomp policy the runtime runs under may refuse close_range: the fallback must still mark
// every fd (an fd left without close-on-exec would reach the container's program).
TEST(MarkCloexec, WorksWhenCloseRangeIsRefused) {
  int rc = in_child([] {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(close_range), 0) != 0 ||
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0)
      return 10;
    seccomp_release(ctx);
    if (sandbox::sys::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 11;  // not refused
    return mark_and_check();
  });
  EXPECT_EQ(rc, 0);
}
