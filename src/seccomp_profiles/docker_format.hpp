#pragma once
// The docker/podman seccomp profile format (moby's profiles/seccomp, containers/common's
// seccomp.json) <-> the OCI runtime spec's linux.seccomp. The docker format is one document
// for every architecture and capability set: `archMap` lists each native architecture with its
// compatible ones, and each syscall rule may carry `includes`/`excludes` by capabilities,
// architectures and minimum kernel. Importing resolves those for one target, as an engine
// does when it writes config.json.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sandbox::seccomp_profile {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

struct DockerTarget {
  std::vector<std::string> caps;        // the container's bounding set, "CAP_SYS_ADMIN", ...
  std::string arch;                     // Go's name ("amd64") or libseccomp's ("SCMP_ARCH_X86_64")
  std::optional<KernelVersion> kernel;  // for minKernel; none: every minKernel is met
};

// This machine: its architecture (Go's name) and its kernel version (uname).
std::string native_arch();
std::optional<KernelVersion> running_kernel();

// "4.8" -> {4, 8}; throws sandbox::Error naming FIELD when it is not MAJOR.MINOR[...].
KernelVersion parse_kernel_version(const std::string& text, const std::string& field);

// A document in the docker format rather than OCI's: it has `archMap`, or a syscall rule with
// `includes`, `excludes` or the old single `name`.
bool is_docker_format(const nlohmann::json& doc);

// The OCI linux.seccomp for TARGET. Rules excluded by TARGET are dropped; `archMap`'s entry for
// TARGET's architecture becomes `architectures` (itself, then its sub-architectures); `comment`
// and unknown keys are dropped. Throws sandbox::Error for a malformed document.
nlohmann::json from_docker(const nlohmann::json& docker, const DockerTarget& target);

// The docker-format document for an OCI linux.seccomp: `architectures` becomes one `archMap`
// entry (the first is the native one, the rest its sub-architectures); rules are kept as
// they are (no includes/excludes: the profile already holds for one target).
nlohmann::json to_docker(const nlohmann::json& oci);

}  // namespace sandbox::seccomp_profile
