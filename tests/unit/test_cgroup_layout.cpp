// Unit tests: cgroup mounts and membership parsing, container cgroup paths, driver choice and
// where each resource goes (v1 or cgroup2).
#include <gtest/gtest.h>

#include "cgroup/apply.hpp"
#include "cgroup/layout.hpp"
#include "cgroup/manager.hpp"
#include "cgroup/path.hpp"
#include "cgroup/record.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

const char* kHybridMountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "41 30 0:38 / /mnt/my\\040cg rw,relatime shared:5 - cgroup cgroup rw,pids\n";

TEST(CgroupLayout, HybridMountsAreFoundPerController) {
  Layout l = parse_layout(kHybridMountinfo);
  EXPECT_EQ(l.v2_mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(l.v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(l.v1.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(l.v1.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(l.v1.at("name=systemd"), "/sys/fs/cgroup/systemd");
  EXPECT_EQ(l.v1.at("pids"), "/mnt/my cg");  // octal escapes undone; optional fields skipped
  EXPECT_EQ(l.v1.count("xattr"), 0u);
  EXPECT_FALSE(l.pure_v2());
}

TEST(CgroupLayout, UnifiedHost) {
  Layout l = parse_layout("25 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(l.v2_mount, "/sys/fs/cgroup");
  EXPECT_TRUE(l.v1.empty());
  EXPECT_TRUE(l.pure_v2());
}

TEST(CgroupLayout, MembershipSplitsCoMountedControllers) {
  Membership m =
      parse_membership("9:name=systemd:/user.slice/a:b\n4:cpu,cpuacct:/x\n1:memory:/m\n0::/u/v\n");
  EXPECT_EQ(m.at(""), "/u/v");
  EXPECT_EQ(m.at("cpu"), "/x");
  EXPECT_EQ(m.at("cpuacct"), "/x");
  EXPECT_EQ(m.at("memory"), "/m");
  EXPECT_EQ(m.at("name=systemd"), "/user.slice/a:b");  // a ':' inside the path is kept
}

TEST(CgroupPath, AbsolutePathsAreTakenAsTheyAre) {
  EXPECT_EQ(cgroupfs_path("/a/b", "id", "/own", false), "/a/b");
  EXPECT_EQ(cgroupfs_path("//a/./b/", "id", "/own", true), "/a/b");
}

TEST(CgroupPath, RelativeAndDefaultNestUnderTheCaller) {
  // v1: below the caller's own cgroup; cgroup2: beside it, as runc does.
  EXPECT_EQ(cgroupfs_path("", "c1", "/test/runner", false), "/test/runner/c1");
  EXPECT_EQ(cgroupfs_path("", "c1", "/test/runner", true), "/test/c1");
  EXPECT_EQ(cgroupfs_path("x/y", "c1", "/test/runner", true), "/test/x/y");
  EXPECT_EQ(cgroupfs_path("", "c1", "/", true), "/c1");
  EXPECT_EQ(cgroupfs_path("", "c1", "/", false), "/c1");
}

TEST(CgroupPath, DotDotAndTheRootAreRefused) {
  EXPECT_THROW(cgroupfs_path("/a/../../etc", "id", "/", false), Error);
  EXPECT_THROW(cgroupfs_path("../x", "id", "/own", true), Error);
  EXPECT_THROW(cgroupfs_path("/", "id", "/own", true), Error);
  try {
    cgroupfs_path("a/..", "id", "/", true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("linux.cgroupsPath"), std::string::npos);
  }
}

TEST(CgroupPath, SystemdNames) {
  EXPECT_EQ(systemd_scope_name("", "c1", true), (ScopeName{"user.slice", "sandbox-c1.scope"}));
  EXPECT_EQ(systemd_scope_name("", "c1", false), (ScopeName{"system.slice", "sandbox-c1.scope"}));
  EXPECT_EQ(systemd_scope_name("machine.slice:libpod:abc", "c1", false),
            (ScopeName{"machine.slice", "libpod-abc.scope"}));
  EXPECT_EQ(systemd_scope_name(":pfx:n", "c1", true), (ScopeName{"user.slice", "pfx-n.scope"}));
  EXPECT_EQ(systemd_scope_name("a.slice::n", "c1", true), (ScopeName{"a.slice", "n.scope"}));
  EXPECT_THROW(systemd_scope_name("/abs/path", "c1", true), Error);
  EXPECT_THROW(systemd_scope_name("notaslice:p:n", "c1", true), Error);
  EXPECT_THROW(systemd_scope_name("a.slice:p:n/x", "c1", true), Error);
  EXPECT_THROW(systemd_scope_name("a.slice:p:sub.slice", "c1", true), Error);
}

Probe ok() {
  return {true, ""};
}
Probe no(const char* why) {
  return {false, why};
}

TEST(CgroupDriver, RootDefaultsToCgroupfsWithoutProbing) {
  int probes = 0;
  auto counted = [&] {
    ++probes;
    return ok();
  };
  EXPECT_EQ(choose_driver("", false, counted, counted).driver, Driver::Cgroupfs);
  EXPECT_EQ(probes, 0);
}

TEST(CgroupDriver, RootlessTriesSystemdThenCgroupfsThenNone) {
  EXPECT_EQ(choose_driver("", true, ok, ok).driver, Driver::Systemd);
  EXPECT_EQ(choose_driver(
                "", true, [] { return no("no bus"); }, ok)
                .driver,
            Driver::Cgroupfs);
  Choice c = choose_driver(
      "", true, [] { return no("no bus"); }, [] { return no("ro"); });
  EXPECT_EQ(c.driver, Driver::None);
  EXPECT_NE(c.why_none.find("no bus"), std::string::npos);
  EXPECT_NE(c.why_none.find("ro"), std::string::npos);
}

TEST(CgroupDriver, ExplicitChoices) {
  EXPECT_EQ(choose_driver("disabled", false, ok, ok).driver, Driver::None);
  EXPECT_EQ(choose_driver("systemd", false, ok, ok).driver, Driver::Systemd);
  EXPECT_THROW(choose_driver(
                   "systemd", true, [] { return no("x"); }, ok),
               Error);
  EXPECT_EQ(choose_driver(
                "cgroupfs", true, [] { return no("x"); }, ok)
                .driver,
            Driver::Cgroupfs);
  EXPECT_THROW(choose_driver("cgroupfs", true, ok, [] { return no("x"); }), Error);
  EXPECT_THROW(choose_driver("bogus", false, ok, ok), Error);
}

TEST(CgroupApply, HybridSplitFollowsTheMountedControllers) {
  Record r;
  r.driver = Driver::Cgroupfs;
  r.v2 = "/sys/fs/cgroup/unified/x";
  r.v1 = {{"memory", "/m/x"}, {"pids", "/p/x"}, {"cpu", "/c/x"}, {"devices", "/d/x"}};
  oci::Resources res;
  res.memory = oci::MemoryResources{};
  res.memory->limit = 1 << 20;
  res.pids = oci::PidsResources{5};
  res.cpu = oci::CpuResources{};
  res.cpu->shares = 512;
  res.cpu->cpus = "0";  // no v1 cpuset here: goes to cgroup2
  res.hugepage_limits = {{"2MB", 0}};
  res.unified = {{"cgroup.max.depth", "3"}};
  res.devices = {oci::DeviceRule{}};
  Split s = split_resources(r, res);
  EXPECT_TRUE(s.v1.memory && s.v1.pids && s.v1.cpu);
  EXPECT_FALSE(s.v2.memory || s.v2.pids);
  EXPECT_EQ(s.v1.cpu->shares, 512u);
  EXPECT_TRUE(s.v1.cpu->cpus.empty());
  ASSERT_TRUE(s.v2.cpu);
  EXPECT_EQ(s.v2.cpu->cpus, "0");
  EXPECT_FALSE(s.v2.cpu->shares);
  EXPECT_EQ(s.v2.hugepage_limits.size(), 1u);
  EXPECT_EQ(s.v2.unified.size(), 1u);
  EXPECT_TRUE(s.devices_v1);
  EXPECT_EQ(s.v1.devices.size(), 1u);
}

TEST(CgroupApply, PureV2TakesEverything) {
  Record r;
  r.driver = Driver::Systemd;
  r.v2 = "/sys/fs/cgroup/user.slice/x.scope";
  oci::Resources res;
  res.pids = oci::PidsResources{5};
  res.devices = {oci::DeviceRule{}};
  Split s = split_resources(r, res);
  EXPECT_TRUE(s.v2.pids);
  EXPECT_FALSE(s.v1.pids);
  EXPECT_FALSE(s.devices_v1);
}

TEST(CgroupRecord, RoundTripsThroughJson) {
  Record r;
  r.driver = Driver::Systemd;
  r.v2 = "/a";
  r.v1 = {{"memory", "/m"}};
  r.created = {"/x", "/x/y"};
  r.unit = "sandbox-c.scope";
  r.user_manager = true;
  Record back = record_from_json(to_json(r));
  EXPECT_EQ(back.driver, r.driver);
  EXPECT_EQ(back.v2, r.v2);
  EXPECT_EQ(back.v1, r.v1);
  EXPECT_EQ(back.created, r.created);
  EXPECT_EQ(back.unit, r.unit);
  EXPECT_TRUE(back.user_manager);
  EXPECT_TRUE(record_from_json(nlohmann::json::object()).none());
  EXPECT_TRUE(record_from_json(nullptr).none());
  EXPECT_TRUE(to_json(Record{}).empty());
}

}  // namespace
}  // namespace sandbox::cgroup
