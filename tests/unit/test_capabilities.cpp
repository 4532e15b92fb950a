#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "linux/capabilities.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

using sandbox::Error;
using sandbox::linux_::capability_name;
using sandbox::linux_::drop_bounding_set;
using sandbox::linux_::last_cap;
using sandbox::linux_::set_capabilities;
using sandbox::oci::Capabilities;

namespace {

constexpr uint64_t bit(int cap) {
  return uint64_t{1} << cap;
}

// Runs BODY in a forked child and returns the child's Cap* lines of /proc/self/status afterwards
// ("CapEff" -> mask), or {"error", 1} with the message printed when BODY threw. An exit code
// of 77 from BODY means "skip" and comes back as {"skip", 1}.
std::map<std::string, uint64_t> caps_after(const std::function<void()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {{"error", 1}};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      body();
      out = sandbox::sys::read_file("/proc/self/status");
    } catch (const std::exception& e) {
      out = std::string("error: ") + e.what();
    }
    ssize_t n = ::write(fds[1], out.data(), out.size());
    ::_exit(n == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) text.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return {{"skip", 1}};
  if (text.starts_with("error: ")) {
    ADD_FAILURE() << text;
    return {{"error", 1}};
  }
  std::map<std::string, uint64_t> caps;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("Cap")) continue;
    auto colon = line.find(':');
    caps[line.substr(0, colon)] = std::stoull(line.substr(colon + 1), nullptr, 16);
  }
  return caps;
}

// The end state both the user-namespace and the root test aim for.
Capabilities small_set() {
  Capabilities c;
  c.bounding = {CAP_CHOWN, CAP_KILL};
  c.effective = {CAP_CHOWN};
  c.permitted = {CAP_CHOWN, CAP_KILL, 63};  // 63: above last_cap(), skipped
  c.inheritable = {CAP_KILL};
  c.ambient = {CAP_KILL};
  return c;
}

void expect_small_set(const std::map<std::string, uint64_t>& caps) {
  EXPECT_EQ(caps.at("CapBnd"), bit(CAP_CHOWN) | bit(CAP_KILL));
  EXPECT_EQ(caps.at("CapEff"), bit(CAP_CHOWN));
  EXPECT_EQ(caps.at("CapPrm"), bit(CAP_CHOWN) | bit(CAP_KILL));
  EXPECT_EQ(caps.at("CapInh"), bit(CAP_KILL));
  EXPECT_EQ(caps.at("CapAmb"), bit(CAP_KILL));
}

}  // namespace

TEST(Capabilities, LastCapIsTheKernels) {
  int from_proc = std::stoi(sandbox::sys::read_file("/proc/sys/kernel/cap_last_cap"));
  EXPECT_EQ(last_cap(), from_proc);
  EXPECT_GE(last_cap(), CAP_AUDIT_READ);  // 37, every kernel since 3.16
  EXPECT_LT(last_cap(), 63);
}

TEST(Capabilities, Names) {
  EXPECT_EQ(capability_name(CAP_CHOWN), "CAP_CHOWN");
  EXPECT_EQ(capability_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
  EXPECT_EQ(capability_name(CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE");
  EXPECT_EQ(capability_name(63), "capability 63");
  EXPECT_EQ(capability_name(-1), "capability -1");
}

// Not an error (runc compatibility): the cap is left out of the ambient set, with a warning.
TEST(Capabilities, AmbientWithoutInheritableIsSkipped) {
  auto caps = caps_after([] {
    Capabilities c;
    c.ambient = {CAP_KILL};
    set_capabilities(c);
  });
  ASSERT_FALSE(caps.count("error"));
  EXPECT_EQ(caps.at("CapAmb"), 0u);
  EXPECT_EQ(caps.at("CapEff"), 0u);
}

// Any user can do this: the four sets can always shrink to nothing.
TEST(Capabilities, DropToEmpty) {
  auto caps = caps_after([] { set_capabilities(Capabilities{}); });
  ASSERT_FALSE(caps.count("error"));
  EXPECT_EQ(caps.at("CapEff"), 0u);
  EXPECT_EQ(caps.at("CapPrm"), 0u);
  EXPECT_EQ(caps.at("CapInh"), 0u);
  EXPECT_EQ(caps.at("CapAmb"), 0u);
}

// A new user namespace gives any user a full set of capabilities over it, which is enough to
// exercise the bounding set and all four other sets without root. Skipped where unprivileged
// user namespaces are disabled.
TEST(Capabilities, SmallSetInUserNamespace) {
  auto caps = caps_after([] {
    if (::unshare(CLONE_NEWUSER) != 0) ::_exit(77);
    drop_bounding_set(small_set().bounding);
    set_capabilities(small_set());
  });
  if (caps.count("skip")) GTEST_SKIP() << "cannot create a user namespace here";
  ASSERT_FALSE(caps.count("error"));
  expect_small_set(caps);
}

// The real sequence of the container init: bounding set while root, keep caps across the uid
// switch, then the rest.
TEST(Capabilities, RootSwitchesUidKeepingCaps) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto caps = caps_after([] {
    drop_bounding_set(small_set().bounding);
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw Error("PR_SET_KEEPCAPS");
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      throw Error("setresuid");
    }
    set_capabilities(small_set());
  });
  ASSERT_FALSE(caps.count("error"));
  expect_small_set(caps);
}

// Without CAP_SETPCAP the drop must fail with a message naming the capability. The child
// reports the expected failure with exit code 77.
TEST(Capabilities, DropBoundingSetWithoutPrivilegeFails) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may drop the bounding set";
  auto caps = caps_after([] {
    try {
      drop_bounding_set({});
    } catch (const Error& e) {
      if (std::string(e.what()).find("from the bounding set: operation not permitted") !=
          std::string::npos)
        ::_exit(77);
      throw;
    }
  });
  EXPECT_TRUE(caps.count("skip")) << "dropping the bounding set unprivileged did not fail";
}
