// The pure half of `sandbox seccomp record|check`: profile, report, derived filters, verdicts.
#include <gtest/gtest.h>

#include "runtime/seccomp_record.hpp"
#include "seccomp_profiles/docker_format.hpp"
#include "sys/error.hpp"

using namespace sandbox::runtime;
using namespace sandbox;

namespace {

Recording sample() {
  Recording r;
  r.add({"SCMP_ARCH_X86_64", "openat"}, 10, "sh");
  r.add({"SCMP_ARCH_X86_64", "openat"}, 11, "tar");
  r.add({"SCMP_ARCH_X86_64", "read"}, 11, "tar");
  r.add({"SCMP_ARCH_X86", "getpid"}, 12, "tool32");
  return r;
}

}  // namespace

TEST(SeccompRecord, ProfileAllowsSeenAndAlwaysAllowedDeniesRestWithEperm) {
  auto p = recorded_profile(sample());
  EXPECT_EQ(p["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(p["defaultErrnoRet"], 1);
  EXPECT_EQ(p["architectures"], nlohmann::json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  ASSERT_EQ(p["syscalls"].size(), 1u);
  EXPECT_EQ(p["syscalls"][0]["action"], "SCMP_ACT_ALLOW");
  auto names = p["syscalls"][0]["names"].get<std::vector<std::string>>();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* n : {"openat", "read", "getpid", "clock_gettime", "gettimeofday", "sendmsg"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(std::count(names.begin(), names.end(), "openat"), 1);
  EXPECT_EQ(std::find(names.begin(), names.end(), "mount"), names.end());
}

TEST(SeccompRecord, EmptyRecordingStillNamesAnArchitecture) {
  auto p = recorded_profile(Recording{});
  EXPECT_EQ(p["architectures"], nlohmann::json({"SCMP_ARCH_X86_64"}));
}

TEST(SeccompRecord, ReportCountsAndFirstProcessMostFrequentFirst) {
  std::string rep = recording_report(sample());
  EXPECT_EQ(rep.find("SYSCALL ARCH COUNT FIRST_PID FIRST_COMM\nopenat SCMP_ARCH_X86_64 2 10 sh\n"),
            0u)
      << rep;
  EXPECT_NE(rep.find("getpid SCMP_ARCH_X86 1 12 tool32\n"), std::string::npos);
  EXPECT_NE(rep.find("total 4 calls, 3 distinct syscalls\n"), std::string::npos);
  // The first process stays the first: later calls only count.
  Recording r = sample();
  EXPECT_TRUE(r.seen({"SCMP_ARCH_X86_64", "openat"}));
  EXPECT_FALSE(r.seen({"SCMP_ARCH_X86", "openat"}));
  r.add({"SCMP_ARCH_X86_64", "openat"}, 99, "");
  EXPECT_EQ(r.entries().at({"SCMP_ARCH_X86_64", "openat"}).first_pid, 10);
  EXPECT_EQ(r.entries().at({"SCMP_ARCH_X86_64", "openat"}).count, 3u);
}

TEST(SeccompRecord, DockerProfileFoldsX86UnderX8664) {
  nlohmann::json d = seccomp_profile::to_docker(nlohmann::json(recorded_profile(sample())));
  ASSERT_EQ(d["archMap"].size(), 1u);
  EXPECT_EQ(d["archMap"][0]["architecture"], "SCMP_ARCH_X86_64");
  EXPECT_EQ(d["archMap"][0]["subArchitectures"], nlohmann::json({"SCMP_ARCH_X86"}));
  EXPECT_FALSE(d.contains("architectures"));
  EXPECT_EQ(d["syscalls"][0]["action"], "SCMP_ACT_ALLOW");
}

TEST(SeccompRecord, RecordFilterNotifiesAllButTheHandOff) {
  auto s = record_seccomp("/run/x/agent.sock");
  EXPECT_EQ(s["defaultAction"], "SCMP_ACT_NOTIFY");
  EXPECT_EQ(s["listenerPath"], "/run/x/agent.sock");
  EXPECT_EQ(s["syscalls"][0]["action"], "SCMP_ACT_ALLOW");
  EXPECT_EQ(s["syscalls"][0]["names"], nlohmann::json(record_unnotified_syscalls()));
}

TEST(SeccompRecord, CheckFilterTurnsDenialsIntoNotifyKeepsAllows) {
  auto p = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["ptrace"], "action": "SCMP_ACT_KILL"},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]})");
  auto s = check_seccomp(p, "/a.sock");
  EXPECT_EQ(s["defaultAction"], "SCMP_ACT_NOTIFY");
  EXPECT_FALSE(s.contains("defaultErrnoRet"));
  // ptrace's kill became notify, the default's action: libseccomp refuses such a rule.
  // sendmsg, which carries the listener fd, is allowed by a rule of its own at the end.
  ASSERT_EQ(s["syscalls"].size(), 3u);
  EXPECT_EQ(s["syscalls"][0]["names"], nlohmann::json({"read", "write"}));
  EXPECT_EQ(s["syscalls"][1]["args"][0]["op"], "SCMP_CMP_EQ");
  EXPECT_EQ(s["syscalls"][2]["names"], nlohmann::json({"sendmsg"}));
  EXPECT_EQ(s["listenerPath"], "/a.sock");

  auto q = nlohmann::json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})");
  auto t = check_seccomp(q, "/a.sock");
  EXPECT_EQ(t["defaultAction"], "SCMP_ACT_ALLOW");
  EXPECT_EQ(t["syscalls"][0]["action"], "SCMP_ACT_NOTIFY");
  EXPECT_FALSE(t["syscalls"][0].contains("errnoRet"));
}

TEST(SeccompRecord, CheckRefusesWhatIsNotAProfile) {
  EXPECT_THROW(check_seccomp(nlohmann::json::array(), "/a"), sandbox::Error);
  EXPECT_THROW(check_seccomp(nlohmann::json::parse(R"({"syscalls": []})"), "/a"), sandbox::Error);
}

TEST(SeccompRecord, VerdictFirstMatchingRuleElseDefault) {
  auto p = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
      {"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]})");
  EXPECT_EQ(profile_verdict(p, "personality", {8}).action, "SCMP_ACT_ALLOW");
  EXPECT_EQ(profile_verdict(p, "personality", {9}).action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile_verdict(p, "personality", {9}).errno_ret, 1u);
  EXPECT_EQ(profile_verdict(p, "clone", {0x11}).action, "SCMP_ACT_ALLOW");
  EXPECT_EQ(profile_verdict(p, "clone", {0x10000000}).action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile_verdict(p, "mkdir", {}).errno_ret, 13u);
  EXPECT_EQ(profile_verdict(p, "ptrace", {}).action, "SCMP_ACT_KILL_PROCESS");
  EXPECT_TRUE(action_allows("SCMP_ACT_LOG"));
  EXPECT_FALSE(action_allows("SCMP_ACT_NOTIFY"));
}
