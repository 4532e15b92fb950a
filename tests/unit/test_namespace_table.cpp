#include <gtest/gtest.h>
#include <sched.h>

#include <set>
#include <string>

#include "oci/namespace_table.hpp"
#include "oci/parse.hpp"

using sandbox::oci::NamespaceType;

TEST(NamespaceTable, EveryTypeHasOneRowWithDistinctNamesAndFlags) {
  std::set<std::string_view> spec, proc;
  std::set<uint64_t> flags;
  for (const auto& k : sandbox::oci::namespace_kinds()) {
    EXPECT_EQ(&sandbox::oci::namespace_kind(k.type), &k);
    EXPECT_TRUE(spec.insert(k.spec_name).second) << k.spec_name;
    EXPECT_TRUE(proc.insert(k.proc_name).second) << k.proc_name;
    EXPECT_TRUE(flags.insert(k.clone_flag).second) << k.spec_name;
  }
  EXPECT_EQ(spec.size(), 8u);  // user mount pid uts ipc network cgroup time
}

TEST(NamespaceTable, TheSpecAndTheKernelSpellNetworkAndMountDifferently) {
  const auto& net = sandbox::oci::namespace_kind(NamespaceType::Network);
  EXPECT_EQ(net.spec_name, "network");
  EXPECT_EQ(net.proc_name, "net");
  EXPECT_EQ(net.clone_flag, static_cast<uint64_t>(CLONE_NEWNET));
  const auto& mnt = sandbox::oci::namespace_kind(NamespaceType::Mount);
  EXPECT_EQ(mnt.spec_name, "mount");
  EXPECT_EQ(mnt.proc_name, "mnt");
  EXPECT_EQ(mnt.clone_flag, static_cast<uint64_t>(CLONE_NEWNS));
  EXPECT_STREQ(sandbox::oci::namespace_name(NamespaceType::Network), "network");
}

TEST(NamespaceTable, LooksUpConfigNamesOnly) {
  ASSERT_NE(sandbox::oci::namespace_kind_named("network"), nullptr);
  EXPECT_EQ(sandbox::oci::namespace_kind_named("network")->type, NamespaceType::Network);
  EXPECT_EQ(sandbox::oci::namespace_kind_named("net"), nullptr);
  EXPECT_EQ(sandbox::oci::namespace_kind_named("mnt"), nullptr);
}

TEST(NamespaceTable, ProcNamesAreTheKernels) {
  // Each row's /proc/self/ns entry exists on this kernel (time: from 5.6).
  for (const auto& k : sandbox::oci::namespace_kinds()) {
    std::string path = "/proc/self/ns/" + std::string(k.proc_name);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0) << path;
  }
}

TEST(NamespaceTable, ConfigMayNotAskForTimeYet) {
  for (auto t : sandbox::oci::supported_namespaces()) EXPECT_NE(t, NamespaceType::Time);
}
