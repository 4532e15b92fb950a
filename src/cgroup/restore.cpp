#include "cgroup/restore.hpp"

#include <sstream>
#include <string_view>

namespace sandbox::cgroup {
namespace {

std::string first_token(const std::string& s) {
  return s.substr(0, s.find(' '));
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// Files that hold one line per device ("MAJ:MIN ...", plus "default" for the weights): a write
// changes the line of the key it names and leaves the others.
// What a device without a line of its own reads as, written back to remove the new line.
std::optional<std::string> keyed_default(const std::string& file) {
  if (starts_with(file, "blkio.throttle.") || file == "blkio.weight_device" ||
      file == "blkio.leaf_weight_device")
    return "0";  // v1: 0 removes the device's rule
  if (file == "io.max") return "rbps=max wbps=max riops=max wiops=max";
  if (file == "io.weight" || file == "io.bfq.weight") return "default";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> value_to_restore(const Setting& s, const std::string& before) {
  std::string content = before;
  while (!content.empty() && content.back() == '\n') content.pop_back();

  if (auto removed = keyed_default(s.file)) {
    std::string key = first_token(s.value);
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);)
      if (first_token(line) == key) return line;
    return key + " " + *removed;
  }
  if (s.file == "memory.oom_control") {
    // "oom_kill_disable 0\nunder_oom 0\n...": only the first is written.
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);)
      if (starts_with(line, "oom_kill_disable ")) return line.substr(17);
    return std::nullopt;
  }
  if (content.find('\n') != std::string::npos) return std::nullopt;
  return content;
}

}  // namespace sandbox::cgroup
