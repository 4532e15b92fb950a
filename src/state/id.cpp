#include "state/id.hpp"

#include "sys/error.hpp"

namespace sandbox::state {

void validate_id(const std::string& id) {
  auto bad = [&](const char* why) { fail("invalid container id \"{}\": {}", id, why); };
  if (id.empty()) bad("it is empty");
  if (id == "." || id == "..") bad("it must not be \".\" or \"..\"");
  if (id.size() > 1024) bad("it is longer than 1024 characters");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '.' || c == '-';
    if (!ok) bad("only letters, digits and _ + . - are allowed");
  }
}

}  // namespace sandbox::state
