// Unit tests: what a container's "cgroup" mount shows on v1, hybrid and unified hosts: the
// container's own cgroup in each hierarchy, never a hierarchy's root above it.
#include <gtest/gtest.h>

#include <algorithm>

#include "cgroup/layout.hpp"

namespace sandbox::cgroup {
namespace {

const char* kHybrid =
    "30 22 0:27 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "32 30 0:29 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n";

const char* kMembership =
    "12:pids:/test/c1\n11:memory:/test/c1\n4:cpu,cpuacct:/test/c1\n3:net_cls,net_prio:/\n"
    "1:name=systemd:/system.slice/x.scope\n0::/test2/c1\n";

const OwnHierarchy* find(const OwnCgroups& o, const std::string& name) {
  auto it = std::find_if(o.hierarchies.begin(), o.hierarchies.end(),
                         [&](const OwnHierarchy& h) { return h.name == name; });
  return it == o.hierarchies.end() ? nullptr : &*it;
}

TEST(CgroupOwn, DirectoryThroughAMount) {
  EXPECT_EQ(directory_through("/sys/fs/cgroup/memory", "/", "/a/b"), "/sys/fs/cgroup/memory/a/b");
  EXPECT_EQ(directory_through("/sys/fs/cgroup/memory", "/", "/"), "/sys/fs/cgroup/memory");
  // A mount of a subtree (a container's view of its own cgroup): the path below its root.
  EXPECT_EQ(directory_through("/cg", "/docker/x", "/docker/x/y"), "/cg/y");
  EXPECT_EQ(directory_through("/cg", "/docker/x", "/docker/x"), "/cg");
  EXPECT_EQ(directory_through("/", "/", "/a"), "/a");
  // Not below the mount's root: not reachable, never the root instead.
  EXPECT_EQ(directory_through("/cg", "/docker/x", "/docker/xy"), "");
  EXPECT_EQ(directory_through("/cg", "/docker/x", "/"), "");
  // Paths read in another cgroup namespace than the mount was made in.
  EXPECT_EQ(directory_through("/cg", "/..", "/"), "");
  EXPECT_EQ(directory_through("/cg", "/", "/../a"), "");
  EXPECT_EQ(directory_through("/cg", "/", ""), "");
  EXPECT_EQ(directory_through("", "/", "/a"), "");
}

TEST(CgroupOwn, HybridHostBindsEachHierarchysOwnCgroup) {
  Layout l = parse_layout(kHybrid);
  EXPECT_EQ(l.roots.at("/sys/fs/cgroup/memory"), "/");
  OwnCgroups o = own_cgroups(l, parse_membership(kMembership));
  EXPECT_FALSE(o.pure_v2);
  EXPECT_EQ(o.v2_source, "/sys/fs/cgroup/unified/test2/c1");
  ASSERT_EQ(o.hierarchies.size(), 6u);
  ASSERT_NE(find(o, "memory"), nullptr);
  EXPECT_EQ(find(o, "memory")->source, "/sys/fs/cgroup/memory/test/c1");
  EXPECT_TRUE(find(o, "memory")->links.empty());
  EXPECT_EQ(find(o, "pids")->source, "/sys/fs/cgroup/pids/test/c1");
  EXPECT_EQ(find(o, "cpu,cpuacct")->source, "/sys/fs/cgroup/cpu,cpuacct/test/c1");
  EXPECT_EQ(find(o, "cpu,cpuacct")->links, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(find(o, "net_cls,net_prio")->source, "/sys/fs/cgroup/net_cls,net_prio");
  EXPECT_EQ(find(o, "net_cls,net_prio")->links, (std::vector<std::string>{"net_cls", "net_prio"}));
  EXPECT_EQ(find(o, "systemd")->source, "/sys/fs/cgroup/systemd/system.slice/x.scope");
  EXPECT_EQ(find(o, "unified")->source, "/sys/fs/cgroup/unified/test2/c1");
}

TEST(CgroupOwn, InACgroupNamespaceOnlyReachableHierarchiesAreShown) {
  // Read after the cgroup namespace was made: the host mounts' roots lie above its root.
  const char* mountinfo =
      "31 30 0:28 /.. /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "32 30 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
      "40 30 0:37 /../.. /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
  OwnCgroups o =
      own_cgroups(parse_layout(mountinfo), parse_membership("2:memory:/\n1:pids:/\n0::/\n"));
  ASSERT_EQ(o.hierarchies.size(), 1u);
  EXPECT_EQ(o.hierarchies[0].name, "pids");
  EXPECT_EQ(o.hierarchies[0].source, "/sys/fs/cgroup/pids");
  EXPECT_EQ(o.v2_source, "");
}

TEST(CgroupOwn, HierarchiesWithoutMembershipOrWithTheSameNameAreLeftOut) {
  const char* mountinfo =
      "31 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "32 30 0:29 / /mnt/memory rw - cgroup cgroup rw,pids\n"
      "33 30 0:30 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
      "34 30 0:31 / / rw - cgroup cgroup rw,devices\n";
  OwnCgroups o = own_cgroups(parse_layout(mountinfo),
                             parse_membership("3:memory:/a\n2:pids:/b\n1:devices:/c\n"));
  // freezer has no membership, devices' mount point has no name, one "memory" only.
  ASSERT_EQ(o.hierarchies.size(), 1u);
  EXPECT_EQ(o.hierarchies[0].name, "memory");
  EXPECT_TRUE(o.hierarchies[0].source == "/sys/fs/cgroup/memory/a" ||
              o.hierarchies[0].source == "/mnt/memory/b");
}

TEST(CgroupOwn, LinksDoNotShadowAHierarchyOfThatName) {
  const char* mountinfo =
      "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
      "32 30 0:29 / /sys/fs/cgroup/cpuacct,cpuset rw - cgroup cgroup rw,cpuacct,cpuset\n";
  OwnCgroups o =
      own_cgroups(parse_layout(mountinfo), parse_membership("3:cpu:/a\n2:cpuacct,cpuset:/a\n"));
  ASSERT_EQ(o.hierarchies.size(), 2u);
  EXPECT_TRUE(o.hierarchies[0].links.empty());
  EXPECT_EQ(o.hierarchies[1].links, (std::vector<std::string>{"cpuacct", "cpuset"}));
}

TEST(CgroupOwn, UnifiedHostHasTheOwnCgroup2DirectoryOnly) {
  OwnCgroups o = own_cgroups(parse_layout("25 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
                             parse_membership("0::/user.slice/u/app.scope\n"));
  EXPECT_TRUE(o.pure_v2);
  EXPECT_TRUE(o.hierarchies.empty());
  EXPECT_EQ(o.v2_source, "/sys/fs/cgroup/user.slice/u/app.scope");
}

}  // namespace
}  // namespace sandbox::cgroup
