#include <gtest/gtest.h>

#include "linux/no_pivot.hpp"

using sandbox::linux_::revealing_mounts;

namespace {

// A host's mountinfo, shortened: whole proc and sysfs mounts, a container's own ones below
// its rootfs, a proc bind of a subdirectory, and a mount point with a blank in it.
constexpr const char* kMountinfo =
    "22 1 0:21 / /proc rw,nosuid,nodev,noexec shared:5 - proc proc rw\n"
    "23 1 0:22 / /sys rw,nosuid,nodev,noexec shared:6 - sysfs sysfs rw\n"
    "24 23 0:23 / /sys/fs/cgroup rw shared:7 - cgroup2 cgroup2 rw\n"
    "25 1 0:5 / /dev rw shared:2 - devtmpfs udev rw\n"
    "30 1 0:21 /sys /mnt/procsys rw - proc proc rw\n"
    "31 1 0:40 / /b/rootfs/proc rw - proc proc rw\n"
    "32 1 0:41 / /b/rootfs/sys ro - sysfs sysfs ro\n"
    "33 1 0:42 / /b/rootfs2/proc rw - proc proc rw\n"
    "34 1 0:43 / /with\\040blank rw master:9 - proc none rw\n";

}  // namespace

TEST(RevealingMounts, WholeProcAndSysfsOutsideTheRootfs) {
  auto got = revealing_mounts(kMountinfo, "/b/rootfs");
  std::vector<std::string> want = {"/proc", "/sys", "/b/rootfs2/proc", "/with blank"};
  EXPECT_EQ(got, want);
}

TEST(RevealingMounts, NothingForEmptyOrBrokenLines) {
  EXPECT_TRUE(revealing_mounts("", "/r").empty());
  EXPECT_TRUE(revealing_mounts("22 1 0:21 / /proc rw\n", "/r").empty());
}
