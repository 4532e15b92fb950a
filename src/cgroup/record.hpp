#pragma once
// What a container's cgroups are, as state.json keeps them: every later command (pause,
// update, events, ps, kill --all, delete) works from this record, never from the config again.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sandbox::cgroup {

struct Record {
  std::string driver;                     // "systemd" or "cgroupfs"; "" = no cgroup of its own
  std::string v2;                         // absolute cgroup2 directory, "" when none
  std::map<std::string, std::string> v1;  // v1 controller -> absolute directory
  std::vector<std::string> created;       // directories sandbox made, parents before children
  std::string unit;                       // systemd: the transient scope
  bool user_manager = false;              // systemd: the user manager (else the system one)

  bool none() const { return driver.empty(); }
  // The directory of one v1 controller, "" when the container has none there.
  std::string v1_dir(const std::string& controller) const {
    auto it = v1.find(controller);
    return it == v1.end() ? std::string() : it->second;
  }
};

nlohmann::json to_json(const Record& r);
Record record_from_json(const nlohmann::json& j);  // null or {} -> a "none" record

}  // namespace sandbox::cgroup
