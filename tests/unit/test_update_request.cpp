// Unit tests: `update`'s flags and -r document turned into resources.
#include <gtest/gtest.h>

#include "runtime/update_request.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {
namespace {

TEST(UpdateRequest, SizesTakeDockerUnits) {
  EXPECT_EQ(parse_size("1048576", "--memory"), 1048576);
  EXPECT_EQ(parse_size("512m", "--memory"), 512LL << 20);
  EXPECT_EQ(parse_size("1G", "--memory"), 1LL << 30);
  EXPECT_EQ(parse_size("4kb", "--memory"), 4096);
  EXPECT_EQ(parse_size("2MiB", "--memory"), 2LL << 20);
  EXPECT_EQ(parse_size("-1", "--memory"), -1);
  EXPECT_THROW(parse_size("lots", "--memory"), Error);
  EXPECT_THROW(parse_size("5x", "--memory"), Error);
  EXPECT_THROW(parse_size("99999999999999999999", "--memory"), Error);
  try {
    parse_size("12q", "--memory-swap");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--memory-swap 12q"), std::string::npos);
  }
}

TEST(UpdateRequest, FlagsOverrideTheFile) {
  UpdateFlags f;
  f.resources = "res.json";
  f.pids_limit = 50;
  f.memory = "64m";
  f.cpu_quota = 20000;
  f.cpuset_cpus = "0";
  auto file = nlohmann::json::parse(R"({"pids": {"limit": 7}, "cpu": {"period": 100000}})");
  oci::Resources r = update_resources(f, file);
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 50);
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 64LL << 20);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->period, 100000u);
  EXPECT_EQ(r.cpu->quota, 20000);
  EXPECT_EQ(r.cpu->cpus, "0");
}

TEST(UpdateRequest, NothingAskedGivesNothing) {
  oci::Resources r = update_resources(UpdateFlags{}, std::nullopt);
  EXPECT_FALSE(r.memory || r.cpu || r.pids || r.block_io);
  EXPECT_FALSE(r.has_limits());
}

// docker update --memory: the cpu zeros ride along and ask for nothing; only the memory
// limit is left to write.
TEST(UpdateRequest, DockersZerosAskForNothing) {
  UpdateFlags f;
  f.resources = "-";
  f.cpu_shares = 0;
  oci::Resources r = update_resources(
      f, nlohmann::json::parse(R"({"memory": {"limit": 134217728, "swap": 0, "reservation": 0},
        "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0,
                "realtimePeriod": 0, "cpus": "", "mems": ""},
        "blockIO": {"weight": 0}, "pids": {"limit": 0}})"));
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 134217728);
  EXPECT_FALSE(r.memory->swap || r.memory->reservation);
  ASSERT_TRUE(r.cpu);
  EXPECT_FALSE(r.cpu->shares || r.cpu->quota || r.cpu->period || r.cpu->realtime_runtime ||
               r.cpu->realtime_period);
  EXPECT_FALSE(r.pids);
  ASSERT_TRUE(r.block_io);
  EXPECT_FALSE(r.block_io->weight);
  UpdateFlags zero;
  zero.blkio_weight = 0;  // runc: 0 leaves the weight alone
  EXPECT_FALSE(update_resources(zero, std::nullopt).has_limits());
}

TEST(UpdateRequest, BadBlkioWeightIsRefused) {
  UpdateFlags f;
  f.blkio_weight = 5;
  EXPECT_THROW(update_resources(f, std::nullopt), Error);
}

}  // namespace
}  // namespace sandbox::runtime
