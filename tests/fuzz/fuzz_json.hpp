#pragma once
// What every fuzz target shares: the input is a JSON document as the runtime would read it from
// a file; sandbox::Error is the right answer to a bad one. Anything else that escapes (an
// nlohmann exception, std::out_of_range, ...) is a bug, so it is let through: libFuzzer counts
// the abort as a crash and saves the input.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "sys/error.hpp"

namespace sandbox::fuzz {

// The document, or nullopt when the bytes are not JSON (the runtime stops there with its own
// "not valid JSON" line, before any parser of ours sees it).
inline std::optional<nlohmann::json> parse_document(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Runs F, treating sandbox::Error as the expected outcome.
template <typename F>
void expect_only_errors(F&& f) {
  try {
    f();
  } catch (const Error&) {
  }
}

}  // namespace sandbox::fuzz
