// Unit tests: the cgroup2 device program, built and, as root, attached for real to a cgroup
// of the test's own.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "cgroup/device_bpf.hpp"
#include "cgroup/layout.hpp"
#include "cgroup/settings.hpp"
#include "sys/fd.hpp"

namespace sandbox::cgroup {
namespace {

oci::DeviceRule rule(bool allow, char type, std::optional<int64_t> major,
                     std::optional<int64_t> minor, const char* access) {
  return oci::DeviceRule{allow, type, major, minor, access};
}

TEST(DeviceProgram, AnUnconditionalRuleEndsTheProgram) {
  // Rules are tested last to first; after "a *:* rwm" nothing else could be reached.
  auto p = device_program({rule(false, 'a', {}, {}, "rwm"), rule(true, 'c', 1, 3, "rw")});
  auto allow_only = device_program({rule(true, 'c', 1, 3, "rw")});
  EXPECT_EQ(p.size(), allow_only.size());  // the deny-all block replaces the default deny
  EXPECT_EQ(p.back().code, BPF_JMP | BPF_EXIT);
}

TEST(DeviceProgram, EndsInADefaultDenyAndGrowsWithTheRules) {
  auto empty = device_program({});
  ASSERT_GE(empty.size(), 2u);
  EXPECT_EQ(empty.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(empty[empty.size() - 2].imm, 0);  // R0 = 0: deny
  auto one = device_program({rule(true, 'c', 1, 3, "rwm")});
  auto two = device_program({rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', 1, 5, "r")});
  EXPECT_GT(one.size(), empty.size());
  EXPECT_GT(two.size(), one.size());
}

// In a child placed in DIR: can PATH be opened with FLAGS? (exit 0 yes, 1 EPERM, 2 other)
int open_in_cgroup(const std::string& dir, const char* path, int flags) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::ofstream(dir + "/cgroup.procs") << ::getpid() << std::flush;
    int fd = ::open(path, flags | O_CLOEXEC);
    _exit(fd >= 0 ? 0 : errno == EPERM ? 1 : 2);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(DeviceProgram, AttachedProgramDecidesAndUpdateReplacesIt) {
  if (!can_attach_device_programs()) GTEST_SKIP() << "needs root with CAP_SYS_ADMIN";
  std::string mount = host_layout().v2_mount;
  if (mount.empty()) GTEST_SKIP() << "no cgroup2 mount";
  std::string dir = mount + "/sandbox-unit-devbpf-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  struct RemoveAtEnd {
    std::string dir;
    ~RemoveAtEnd() { ::rmdir(dir.c_str()); }
  } remove_at_end{dir};
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  attach_device_program(fd.get(), {rule(false, 'a', {}, {}, "rwm"), rule(true, 'c', 1, 3, "rw")});
  EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDWR), 0);
  EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDONLY), 1);
  // update: zero readable now, and only one program stays attached
  attach_device_program(fd.get(), {rule(false, 'a', {}, {}, "rwm"), rule(true, 'c', 1, 3, "rw"),
                                   rule(true, 'c', 1, 5, "r")});
  EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDONLY), 0);
  EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_WRONLY), 1);  // access is a subset check
  uint32_t ids[8];
  bpf_attr q{};
  q.query.target_fd = static_cast<uint32_t>(fd.get());
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<uint64_t>(ids);
  q.query.prog_cnt = 8;
  ASSERT_EQ(::syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof q), 0);
  EXPECT_EQ(q.query.prog_cnt, 1u);
  // last matching rule wins: a later deny of null takes it away
  attach_device_program(fd.get(), {rule(true, 'a', {}, {}, "rwm"), rule(false, 'c', 1, 3, "rwm")});
  EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDONLY), 1);
  EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDONLY), 0);
  // issue 12: allow all, deny /dev/kmsg; the defaults added after the config's rules leave
  // the deny standing
  if (::access("/dev/kmsg", F_OK) == 0) {
    oci::Resources r;
    r.devices = {rule(true, 'a', {}, {}, "rwm"), rule(false, 'c', 1, 11, "rwm")};
    attach_device_program(fd.get(), effective_device_rules(r));
    EXPECT_EQ(open_in_cgroup(dir, "/dev/kmsg", O_WRONLY), 1);
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_WRONLY), 0);
  }
}

}  // namespace
}  // namespace sandbox::cgroup
