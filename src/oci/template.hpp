#pragma once
// The config.json that `sandbox spec` writes: an OCI 1.2.0 config in the shape of `runc spec`,
// optionally adjusted so an unprivileged user can run it as is.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "oci/spec.hpp"

namespace sandbox::oci {

struct TemplateOptions {
  bool rootless = false;  // add a user namespace mapping UID/GID (and the ranges below) to 0..
  uint32_t uid = 0;       // the caller's ids, mapped to root in the container when rootless
  uint32_t gid = 0;
  std::optional<IdRange> subuid, subgid;  // the caller's grants, mapped as container ids 1..
};

// The template document. It always passes parse_spec.
nlohmann::json spec_template(const TemplateOptions& opts);

}  // namespace sandbox::oci
