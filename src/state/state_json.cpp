#include "state/state_json.hpp"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "oci/parse.hpp"
#include "sys/error.hpp"

namespace sandbox::state {
namespace {

nlohmann::json hooks_to_json(const std::vector<oci::Hook>& hooks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hooks) {
    nlohmann::json j = {{"path", h.path}, {"args", h.args}, {"env", h.env}};
    if (h.timeout) j["timeout"] = *h.timeout;
    out.push_back(std::move(j));
  }
  return out;
}

// A whole number in [0, MAX] (absent: 0). A float, a negative or a too large value is
// corruption: a pid read loosely could become -1 (every process) or 0 (our own group).
uint64_t whole_number(const nlohmann::json& j, const char* key, uint64_t max,
                      const std::string& id) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || (!it->is_number_unsigned() && it->get<int64_t>() < 0))
    fail("container \"{}\": state.json is corrupt: {} is not a whole number", id, key);
  uint64_t v = it->get<uint64_t>();
  if (v > max) fail("container \"{}\": state.json is corrupt: {} is out of range", id, key);
  return v;
}

}  // namespace

ContainerState parse_state_json(const std::string& text, const std::string& id) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail("container \"{}\": state.json is corrupt", id);
  try {
    ContainerState st;
    st.oci_version = j.value("ociVersion", "");
    st.id = j.value("id", id);
    st.pid = static_cast<pid_t>(whole_number(j, "pid", std::numeric_limits<pid_t>::max(), id));
    st.pid_start_time = whole_number(j, "pidStartTime", UINT64_MAX, id);
    st.bundle = j.value("bundle", "");
    st.rootfs = j.value("rootfs", "");
    st.created = j.value("created", "");
    st.owner = static_cast<uid_t>(whole_number(j, "owner", UINT32_MAX - 1, id));
    if (j.contains("annotations") && j["annotations"].is_object())
      st.annotations = j["annotations"].get<std::map<std::string, std::string>>();
    if (j.contains("cgroup") && j["cgroup"].is_object()) st.cgroup = j["cgroup"];
    if (j.contains("hooks") && j["hooks"].is_object()) {
      oci::Hooks hooks = oci::parse_hooks_file(j["hooks"], "state.json: hooks");
      st.poststart = std::move(hooks.poststart);
      st.poststop = std::move(hooks.poststop);
    }
    return st;
  } catch (const nlohmann::json::exception&) {
    // A key of the wrong type (a hand-edited or damaged file) is corruption, not a crash.
    fail("container \"{}\": state.json is corrupt", id);
  }
}

std::string state_json_text(const ContainerState& st) {
  nlohmann::json j = {{"ociVersion", st.oci_version},
                      {"id", st.id},
                      {"pid", st.pid},
                      {"pidStartTime", st.pid_start_time},
                      {"bundle", st.bundle},
                      {"rootfs", st.rootfs},
                      {"created", st.created},
                      {"owner", st.owner},
                      {"annotations", st.annotations},
                      {"cgroup", st.cgroup}};
  // Hooks in config.json's form, read back by the config's own parser.
  if (!st.poststart.empty()) j["hooks"]["poststart"] = hooks_to_json(st.poststart);
  if (!st.poststop.empty()) j["hooks"]["poststop"] = hooks_to_json(st.poststop);
  return j.dump();
}

std::optional<InitRecord> parse_init_record(const std::string& text) {
  // Strictly two decimal numbers and a newline: strtoull and friends would accept signs,
  // spaces and overflow.
  InitRecord r;
  size_t i = 0;
  auto number = [&](uint64_t& out) {
    size_t begin = i;
    out = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (out > (UINT64_MAX - 9) / 10) return false;
      out = out * 10 + static_cast<uint64_t>(text[i++] - '0');
    }
    return i > begin && i - begin <= 20;
  };
  uint64_t pid = 0;
  if (!number(pid) || i >= text.size() || text[i++] != ' ') return std::nullopt;
  if (!number(r.start_time) || i >= text.size() || text[i++] != '\n' || i != text.size())
    return std::nullopt;
  if (pid == 0 || pid > static_cast<uint64_t>(INT32_MAX)) return std::nullopt;
  r.pid = static_cast<pid_t>(pid);
  return r;
}

std::string init_record_text(const InitRecord& r) {
  return std::to_string(r.pid) + " " + std::to_string(r.start_time) + "\n";
}

}  // namespace sandbox::state
