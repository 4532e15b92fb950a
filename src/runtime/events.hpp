#pragma once
// `events`: runc's JSON lines about a container: {"type":"stats","id":...,"data":{...}} every
// interval (or once with --stats) and {"type":"oom","id":...} when the OOM killer strikes,
// until the container stops.
#include <chrono>
#include <string>

#include "runtime/options.hpp"

namespace sandbox::runtime {

// A Go duration as runc's --interval takes it: "5s", "100ms", "1m30s", "2h", "500us".
std::chrono::milliseconds parse_duration(const std::string& text);

int container_events(const GlobalOptions& g, const std::string& id, bool stats_once,
                     std::chrono::milliseconds interval);

}  // namespace sandbox::runtime
