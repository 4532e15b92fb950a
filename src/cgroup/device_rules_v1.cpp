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

std::string number(int64_t n) {
  return n < 0 ? "*" : std::to_string(n);
}

Setting line(bool allow, const DeviceKey& key, unsigned bits) {
  auto [type, major, minor] = key;
  return {
      "devices", allow ? "devices.allow" : "devices.deny",
      std::string(1, type) + " " + number(major) + ":" + number(minor) + " " + access_text(bits)};
}

int64_t parse_number(const std::string& s) {
  return s == "*" ? -1 : std::stoll(s);
}

unsigned access_of(const DeviceAccessState& s, const DeviceKey& key) {
  for (const auto& e : s.exceptions)
    if (e.key == key) return e.access;
  return 0;
}

}  // namespace

DeviceException* DeviceAccessState::find(const DeviceKey& key) {
  for (auto& e : exceptions)
    if (e.key == key) return &e;
  return nullptr;
}

void DeviceAccessState::apply(const oci::DeviceRule& rule) {
  if (rule.type == 'a') {
    // "a" (whatever the numbers and accesses) sets the default and forgets every exception.
    default_allow = rule.allow;
    exceptions.clear();
    return;
  }
  DeviceKey key{rule.type, rule.major.value_or(-1) < 0 ? -1 : *rule.major,
                rule.minor.value_or(-1) < 0 ? -1 : *rule.minor};
  unsigned bits = access_bits(rule.access);
  if (rule.allow == default_allow) {
    // Same way as the default: takes the accesses off an exception of exactly this key (the
    // kernel does not cut holes into wider exceptions).
    DeviceException* e = find(key);
    if (!e) return;
    e->access &= ~bits;
    if (e->access == 0)
      std::erase_if(exceptions, [](const DeviceException& x) { return x.access == 0; });
  } else if (DeviceException* e = find(key)) {
    e->access |= bits;
  } else {
    exceptions.push_back({key, bits});
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
    DeviceKey key{type[0], parse_number(numbers.substr(0, colon)),
                  parse_number(numbers.substr(colon + 1))};
    if (DeviceException* e = s.find(key))
      e->access |= access_bits(access);
    else
      s.exceptions.push_back({key, access_bits(access)});
  }
  return s;
}

std::vector<Setting> device_transition(const DeviceAccessState& current,
                                       const DeviceAccessState& target) {
  std::vector<Setting> out;
  // An exception always goes against the default: deny exceptions in an allow-all cgroup.
  bool exception_allows = !target.default_allow;
  if (current.default_allow || current.default_allow != target.default_allow) {
    out.push_back(
        {"devices", target.default_allow ? "devices.allow" : "devices.deny", "a *:* rwm"});
    for (const auto& e : target.exceptions) out.push_back(line(exception_allows, e.key, e.access));
    return out;
  }
  // Both deny everything but their exceptions: take away what TARGET no longer allows, then
  // add what it allows anew. Taking away first never widens access on the way.
  for (const auto& e : current.exceptions)
    if (unsigned drop = e.access & ~access_of(target, e.key))
      out.push_back(line(false, e.key, drop));
  for (const auto& e : target.exceptions)
    if (unsigned add = e.access & ~access_of(current, e.key)) out.push_back(line(true, e.key, add));
  return out;
}

}  // namespace sandbox::cgroup
