#pragma once
// state.json's text <-> ContainerState, with no file access: the one place that knows the
// record's keys (ContainerDir reads and writes the file; the fuzzers feed this directly).
#include <optional>
#include <string>

#include "state/container.hpp"

namespace sandbox::state {

// Throws Error ("container \"ID\": state.json is corrupt" or a field's own message) for text
// that is not a state record; ID is the directory's name, used when the record has none.
ContainerState parse_state_json(const std::string& text, const std::string& id);
std::string state_json_text(const ContainerState& st);

// init.pid: "PID STARTTIME\n", written by create right after clone. nullopt for anything else
// (a torn or hand-edited file); a pid must be positive.
std::optional<InitRecord> parse_init_record(const std::string& text);
std::string init_record_text(const InitRecord& r);

}  // namespace sandbox::state
