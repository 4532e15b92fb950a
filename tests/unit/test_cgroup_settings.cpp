// Unit tests: linux.resources -> cgroup v1 and cgroup2 files, crun's documented conversions,
// and the device rules every container gets.
#include <gtest/gtest.h>

#include <algorithm>

#include "cgroup/device_rules_v1.hpp"
#include "cgroup/settings.hpp"
#include "oci/parse.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

std::string value_of(const std::vector<Setting>& s, const std::string& file) {
  for (const auto& x : s)
    if (x.file == file) return x.value;
  return "<absent>";
}

size_t index_of(const std::vector<Setting>& s, const std::string& file) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i].file == file) return i;
  return s.size();
}

oci::Resources memory(int64_t limit, std::optional<int64_t> swap = std::nullopt) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = limit;
  r.memory->swap = swap;
  return r;
}

TEST(CgroupSettings, V1MemoryComesBeforeMemsw) {
  auto s = v1_settings(memory(64 << 20, 128 << 20));
  EXPECT_EQ(value_of(s, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(value_of(s, "memory.memsw.limit_in_bytes"), "134217728");
  EXPECT_LT(index_of(s, "memory.limit_in_bytes"), index_of(s, "memory.memsw.limit_in_bytes"));
  EXPECT_EQ(s[0].controller, "memory");
  EXPECT_EQ(value_of(v1_settings(memory(-1)), "memory.limit_in_bytes"), "-1");
}

TEST(CgroupSettings, V2MemorySwapIsTheSwapAlone) {
  auto s = v2_settings(memory(64 << 20, 96 << 20));
  EXPECT_EQ(value_of(s, "memory.max"), "67108864");
  EXPECT_EQ(value_of(s, "memory.swap.max"), "33554432");
  EXPECT_EQ(value_of(v2_settings(memory(-1)), "memory.max"), "max");
  EXPECT_EQ(value_of(v2_settings(memory(1 << 20, -1)), "memory.swap.max"), "max");
  EXPECT_THROW(v2_settings(memory(64 << 20, 32 << 20)), Error);  // swap below the limit
}

TEST(CgroupSettings, V2RefusesWhatItCannotExpress) {
  oci::Resources r = memory(1 << 20);
  r.memory->swappiness = 10;
  try {
    v2_settings(r);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "linux.resources.memory.swappiness: not available on cgroup v2");
  }
  oci::Resources rt;
  rt.cpu = oci::CpuResources{};
  rt.cpu->realtime_runtime = 1000;
  EXPECT_THROW(v2_settings(rt), Error);
  EXPECT_NO_THROW(v1_settings(rt));
}

TEST(CgroupSettings, CpuConversions) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  auto v2 = v2_settings(r);
  // crun: weight = 1 + ((shares - 2) * 9999) / 262142
  EXPECT_EQ(value_of(v2, "cpu.weight"), "39");
  EXPECT_EQ(value_of(v2, "cpu.max"), "50000 100000");
  EXPECT_EQ(value_of(v2, "cpuset.cpus"), "0-1");
  r.cpu->shares = 2;
  EXPECT_EQ(value_of(v2_settings(r), "cpu.weight"), "1");
  r.cpu->shares = 262144;
  EXPECT_EQ(value_of(v2_settings(r), "cpu.weight"), "10000");
  r.cpu->quota = -1;
  EXPECT_EQ(value_of(v2_settings(r), "cpu.max"), "max 100000");
  auto v1 = v1_settings(r);
  EXPECT_EQ(value_of(v1, "cpu.cfs_quota_us"), "-1");
  EXPECT_LT(index_of(v1, "cpu.cfs_period_us"), index_of(v1, "cpu.cfs_quota_us"));
  oci::Resources q;
  q.cpu = oci::CpuResources{};
  q.cpu->quota = 20000;  // no period: the kernel keeps the current one (runc's cpu.max)
  EXPECT_EQ(value_of(v2_settings(q), "cpu.max"), "20000");
  q.cpu->quota.reset();
  q.cpu->period = 50000;  // a period alone: "max PERIOD", as runc
  EXPECT_EQ(value_of(v2_settings(q), "cpu.max"), "max 50000");
}

