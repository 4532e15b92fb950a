#include <gtest/gtest.h>

#include "oci/parse.hpp"
#include "runtime/sysctl_policy.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::oci::NamespaceType;
using sandbox::oci::sysctl_namespace;
using sandbox::runtime::check_sysctls;
using sandbox::runtime::NamespaceSource;

namespace {

// Every namespace new except those listed as the host's.
auto sources(std::initializer_list<NamespaceType> host) {
  std::vector<NamespaceType> h(host);
  return [h](NamespaceType t) {
    for (auto x : h)
      if (x == t) return NamespaceSource::Host;
    return NamespaceSource::New;
  };
}

std::string error_of(const std::map<std::string, std::string>& s,
                     std::initializer_list<NamespaceType> host) {
  try {
    check_sysctls(s, sources(host));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SysctlPolicy, NamespaceOfEachKind) {
  EXPECT_EQ(sysctl_namespace("net.ipv4.ip_forward"), NamespaceType::Network);
  EXPECT_EQ(sysctl_namespace("kernel.shmmni"), NamespaceType::Ipc);
  EXPECT_EQ(sysctl_namespace("kernel.sem"), NamespaceType::Ipc);
  EXPECT_EQ(sysctl_namespace("fs.mqueue.msg_max"), NamespaceType::Ipc);
  EXPECT_EQ(sysctl_namespace("kernel.domainname"), NamespaceType::Uts);
  EXPECT_FALSE(sysctl_namespace("vm.swappiness"));
  EXPECT_FALSE(sysctl_namespace("kernel.printk"));
  EXPECT_FALSE(sysctl_namespace("fs.protected_regular"));
  EXPECT_FALSE(sysctl_namespace("network.foo"));
}

TEST(SysctlPolicy, AllowedInTheContainersOwnNamespaces) {
  EXPECT_EQ(error_of({{"net.ipv4.ip_forward", "1"}, {"kernel.shmmni", "100"}}, {}), "");
  auto joined = [](NamespaceType) { return NamespaceSource::Joined; };
  EXPECT_NO_THROW(check_sysctls({{"net.ipv4.ip_forward", "1"}}, joined));
}

TEST(SysctlPolicy, RefusedInTheHostsNamespace) {
  EXPECT_EQ(error_of({{"net.ipv4.ip_forward", "1"}}, {NamespaceType::Network}),
            "config.json: linux.sysctl: net.ipv4.ip_forward: not allowed in the host network "
            "namespace (give the container a network namespace of its own)");
  EXPECT_NE(error_of({{"kernel.shmmni", "1"}}, {NamespaceType::Ipc}), "");
  // Another namespace being the host's does not matter.
  EXPECT_EQ(error_of({{"kernel.shmmni", "1"}}, {NamespaceType::Network}), "");
}

TEST(SysctlPolicy, NotNamespacedIsRefused) {
  EXPECT_EQ(error_of({{"vm.swappiness", "10"}}, {}),
            "config.json: linux.sysctl: vm.swappiness: not namespaced: setting it would change "
            "the host");
}
