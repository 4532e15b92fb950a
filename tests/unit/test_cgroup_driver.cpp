// The typed cgroup record, the one interface chosen from it, and the systemd driver's unit
// properties.
#include <gtest/gtest.h>

#include <limits>

#include "cgroup/container_cgroup.hpp"
#include "cgroup/record.hpp"
#include "cgroup/settings.hpp"
#include "cgroup/systemd_properties.hpp"
#include "fake_cgroup.hpp"
#include "runtime/cgroup_update.hpp"
#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

using nlohmann::json;
constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max();

// What the binaries before the typed record wrote: these must still load (and so delete).
TEST(CgroupRecord, ReadsWhatStateJsonHoldsToday) {
  auto sd = record_from_json(json::parse(
      R"({"driver":"systemd","v2":"/sys/fs/cgroup/unified/u.slice/sandbox-a.scope","v1":{},
          "created":[],"unit":"sandbox-a.scope","userManager":true})"));
  EXPECT_EQ(sd.driver, Driver::Systemd);
  EXPECT_EQ(sd.unit, "sandbox-a.scope");
  EXPECT_TRUE(sd.user_manager);
  auto fs = record_from_json(json::parse(
      R"({"driver":"cgroupfs","v2":"/sys/fs/cgroup/unified/a","v1":{"memory":"/sys/fs/cgroup/memory/a"},
          "created":["/sys/fs/cgroup/unified/a"]})"));
  EXPECT_EQ(fs.driver, Driver::Cgroupfs);
  EXPECT_EQ(fs.v1_dir("memory"), "/sys/fs/cgroup/memory/a");
  EXPECT_TRUE(record_from_json(json::object()).none());
  EXPECT_TRUE(record_from_json(nullptr).none());
  // and what they are written as, unchanged
  EXPECT_EQ(to_json(sd)["driver"], "systemd");
  EXPECT_EQ(to_json(fs)["driver"], "cgroupfs");
  EXPECT_TRUE(to_json(Record{}).empty());
}

TEST(CgroupRecord, RefusesWhatItCannotTrust) {
  for (const char* text : {
           R"({"driver":"lxc"})",
           R"({"driver":7})",
           R"({"driver":"cgroupfs","v2":5})",
           R"({"driver":"cgroupfs","v2":"relative/dir"})",
           R"({"driver":"cgroupfs","v1":[]})",
           R"({"driver":"cgroupfs","v1":{"memory":3}})",
           R"({"driver":"cgroupfs","v1":{"memory":""}})",
           R"({"driver":"cgroupfs","created":"/x"})",
           R"({"driver":"cgroupfs","created":[null]})",
           R"({"driver":"cgroupfs","created":["x/../y"]})",
           R"({"driver":"systemd","unit":["a"]})",
           R"({"driver":"systemd","unit":"../x.scope"})",
           R"({"driver":"systemd","unit":"a.scope","userManager":"yes"})",
           R"([1,2])",
           R"("systemd")",
       }) {
    SCOPED_TRACE(text);
    EXPECT_THROW(record_from_json(json::parse(text)), Error);
  }
}

TEST(CgroupInterface, ChosenFromTheRecordsDriver) {
  Record none;
  auto c = open_cgroup(none);
  EXPECT_TRUE(c->none());
  EXPECT_TRUE(c->processes().empty());
  EXPECT_FALSE(c->is_frozen());
  EXPECT_NO_THROW(c->signal_all(9));
  EXPECT_NO_THROW(c->destroy());
  EXPECT_THROW(c->update(oci::Resources{}, false), Error);
  Record fs;
  fs.driver = Driver::Cgroupfs;
  EXPECT_EQ(open_cgroup(fs)->record().driver, Driver::Cgroupfs);
  Record sd;
  sd.driver = Driver::Systemd;
  sd.unit = "x.scope";
  EXPECT_EQ(open_cgroup(sd)->record().unit, "x.scope");
}

TEST(CgroupUpdate, DropsDevicesAndAppliesTheRestOnce) {
  FakeCgroup c;
  oci::Resources res;
  res.pids = oci::PidsResources{10};
  res.devices = {oci::DeviceRule{}};
  runtime::update_cgroup(c, res, true, "c1");
  ASSERT_EQ(c.calls, std::vector<std::string>{"update privileged"});
  EXPECT_TRUE(c.updated[0].devices.empty());
  ASSERT_TRUE(c.updated[0].pids);
  EXPECT_EQ(c.updated[0].pids->limit, 10);
}

TEST(CgroupUpdate, NoCgroupIsAnErrorNamingTheContainer) {
  FakeCgroup c(Driver::None);
  try {
    runtime::update_cgroup(c, oci::Resources{}, false, "c2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"c2\""), std::string::npos);
  }
  EXPECT_TRUE(c.calls.empty());
}

UnitProperty num(const char* name, uint64_t n) {
  return UnitProperty{name, false, n, {}};
}

