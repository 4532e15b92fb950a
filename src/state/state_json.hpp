#pragma once
// state.json's text <-> ContainerState, with no file access: the one place that knows the
// record's keys (ContainerDir reads and writes the file; the fuzzers feed this directly).
#include <string>

#include "state/container.hpp"

namespace sandbox::state {

// Throws Error ("container \"ID\": state.json is corrupt" or a field's own message) for text
// that is not a state record; ID is the directory's name, used when the record has none.
ContainerState parse_state_json(const std::string& text, const std::string& id);
std::string state_json_text(const ContainerState& st);

}  // namespace sandbox::state
