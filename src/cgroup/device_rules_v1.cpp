#include "cgroup/device_rules_v1.hpp"

#include <sstream>

namespace sandbox::cgroup {
namespace {

unsigned access_bits(const std::string& access) {
  unsigned bits = 0;
  for (char c : access) bits |= c == 'r' ? 1u : c == 'w' ? 2u : c == 'm' ? 4u : 0u;
  return bits;
}

std::string access_text(unsigned bits) {
  std::string s;
  if (bits & 1u) s += 'r';
  if (bits & 2u) s += 'w';
  if (bits & 4u) s += 'm';
  return s;
}

std::string number(int64_t n) { return n < 0 ? "*" : std::to_string(n); }

Setting line(bool allow, const std::tuple<char, int64_t, int64_t>& key, unsigned bits) {
  auto [type, major, minor] = key;
  return {"devices", allow ? "devices.allow" : "devices.deny",
          std::string(1, type) + " " + number(major) + ":" + number(minor) + " " +
              access_text(bits)};
}

int64_t parse_number(const std::string& s) { return s == "*" ? -1 : std::stoll(s); }

}  // namespace

void DeviceAccessState::apply(const oci::DeviceRule& rule) {
  if (rule.type == 'a') {
    // "a" (whatever the numbers and accesses) sets the default and forgets every exception.
    default_allow = rule.allow;
    exceptions.clear();
    return;
  }
  std::tuple<char, int64_t, int64_t> key{rule.type, rule.major.value_or(-1) < 0 ? -1 : *rule.major,
                                         rule.minor.value_or(-1) < 0 ? -1 : *rule.minor};
  unsigned bits = access_bits(rule.access);
  if (rule.allow == default_allow) {
    // Same way as the default: takes the accesses off an exception of exactly this key (the
    // kernel does not cut holes into wider exceptions).
    auto it = exceptions.find(key);
    if (it == exceptions.end()) return;
    it->second &= ~bits;
    if (it->second == 0) exceptions.erase(it);
  } else {
    exceptions[key] |= bits;
  }
}

DeviceAccessState device_state(const std::vector<oci::DeviceRule>& rules) {
  DeviceAccessState s;
  for (const auto& r : rules) s.apply(r);
  return s;
}

DeviceAccessState parse_devices_list(const std::string& list) {
  DeviceAccessState s;
  std::istringstream lines(list);
  for (std::string l; std::getline(lines, l);) {
    std::istringstream f(l);
    std::string type, numbers, access;
    if (!(f >> type >> numbers >> access)) continue;
    if (type == "a") {
      s.default_allow = true;
      s.exceptions.clear();
      break;
    }
    auto colon = numbers.find(':');
    if (colon == std::string::npos) continue;
    s.exceptions[{type[0], parse_number(numbers.substr(0, colon)),
                  parse_number(numbers.substr(colon + 1))}] |= access_bits(access);
  }
  return s;
}

std::vector<Setting> device_transition(const DeviceAccessState& current,
                                       const DeviceAccessState& target) {
  std::vector<Setting> out;
  // An exception always goes against the default: deny exceptions in an allow-all cgroup.
  bool exception_allows = !target.default_allow;
  if (current.default_allow || current.default_allow != target.default_allow) {
    out.push_back({"devices", target.default_allow ? "devices.allow" : "devices.deny", "a *:* rwm"});
    for (const auto& [key, bits] : target.exceptions) out.push_back(line(exception_allows, key, bits));
    return out;
  }
  // Both deny everything but their exceptions: take away what TARGET no longer allows, then
  // add what it allows anew. Taking away first never widens access on the way.
  for (const auto& [key, bits] : current.exceptions) {
    auto it = target.exceptions.find(key);
    unsigned keep = it == target.exceptions.end() ? 0u : it->second;
    if (unsigned drop = bits & ~keep) out.push_back(line(false, key, drop));
  }
  for (const auto& [key, bits] : target.exceptions) {
    auto it = current.exceptions.find(key);
    unsigned had = it == current.exceptions.end() ? 0u : it->second;
    if (unsigned add = bits & ~had) out.push_back(line(true, key, add));
  }
  return out;
}

}  // namespace sandbox::cgroup