// runc's reading: these zeros ask for nothing, so no file is written (docker writes
// "shares": 0 into every config; `docker update --memory` sends quota 0 and period 0).
TEST(CgroupSettings, ZerosThatMeanUnsetWriteNothing) {
  auto r = oci::parse_resources_file(nlohmann::json::parse(R"({
    "memory": {"limit": 0, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0},
    "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0,
            "cpus": "", "mems": ""},
    "pids": {"limit": 0},
    "blockIO": {"weight": 0, "leafWeight": 0,
                "weightDevice": [{"major": 8, "minor": 0, "weight": 0, "leafWeight": 0}]}
  })"),
                                     "test");
  EXPECT_EQ(v1_settings(r), std::vector<Setting>{});
  EXPECT_EQ(v2_settings(r), std::vector<Setting>{});  // kernel 0 is not refused on v2 either
  EXPECT_FALSE(r.has_limits());
}

TEST(CgroupSettings, ZerosThatAreValuesAreWritten) {
  auto r = oci::parse_resources_file(nlohmann::json::parse(R"({
    "memory": {"limit": 67108864, "swappiness": 0},
    "cpu": {"shares": 0, "quota": 0, "period": 0, "idle": 0, "burst": 0},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
    "blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 0}]}
  })"),
                                     "test");
  auto v1 = v1_settings(r);
  EXPECT_EQ(value_of(v1, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(value_of(v1, "memory.swappiness"), "0");
  EXPECT_EQ(value_of(v1, "cpu.idle"), "0");
  EXPECT_EQ(value_of(v1, "cpu.cfs_burst_us"), "0");
  EXPECT_EQ(value_of(v1, "hugetlb.2MB.limit_in_bytes"), "0");
  EXPECT_EQ(value_of(v1, "blkio.throttle.read_bps_device"), "8:0 0");
  for (const char* f : {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"})
    EXPECT_EQ(value_of(v1, f), "<absent>") << f;
  r.memory->swappiness.reset();  // v1 only
  auto v2 = v2_settings(r);
  EXPECT_EQ(value_of(v2, "cpu.max"), "<absent>");
  EXPECT_EQ(value_of(v2, "cpu.weight"), "<absent>");
  EXPECT_EQ(value_of(v2, "cpu.idle"), "0");
  EXPECT_EQ(value_of(v2, "io.max"), "8:0 rbps=0");
}

TEST(CgroupSettings, UnlimitedMemoryMakesMemorySwapUnlimitedWhereThereIsSwap) {
  auto v1 = v1_settings(memory(-1));
  ASSERT_EQ(index_of(v1, "memory.memsw.limit_in_bytes"), 1u);
  EXPECT_EQ(v1[1].value, "-1");
  EXPECT_TRUE(v1[1].optional);
  auto v2 = v2_settings(memory(-1));
  EXPECT_EQ(value_of(v2, "memory.swap.max"), "max");
  EXPECT_EQ(value_of(v2_settings(memory(1 << 20)), "memory.swap.max"), "<absent>");
  EXPECT_FALSE(v1_settings(memory(-1, 1 << 20))[1].optional);  // given: a real setting
}

TEST(CgroupSettings, PidsAndHugepages) {
  oci::Resources r;
  r.pids = oci::PidsResources{10};
  r.hugepage_limits = {{"2MB", 4194304}};
  EXPECT_EQ(value_of(v1_settings(r), "pids.max"), "10");
  EXPECT_EQ(value_of(v2_settings(r), "pids.max"), "10");
  EXPECT_EQ(value_of(v1_settings(r), "hugetlb.2MB.limit_in_bytes"), "4194304");
  EXPECT_EQ(value_of(v2_settings(r), "hugetlb.2MB.max"), "4194304");
  r.pids->limit = -1;
  EXPECT_EQ(value_of(v1_settings(r), "pids.max"), "max");
}

TEST(CgroupSettings, BlockIoConversions) {
  oci::Resources r;
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 500;
  r.block_io->weight_device = {{8, 0, 1000, std::nullopt}};
  r.block_io->throttle_read_bps = {{8, 0, 1048576}};
  r.block_io->throttle_write_iops = {{8, 16, 100}};
  auto v1 = v1_settings(r);
  EXPECT_EQ(value_of(v1, "blkio.weight"), "500");
  EXPECT_EQ(value_of(v1, "blkio.weight_device"), "8:0 1000");
  EXPECT_EQ(value_of(v1, "blkio.throttle.read_bps_device"), "8:0 1048576");
  EXPECT_EQ(value_of(v1, "blkio.throttle.write_iops_device"), "8:16 100");
  auto v2 = v2_settings(r);
  // crun: io.weight = 1 + ((weight - 10) * 9999) / 990
  std::vector<std::string> weights, max;
  for (const auto& s : v2) {
    if (s.file == "io.weight") weights.push_back(s.value);
    if (s.file == "io.max") max.push_back(s.value);
  }
  EXPECT_EQ(weights, (std::vector<std::string>{"default 4950", "8:0 10000"}));
  EXPECT_EQ(max, (std::vector<std::string>{"8:0 rbps=1048576", "8:16 wiops=100"}));
}

TEST(CgroupSettings, UnifiedEntriesComeLastAsGiven) {
  oci::Resources r;
  r.pids = oci::PidsResources{5};
  r.unified = {{"memory.high", "1000000"}, {"cgroup.max.depth", "2"}};
  auto v2 = v2_settings(r);
  ASSERT_EQ(v2.size(), 3u);
  EXPECT_EQ(v2[0].file, "pids.max");
  EXPECT_EQ(v2[1], (Setting{"", "cgroup.max.depth", "2"}));
  EXPECT_EQ(v2[2], (Setting{"memory", "memory.high", "1000000"}));
  EXPECT_TRUE(v1_settings(r).size() == 1u);  // v1 has no unified files
}

TEST(CgroupSettings, DeviceRulesKeepTheDefaultsUsable) {
  oci::Resources r;
  r.devices = {oci::DeviceRule{false, 'a', std::nullopt, std::nullopt, "rwm"}};
  auto lines =
      device_transition(parse_devices_list("a *:* rwm\n"), device_state(effective_device_rules(r)));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], (Setting{"devices", "devices.deny", "a *:* rwm"}));
  auto has = [&](const std::string& line) {
    return std::any_of(lines.begin(), lines.end(), [&](const Setting& s) {
      return s.file == "devices.allow" && s.value == line;
    });
  };
  EXPECT_TRUE(has("c 1:3 rwm"));    // /dev/null
  EXPECT_TRUE(has("c 5:2 rwm"));    // /dev/ptmx
  EXPECT_TRUE(has("c 136:* rwm"));  // /dev/pts/*
  EXPECT_TRUE(has("c *:* m"));
  EXPECT_TRUE(has("b *:* m"));
}

// Issue 12: allow everything, then deny /dev/kmsg. The deny must stand: no rule added after
// the config's (the defaults, a linux.devices node) may give kmsg back.
TEST(CgroupSettings, ADenyAfterAnAllowAllStands) {
  oci::Resources r;
  r.devices = {oci::DeviceRule{true, 'a', std::nullopt, std::nullopt, "rwm"},
               oci::DeviceRule{false, 'c', 1, 11, "rwm"}};
  auto target = device_state(effective_device_rules(r));
  EXPECT_TRUE(target.default_allow);
  ASSERT_EQ(target.exceptions.size(), 1u);
  EXPECT_EQ(target.exceptions[0].access, 7u);
  // from a fresh cgroup under an allow-all parent: allow all (clears hidden denies), then deny
  auto lines = device_transition(parse_devices_list("a *:* rwm\n"), target);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (Setting{"devices", "devices.allow", "a *:* rwm"}));
  EXPECT_EQ(lines[1], (Setting{"devices", "devices.deny", "c 1:11 rwm"}));
}

