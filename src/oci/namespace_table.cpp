#include "oci/namespace_table.hpp"

#include <sched.h>

namespace sandbox::oci {
namespace {

constexpr NamespaceKind kKinds[] = {
    {NamespaceType::User, "user", "user", CLONE_NEWUSER},
    {NamespaceType::Mount, "mount", "mnt", CLONE_NEWNS},
    {NamespaceType::Pid, "pid", "pid", CLONE_NEWPID},
    {NamespaceType::Uts, "uts", "uts", CLONE_NEWUTS},
    {NamespaceType::Ipc, "ipc", "ipc", CLONE_NEWIPC},
    {NamespaceType::Network, "network", "net", CLONE_NEWNET},
    {NamespaceType::Cgroup, "cgroup", "cgroup", CLONE_NEWCGROUP},
    {NamespaceType::Time, "time", "time", CLONE_NEWTIME},
};

}  // namespace

std::span<const NamespaceKind> namespace_kinds() {
  return kKinds;
}

const NamespaceKind& namespace_kind(NamespaceType t) {
  for (const auto& k : kKinds)
    if (k.type == t) return k;
  // Unreachable while every enumerator has a row (test_namespace_table checks it).
  return kKinds[0];
}

const NamespaceKind* namespace_kind_named(std::string_view name) {
  for (const auto& k : kKinds)
    if (k.spec_name == name) return &k;
  return nullptr;
}

}  // namespace sandbox::oci
