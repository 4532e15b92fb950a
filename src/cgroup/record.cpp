#include "cgroup/record.hpp"

namespace sandbox::cgroup {

nlohmann::json to_json(const Record& r) {
  if (r.none()) return nlohmann::json::object();
  nlohmann::json j{{"driver", r.driver}, {"v2", r.v2}, {"v1", r.v1}, {"created", r.created}};
  if (!r.unit.empty()) {
    j["unit"] = r.unit;
    j["userManager"] = r.user_manager;
  }
  return j;
}

Record record_from_json(const nlohmann::json& j) {
  Record r;
  if (!j.is_object()) return r;
  r.driver = j.value("driver", "");
  r.v2 = j.value("v2", "");
  if (auto it = j.find("v1"); it != j.end() && it->is_object())
    r.v1 = it->get<std::map<std::string, std::string>>();
  if (auto it = j.find("created"); it != j.end() && it->is_array())
    r.created = it->get<std::vector<std::string>>();
  r.unit = j.value("unit", "");
  r.user_manager = j.value("userManager", false);
  return r;
}

}  // namespace sandbox::cgroup