TEST(CgroupSettings, DeviceTransitionBetweenAllowListsWritesTheDifference) {
  auto now = parse_devices_list("c 1:3 rwm\nc 1:5 rwm\nc 136:* rwm\n");
  EXPECT_FALSE(now.default_allow);
  EXPECT_EQ(now.exceptions.size(), 3u);
  DeviceAccessState want;
  want.apply({false, 'a', std::nullopt, std::nullopt, "rwm"});
  want.apply({true, 'c', 1, 3, "rwm"});
  want.apply({true, 'c', 1, 5, "r"});
  want.apply({true, 'c', 10, 229, "rw"});
  auto lines = device_transition(now, want);
  ASSERT_EQ(lines.size(), 3u);  // no disruptive "a": access is never all denied on the way
  EXPECT_EQ(lines[0], (Setting{"devices", "devices.deny", "c 1:5 wm"}));
  EXPECT_EQ(lines[1], (Setting{"devices", "devices.deny", "c 136:* rwm"}));
  EXPECT_EQ(lines[2], (Setting{"devices", "devices.allow", "c 10:229 rw"}));
}

// The spec: rules are applied "in the listed order"; runtime-tools reads devices.list back in
// that order, so the exceptions keep the order of their first rule (not sorted).
TEST(CgroupSettings, DeviceExceptionsKeepTheListedOrder) {
  oci::Resources r;
  r.devices = {oci::DeviceRule{false, 'a', std::nullopt, std::nullopt, "rwm"},
               oci::DeviceRule{true, 'c', 10, 229, "rwm"}, oci::DeviceRule{true, 'b', 8, 20, "rw"}};
  auto lines =
      device_transition(parse_devices_list("a *:* rwm\n"), device_state(effective_device_rules(r)));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[1].value, "c 10:229 rwm");
  EXPECT_EQ(lines[2].value, "b 8:20 rw");
  EXPECT_EQ(lines[3].value, "c *:* m");  // then runc's defaults
}

