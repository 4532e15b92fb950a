// process.json of `exec --process FILE`: oci::parse_process_file.
#include "fuzz_json.hpp"
#include "oci/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = sandbox::fuzz::parse_document(data, size);
  if (!doc) return 0;
  sandbox::fuzz::expect_only_errors(
      [&] { sandbox::oci::parse_process_file(*doc, "--process process.json"); });
  return 0;
}
