#include "runtime/sysctl_policy.hpp"

#include "oci/parse.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {

void check_sysctls(const std::map<std::string, std::string>& sysctl,
                   const std::function<NamespaceSource(oci::NamespaceType)>& source) {
  for (const auto& [key, value] : sysctl) {
    auto ns = oci::sysctl_namespace(key);
    if (!ns)
      fail("config.json: linux.sysctl: {}: not namespaced: setting it would change the host", key);
    if (source(*ns) == NamespaceSource::Host)
      fail(
          "config.json: linux.sysctl: {}: not allowed in the host {} namespace (give the "
          "container a {} namespace of its own)",
          key, oci::namespace_name(*ns), oci::namespace_name(*ns));
  }
}

}  // namespace sandbox::runtime