TEST(SystemdProperties, FromTheCgroup2Writes) {
  oci::Resources res;
  res.memory = oci::MemoryResources{};
  res.memory->limit = 64 << 20;
  res.memory->reservation = 32 << 20;
  res.memory->swap = 128 << 20;
  res.cpu = oci::CpuResources{};
  res.cpu->shares = 1024;
  res.cpu->quota = 12345;
  res.cpu->period = 100000;
  res.cpu->cpus = "0-2,9";
  res.cpu->mems = "0";
  res.pids = oci::PidsResources{42};
  res.block_io = oci::BlockIoResources{};
  res.block_io->weight = 500;
  auto props = unit_properties(v2_settings(res), {});
  auto find = [&](const std::string& n) -> const UnitProperty* {
    for (const auto& p : props)
      if (p.name == n) return &p;
    return nullptr;
  };
  ASSERT_TRUE(find("MemoryMax"));
  EXPECT_EQ(*find("MemoryMax"), num("MemoryMax", 64 << 20));
  EXPECT_EQ(*find("MemoryLow"), num("MemoryLow", 32 << 20));
  EXPECT_EQ(*find("MemorySwapMax"), num("MemorySwapMax", 64 << 20));  // swap alone
  EXPECT_EQ(*find("CPUWeight"), num("CPUWeight", 39));  // crun's conversion, as cpu.weight
  EXPECT_EQ(*find("CPUQuotaPeriodUSec"), num("CPUQuotaPeriodUSec", 100000));
  // systemd writes per_sec * period / 1 s: exactly 12345 again
  EXPECT_EQ(*find("CPUQuotaPerSecUSec"), num("CPUQuotaPerSecUSec", 123450));
  EXPECT_EQ(*find("TasksMax"), num("TasksMax", 42));
  EXPECT_EQ(*find("IOWeight"), num("IOWeight", 1 + (490 * 9999) / 990));
  ASSERT_TRUE(find("AllowedCPUs"));
  EXPECT_EQ(find("AllowedCPUs")->bytes, (std::vector<uint8_t>{0x07, 0x02}));
  EXPECT_EQ(find("AllowedMemoryNodes")->bytes, (std::vector<uint8_t>{0x01}));
}

TEST(SystemdProperties, UnlimitedIsInfinity) {
  oci::Resources res;
  res.memory = oci::MemoryResources{};
  res.memory->limit = -1;
  res.pids = oci::PidsResources{-1};
  res.cpu = oci::CpuResources{};
  res.cpu->quota = -1;
  res.cpu->period = 50000;
  auto props = unit_properties(v2_settings(res), {});
  // memory.swap.max "max" is runc's optional addition: not a property
  EXPECT_EQ(props,
            (std::vector<UnitProperty>{num("MemoryMax", kInf), num("CPUQuotaPeriodUSec", 50000),
                                       num("CPUQuotaPerSecUSec", kInf), num("TasksMax", kInf)}));
}

// For every quota and period the kernel takes, what systemd writes back is the quota itself.
TEST(SystemdProperties, QuotaSurvivesSystemdsRounding) {
  for (uint64_t period : {1000u, 3333u, 100000u, 999999u, 1000000u})
    for (uint64_t quota : {1000u, 1001u, 12345u, 77777u, 2500000u}) {
      Setting s{"cpu", "cpu.max", std::to_string(quota) + " " + std::to_string(period)};
      auto props = unit_properties({s}, {});
      ASSERT_EQ(props.size(), 2u);
      uint64_t per_sec = props[1].number;
      EXPECT_EQ(per_sec * period / 1000000, quota) << quota << " " << period;
    }
}

TEST(SystemdProperties, FromTheV1Writes) {
  oci::Resources res;
  res.memory = oci::MemoryResources{};
  res.memory->limit = 1 << 20;
  res.cpu = oci::CpuResources{};
  res.cpu->shares = 512;
  res.cpu->quota = 20000;
  res.cpu->period = 100000;
  res.pids = oci::PidsResources{7};
  auto props = unit_properties({}, v1_settings(res));
  EXPECT_EQ(props, (std::vector<UnitProperty>{num("MemoryLimit", 1 << 20), num("CPUShares", 512),
                                              num("TasksMax", 7), num("CPUQuotaPeriodUSec", 100000),
                                              num("CPUQuotaPerSecUSec", 200000)}));
}

TEST(SystemdProperties, CpuListMask) {
  EXPECT_EQ(cpu_list_mask("0"), (std::vector<uint8_t>{1}));
  EXPECT_EQ(cpu_list_mask("1,3-4,15"), (std::vector<uint8_t>{0x1a, 0x80}));
  EXPECT_THROW(cpu_list_mask("3-1"), Error);
  EXPECT_THROW(cpu_list_mask("a"), Error);
  EXPECT_THROW(cpu_list_mask("1,,2"), Error);
  EXPECT_THROW(cpu_list_mask("99999999"), Error);
}

TEST(SystemdProperties, HelperArgumentsRoundTrip) {
  for (const auto& p : {num("MemoryMax", kInf), num("TasksMax", 0),
                        UnitProperty{"AllowedCPUs", true, 0, {0x00, 0xff, 0x1a}}}) {
    UnitProperty back;
    ASSERT_TRUE(parse_property_arg(property_arg(p), &back)) << property_arg(p);
    EXPECT_EQ(back, p);
  }
  UnitProperty ignored;
  for (const char* bad : {"X", "=t:1", "X=t:", "X=t:-1", "X=s:a", "X=ay:0", "X=ay:zz"})
    EXPECT_FALSE(parse_property_arg(bad, &ignored)) << bad;
}

}  // namespace
}  // namespace sandbox::cgroup
