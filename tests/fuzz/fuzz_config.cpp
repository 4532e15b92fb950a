// config.json: the bytes as load_spec reads them, then oci::parse_spec.
#include "fuzz_json.hpp"
#include "oci/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = sandbox::fuzz::parse_document(data, size);
  if (!doc) return 0;
  sandbox::fuzz::expect_only_errors([&] { sandbox::oci::parse_spec(*doc); });
  return 0;
}
