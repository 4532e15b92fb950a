#pragma once
// The config.json that `sandbox spec` writes: runc 1.1's template (`runc spec`, `runc spec
// --rootless`), key order included, so tutorials and scripts written for runc work from it.
// Deliberate differences: the hostname, one more masked path, and --rootless also maps the
// caller's subordinate ranges (as ids 1..N) when the id-map helpers can.
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

// The template document, in runc's key order. It always passes parse_spec.
nlohmann::ordered_json spec_template(const TemplateOptions& opts);

}  // namespace sandbox::oci
