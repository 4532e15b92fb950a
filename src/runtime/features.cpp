// features: the runtime-spec features document (features.md, features-linux.md) for the spec
// version sandbox implements. Every list comes from the code that parses the field, so the
// document cannot claim more than a config.json may ask for.
#include "linux/capabilities.hpp"
#include "linux/mount_options.hpp"
#include "linux/seccomp.hpp"
#include "oci/parse.hpp"
#include "runtime/operations.hpp"
#include "version.hpp"

namespace sandbox::runtime {

nlohmann::ordered_json features_document() {
  // ordered: runc's key order (its Go structs); map-like members sorted, as Go writes maps.
  using json = nlohmann::ordered_json;
  json namespaces = json::array();
  for (auto t : oci::supported_namespaces()) namespaces.push_back(oci::namespace_name(t));

  json linux_features = {
      {"namespaces", namespaces},
      {"capabilities", linux_::known_capability_names()},
      // cgroupfs on v1, v2 and hybrid hosts; the systemd driver with the system manager and
      // the user manager. linux.resources.rdma is refused by the parser.
      {"cgroup",
       {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", true}, {"rdma", false}}},
      {"seccomp",
       {{"enabled", true},
        {"actions", linux_::seccomp_action_names()},
        {"operators", linux_::seccomp_operator_names()},
        {"archs", linux_::seccomp_architecture_names()},
        {"knownFlags", linux_::seccomp_known_flag_names()},
        // What the running kernel accepts (probed with seccomp(2)).
        {"supportedFlags", linux_::seccomp_supported_flag_names()}}},
      // AppArmor profiles are applied where the host runs AppArmor (linux/lsm).
      {"apparmor", {{"enabled", true}}},
      {"selinux", {{"enabled", false}}},
      {"intelRdt", {{"enabled", false}}},
      // Mounts with uidMappings/gidMappings (idmapped mounts) are refused: CRI checks this to
      // decide about user namespaces.
      {"mountExtensions", {{"idmap", {{"enabled", false}}}}},
  };
  return json{
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", kSpecVersion},
      {"hooks", oci::hook_kinds()},
      {"mountOptions", linux_::known_mount_options()},
      {"linux", linux_features},
      {"annotations",
       {{"io.github.seccomp.libseccomp.version", linux_::libseccomp_version()},
        {"org.sandbox.commit", kCommit},
        {"org.sandbox.version", kVersion}}},
      // sandbox reads no config.json annotation, so none can change what it does.
      {"potentiallyUnsafeConfigAnnotations", json::array()},
  };
}

}  // namespace sandbox::runtime
