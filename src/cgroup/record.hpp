#pragma once
// What a container's cgroups are, as state.json keeps them: every later command (pause,
// update, events, ps, kill --all, delete) works from this record, never from the config again.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sandbox::cgroup {

// Which driver made (and so must tear down) the container's cgroups.
//   None      no cgroup of its own (state.json: {})
//   Systemd   a transient scope with Delegate=yes ("systemd")
//   Cgroupfs  directories sandbox made itself ("cgroupfs")
enum class Driver { None, Systemd, Cgroupfs };

// "systemd", "cgroupfs", "" for None: the words state.json has always held.
const char* driver_name(Driver d);

struct Record {
  Driver driver = Driver::None;
  std::string v2;                         // absolute cgroup2 directory, "" when none
  std::map<std::string, std::string> v1;  // v1 controller -> absolute directory
  std::vector<std::string> created;       // directories sandbox made, parents before children
  std::string unit;                       // systemd: the transient scope
  bool user_manager = false;              // systemd: the user manager (else the system one)

  bool none() const { return driver == Driver::None; }
  // The directory of one v1 controller, "" when the container has none there.
  std::string v1_dir(const std::string& controller) const {
    auto it = v1.find(controller);
    return it == v1.end() ? std::string() : it->second;
  }
};

nlohmann::json to_json(const Record& r);
// null or {} -> a "none" record. Anything else that is not a record as to_json writes it (an
// unknown driver, a key of the wrong type, a relative directory) throws sandbox::Error naming
// the key: the record decides what delete kills and removes, so a damaged one is never
// guessed at.
Record record_from_json(const nlohmann::json& j);

}  // namespace sandbox::cgroup
