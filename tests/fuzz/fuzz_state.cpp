// state.json as a container's directory holds it: state::parse_state_json (its hooks go through
// the config's hook parser, its cgroup record through cgroup's). A record that parses must also
// survive being written and read back, as every command after create does.
#include <string>

#include "fuzz_json.hpp"
#include "state/state_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sandbox::fuzz::expect_only_errors([&] {
    sandbox::state::ContainerState st = sandbox::state::parse_state_json(text, "fuzz");
    std::string again = sandbox::state::state_json_text(st);
    // Written by us, so it must read back: an Error here is a finding too.
    try {
      sandbox::state::parse_state_json(again, "fuzz");
    } catch (const sandbox::Error&) {
      __builtin_trap();
    }
  });
  return 0;
}
