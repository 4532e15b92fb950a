#include <gtest/gtest.h>

#include <string>

#include "linux/lsm.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::HostLsm;
using sandbox::linux_::settle_lsm_labels;
using sandbox::oci::Process;

namespace {

Process labelled() {
  Process p;
  p.apparmor_profile = "docker-default";
  p.selinux_label = "system_u:system_r:container_t:s0";
  return p;
}

std::string settle_error(Process p, std::string mount_label, HostLsm host) {
  try {
    settle_lsm_labels(p, &mount_label, host);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Lsm, LabelsOfLsmsTheHostLacksAreDroppedWithNotes) {
  Process p = labelled();
  std::string mount_label = "system_u:object_r:container_file_t:s0";
  auto notes = settle_lsm_labels(p, &mount_label, HostLsm{});
  EXPECT_EQ(p.apparmor_profile, "");
  EXPECT_EQ(p.selinux_label, "");
  EXPECT_EQ(mount_label, "");
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0],
            "process.apparmorProfile \"docker-default\" ignored: AppArmor is not enabled on this "
            "host");
  EXPECT_EQ(notes[1],
            "process.selinuxLabel \"system_u:system_r:container_t:s0\" ignored: SELinux is not "
            "enabled on this host");
  EXPECT_EQ(notes[2].rfind("linux.mountLabel \"system_u:object_r:container_file_t:s0\"", 0), 0u);
}

TEST(Lsm, AppArmorProfileIsKeptWhereAppArmorRuns) {
  Process p = labelled();
  p.selinux_label.clear();
  auto notes = settle_lsm_labels(p, nullptr, HostLsm{.apparmor = true, .selinux = false});
  EXPECT_EQ(p.apparmor_profile, "docker-default");
  EXPECT_TRUE(notes.empty());
}

TEST(Lsm, SelinuxLabelsAreRefusedWhereSelinuxRuns) {
  HostLsm selinux{.apparmor = false, .selinux = true};
  Process p;
  p.selinux_label = "system_u:system_r:container_t:s0";
  EXPECT_EQ(settle_error(p, "", selinux),
            "config.json: process.selinuxLabel: SELinux labels are not supported yet (this host "
            "runs SELinux)");
  EXPECT_EQ(settle_error(Process{}, "system_u:object_r:container_file_t:s0", selinux),
            "config.json: linux.mountLabel: SELinux labels are not supported yet (this host runs "
            "SELinux)");
  // Nothing asked for: nothing to refuse.
  EXPECT_EQ(settle_error(Process{}, "", selinux), "(no error)");
}

TEST(Lsm, NothingAskedNothingNoted) {
  Process p;
  std::string mount_label;
  EXPECT_TRUE(settle_lsm_labels(p, &mount_label, HostLsm{}).empty());
}
