#include "oci/spec.hpp"

namespace sandbox::oci {

const char* namespace_name(NamespaceType t) {
  switch (t) {
    case NamespaceType::User:
      return "user";
    case NamespaceType::Mount:
      return "mount";
    case NamespaceType::Pid:
      return "pid";
    case NamespaceType::Uts:
      return "uts";
    case NamespaceType::Ipc:
      return "ipc";
    case NamespaceType::Network:
      return "network";
    case NamespaceType::Cgroup:
      return "cgroup";
  }
  return "?";
}

}  // namespace sandbox::oci
