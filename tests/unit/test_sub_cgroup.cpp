// cgroup/sub_cgroup: exec --cgroup's argument forms and the directories they lead to.
#include <gtest/gtest.h>

#include "cgroup/sub_cgroup.hpp"
#include "sys/error.hpp"

namespace {

using sandbox::cgroup::parse_sub_cgroup_args;
using sandbox::cgroup::Record;
using sandbox::cgroup::sub_cgroup;
using Map = std::map<std::string, std::string>;

Record hybrid() {
  Record r;
  r.driver = sandbox::cgroup::Driver::Cgroupfs;
  r.v2 = "/sys/fs/cgroup/unified/c";
  r.v1 = {{"memory", "/sys/fs/cgroup/memory/c"}, {"pids", "/sys/fs/cgroup/pids/c"}};
  return r;
}

TEST(SubCgroupArgs, RuncsForms) {
  EXPECT_EQ(parse_sub_cgroup_args({}), Map{});
  EXPECT_EQ(parse_sub_cgroup_args({"a/b"}), (Map{{"", "a/b"}}));
  EXPECT_EQ(parse_sub_cgroup_args({"memory,pids:x", "cpu:y"}),
            (Map{{"memory", "x"}, {"pids", "x"}, {"cpu", "y"}}));
  EXPECT_THROW(parse_sub_cgroup_args({"a:b:c"}), sandbox::Error);
  EXPECT_THROW(parse_sub_cgroup_args({"x", "memory:y"}), sandbox::Error);  // prefix missing
}

TEST(SubCgroup, OnePathForEveryHierarchy) {
  Record s = sub_cgroup(hybrid(), {{"", "/sub//x/."}});
  EXPECT_EQ(s.v2, "/sys/fs/cgroup/unified/c/sub/x");
  EXPECT_EQ(s.v1_dir("memory"), "/sys/fs/cgroup/memory/c/sub/x");
  EXPECT_EQ(s.v1_dir("pids"), "/sys/fs/cgroup/pids/c/sub/x");
}

TEST(SubCgroup, PerControllerPathsLeaveTheOthers) {
  Record s = sub_cgroup(hybrid(), {{"memory", "m"}});
  EXPECT_EQ(s.v1_dir("memory"), "/sys/fs/cgroup/memory/c/m");
  EXPECT_EQ(s.v1_dir("pids"), "/sys/fs/cgroup/pids/c");
  EXPECT_EQ(s.v2, "/sys/fs/cgroup/unified/c");
  EXPECT_THROW(sub_cgroup(hybrid(), {{"cpu", "m"}}), sandbox::Error);  // not the container's
}

TEST(SubCgroup, NeverLeavesTheContainersCgroup) {
  EXPECT_THROW(sub_cgroup(hybrid(), {{"", "../other"}}), sandbox::Error);
  EXPECT_THROW(sub_cgroup(hybrid(), {{"", "a/../../c2"}}), sandbox::Error);
  EXPECT_EQ(sub_cgroup(hybrid(), {{"", "a/../b"}}).v2, "/sys/fs/cgroup/unified/c/b");
}

TEST(SubCgroup, AContainerWithoutCgroupsHasNoSubCgroup) {
  EXPECT_THROW(sub_cgroup(Record{}, {{"", "x"}}), sandbox::Error);
  EXPECT_TRUE(sub_cgroup(Record{}, {}).none());
}

}  // namespace