TEST(CgroupSettings, DeviceRulesFollowTheKernelsSemantics) {
  DeviceAccessState s;
  s.apply({true, 'a', std::nullopt, std::nullopt, "rwm"});
  s.apply({false, 'c', 1, 3, "rwm"});                     // an exception to allow-all
  s.apply({true, 'c', 1, 3, "w"});                        // takes w off the exception
  s.apply({true, 'c', std::nullopt, std::nullopt, "m"});  // no such exception: nothing
  ASSERT_EQ(s.exceptions.size(), 1u);
  EXPECT_EQ(s.exceptions[0].access, 5u);                   // r and m still denied
  s.apply({false, 'a', std::nullopt, std::nullopt, "r"});  // "a" resets, whatever its access
  EXPECT_FALSE(s.default_allow);
  EXPECT_TRUE(s.exceptions.empty());
}

}  // namespace
}  // namespace sandbox::cgroup

#include "cgroup/apply.hpp"

namespace sandbox::cgroup {
namespace {

// Issue 12: a hybrid host (v1 memory, cgroup2 with hugetlb only) refuses unified memory
// entries with runc's wording; core files and cgroup2's own controllers pass.
TEST(CgroupSettings, UnifiedEntriesNeedTheirControllerInCgroup2) {
  Layout hybrid;
  hybrid.v2_mount = "/sys/fs/cgroup/unified";
  hybrid.v2_controllers = {"hugetlb"};
  hybrid.v1 = {{"memory", "/sys/fs/cgroup/memory"}};
  oci::Resources r;
  r.unified = {{"cgroup.max.depth", "3"}, {"hugetlb.2MB.max", "0"}, {"memory.pressure", "x"}};
  EXPECT_NO_THROW(check_unified_fits_host(r, hybrid));
  r.unified["memory.max"] = "1000000";
  try {
    check_unified_fits_host(r, hybrid);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("invalid configuration"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("memory.max"), std::string::npos) << e.what();
  }
  Layout v1_only = hybrid;
  v1_only.v2_mount.clear();
  r.unified = {{"cgroup.max.depth", "3"}};
  EXPECT_THROW(check_unified_fits_host(r, v1_only), Error);
}

}  // namespace
}  // namespace sandbox::cgroup
