// state.json as a container's directory holds it: state::parse_state_json (and init.pid:
// state::parse_init_record). A record that parses
// must also survive being written and read back, as every command after create does. Its parts
// also go through their own parsers directly, as the commands use them: parse_state_json turns
// any nlohmann exception into "state.json is corrupt", which would hide a bug in them.
#include <string>

#include "cgroup/record.hpp"
#include "fuzz_json.hpp"
#include "oci/parse.hpp"
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
  // init.pid ("PID STARTTIME"), what delete -f falls back on: a bad one is nullopt or an Error.
  sandbox::fuzz::expect_only_errors([&] { sandbox::state::parse_init_record(text); });
  auto doc = sandbox::fuzz::parse_document(data, size);
  if (!doc || !doc->is_object()) return 0;
  // pause, update, events, ps, kill --all and delete read the cgroup record.
  if (auto it = doc->find("cgroup"); it != doc->end())
    sandbox::fuzz::expect_only_errors([&] { sandbox::cgroup::record_from_json(*it); });
  if (auto it = doc->find("hooks"); it != doc->end() && it->is_object())
    sandbox::fuzz::expect_only_errors(
        [&] { sandbox::oci::parse_hooks_file(*it, "state.json: hooks"); });
  return 0;
}
