#pragma once
// What to write back into a cgroup file to undo one setting, from the file's content read
// before the write: `update` applies whole or changes nothing, so a write that fails part-way
// puts back the values already written. Pure, unit-tested.
#include <optional>
#include <string>

#include "cgroup/settings.hpp"

namespace sandbox::cgroup {

// BEFORE is the file's content before S was written. nullopt when the content cannot be
// turned back into a write (an unknown file of several lines).
std::optional<std::string> value_to_restore(const Setting& s, const std::string& before);

}  // namespace sandbox::cgroup
