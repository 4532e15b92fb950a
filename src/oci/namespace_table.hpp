#pragma once
// The one table of namespace types: each one's config.json name ("network", "mount"), its
// entry under /proc/PID/ns ("net", "mnt") and its CLONE_NEW* flag. The parser, the clone plan,
// exec's joining, the /proc scan and `features` all read their names and flags from here, so
// the two spellings of a namespace can never be mixed up in one place and not another.
#include <cstdint>
#include <span>
#include <string_view>

#include "oci/spec.hpp"

namespace sandbox::oci {

struct NamespaceKind {
  NamespaceType type;
  std::string_view spec_name;  // linux.namespaces[].type in config.json (the runtime-spec)
  std::string_view proc_name;  // /proc/PID/ns/<proc_name> (the kernel)
  uint64_t clone_flag;         // CLONE_NEW*, also setns's nstype and NS_GET_NSTYPE's answer
};

// Every namespace type the kernel has, user first (the order setns takes them in), including
// the ones config.json may not ask for yet (time: see supported_namespaces in oci/parse.hpp).
std::span<const NamespaceKind> namespace_kinds();
// T's row; every NamespaceType has one.
const NamespaceKind& namespace_kind(NamespaceType t);
// The row whose config.json name is NAME; nullptr when none is.
const NamespaceKind* namespace_kind_named(std::string_view name);

}  // namespace sandbox::oci
