#pragma once
#include <string>

namespace sandbox::state {

// runc's rule, also crun's: [A-Za-z0-9_+.-]+, and not "." or "..". Anything else (a '/', an
// empty id) would let an id name a path outside the state root. Throws sandbox::Error.
void validate_id(const std::string& id);

}  // namespace sandbox::state
