#include "cgroup/record.hpp"

#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  fail("state: cgroup record: {}: {}", key, what);
}

std::string string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (!it->is_string()) bad(key, "not a string");
  return it->get<std::string>();
}

// Directories are absolute: a relative one would be resolved against delete's cwd.
std::string dir_at(const nlohmann::json& j, const char* key) {
  std::string d = string_at(j, key);
  if (!d.empty() && d[0] != '/') bad(key, "not an absolute path");
  return d;
}

Driver driver_from(const nlohmann::json& j) {
  std::string d = string_at(j, "driver");
  if (d == "systemd") return Driver::Systemd;
  if (d == "cgroupfs") return Driver::Cgroupfs;
  if (d.empty()) return Driver::None;
  bad("driver", "unknown driver \"" + d + "\"");
}

}  // namespace

const char* driver_name(Driver d) {
  switch (d) {
    case Driver::Systemd:
      return "systemd";
    case Driver::Cgroupfs:
      return "cgroupfs";
    case Driver::None:
      break;
  }
  return "";
}

nlohmann::json to_json(const Record& r) {
  if (r.none()) return nlohmann::json::object();
  nlohmann::json j{
      {"driver", driver_name(r.driver)}, {"v2", r.v2}, {"v1", r.v1}, {"created", r.created}};
  if (!r.unit.empty()) {
    j["unit"] = r.unit;
    j["userManager"] = r.user_manager;
  }
  return j;
}

Record record_from_json(const nlohmann::json& j) {
  Record r;
  if (j.is_null()) return r;
  if (!j.is_object()) fail("state: cgroup record: not an object");
  r.driver = driver_from(j);
  if (r.none()) return r;
  r.v2 = dir_at(j, "v2");
  if (auto it = j.find("v1"); it != j.end()) {
    if (!it->is_object()) bad("v1", "not an object");
    for (const auto& [controller, dir] : it->items()) {
      if (!dir.is_string() || dir.get_ref<const std::string&>().empty() ||
          dir.get_ref<const std::string&>()[0] != '/')
        bad("v1." + controller, "not an absolute path");
      r.v1[controller] = dir.get<std::string>();
    }
  }
  if (auto it = j.find("created"); it != j.end()) {
    if (!it->is_array()) bad("created", "not an array");
    for (const auto& dir : *it) {
      if (!dir.is_string() || dir.get_ref<const std::string&>().empty() ||
          dir.get_ref<const std::string&>()[0] != '/')
        bad("created", "an entry is not an absolute path");
      r.created.push_back(dir.get<std::string>());
    }
  }
  r.unit = string_at(j, "unit");
  if (r.unit.find('/') != std::string::npos) bad("unit", "not a unit name");
  if (auto it = j.find("userManager"); it != j.end()) {
    if (!it->is_boolean()) bad("userManager", "not a boolean");
    r.user_manager = it->get<bool>();
  }
  return r;
}

}  // namespace sandbox::cgroup
