// The pure half of `sandbox seccomp record|check` (see seccomp_record.hpp).
#include "runtime/seccomp_record.hpp"

#include <algorithm>
#include <set>

#include "seccomp_profiles/docker_format.hpp"
#include "sys/error.hpp"

namespace sandbox::runtime {

void Recording::add(const SeenCall& call, pid_t pid, const std::string& comm) {
  Entry& e = seen_[{call.arch, call.name}];
  if (e.count++ == 0) {
    e.first_pid = pid;
    e.first_comm = comm;
  }
}

uint64_t Recording::total() const {
  uint64_t n = 0;
  for (const auto& [key, e] : seen_) n += e.count;
  return n;
}

const std::vector<std::string>& record_unnotified_syscalls() {
  // sendmsg carries the notify fd to the runtime/agent; until it arrives nobody can answer.
  // close, write and exit_group: the init's last steps on its sync socket and error path.
  static const std::vector<std::string> names = {"sendmsg", "close", "write", "exit_group"};
  return names;
}

const std::vector<std::string>& always_allowed_syscalls() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"clock_gettime", "clock_getres", "gettimeofday", "time",
                                  "getcpu"};
    for (const auto& n : record_unnotified_syscalls()) v.push_back(n);
    // execve starts the workload; the last one made before the filter may not be seen.
    v.push_back("execve");
    return v;
  }();
  return names;
}

nlohmann::ordered_json recorded_profile(const Recording& r) {
  std::set<std::string> names(always_allowed_syscalls().begin(), always_allowed_syscalls().end());
  std::set<std::string> arches;
  for (const auto& [key, e] : r.entries()) {
    arches.insert(key.first);
    names.insert(key.second);
  }
  if (arches.empty()) arches.insert("SCMP_ARCH_X86_64");
  nlohmann::ordered_json p;
  p["defaultAction"] = "SCMP_ACT_ERRNO";
  p["defaultErrnoRet"] = 1;  // EPERM
  // The 64-bit architecture first (x86_64 before x86): the docker form
  // (seccomp_profile::to_docker) takes the first one as the archMap's architecture and the
  // rest as its sub-architectures.
  std::vector<std::string> ordered(arches.begin(), arches.end());
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const std::string& a) { return a.find("64") != std::string::npos; });
  p["architectures"] = ordered;
  nlohmann::ordered_json rule;
  rule["names"] = std::vector<std::string>(names.begin(), names.end());
  rule["action"] = "SCMP_ACT_ALLOW";
  p["syscalls"] = nlohmann::ordered_json::array({rule});
  return p;
}

std::string recording_report(const Recording& r) {
  std::vector<std::pair<std::pair<std::string, std::string>, Recording::Entry>> rows(
      r.entries().begin(), r.entries().end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  std::string out = "SYSCALL ARCH COUNT FIRST_PID FIRST_COMM\n";
  for (const auto& [key, e] : rows)
    out += key.second + " " + key.first + " " + std::to_string(e.count) + " " +
           std::to_string(e.first_pid) + " " + e.first_comm + "\n";
  out += "total " + std::to_string(r.total()) + " calls, " + std::to_string(rows.size()) +
         " distinct syscalls\n";
  return out;
}

nlohmann::ordered_json record_seccomp(const std::string& listener_path) {
  nlohmann::ordered_json s;
  s["defaultAction"] = "SCMP_ACT_NOTIFY";
  s["listenerPath"] = listener_path;
  s["architectures"] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  nlohmann::ordered_json rule;
  rule["names"] = record_unnotified_syscalls();
  rule["action"] = "SCMP_ACT_ALLOW";
  s["syscalls"] = nlohmann::ordered_json::array({rule});
  return s;
}

bool action_allows(const std::string& action) {
  return action == "SCMP_ACT_ALLOW" || action == "SCMP_ACT_LOG";
}

nlohmann::ordered_json check_seccomp(const nlohmann::json& profile,
                                     const std::string& listener_path) {
  if (!profile.is_object() || !profile.contains("defaultAction") ||
      !profile["defaultAction"].is_string())
    throw Error("seccomp profile: not a linux.seccomp object (no defaultAction)");
  nlohmann::ordered_json s = profile;
  auto notify_if_denying = [](nlohmann::ordered_json& obj, const char* action_key,
                              const char* errno_key) {
    if (action_allows(obj[action_key].get<std::string>())) return;
    obj[action_key] = "SCMP_ACT_NOTIFY";
    obj.erase(errno_key);
  };
  notify_if_denying(s, "defaultAction", "defaultErrnoRet");
  const std::string dflt = s["defaultAction"];
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (auto rule : s.value("syscalls", nlohmann::ordered_json::array())) {
    if (!rule.is_object() || !rule.contains("action") || !rule["action"].is_string())
      throw Error("seccomp profile: a syscalls entry has no action");
    notify_if_denying(rule, "action", "errnoRet");
    // libseccomp refuses a rule whose action is the default's; the default does it already.
    if (rule["action"] == dflt) continue;
    // sendmsg carries the listener fd to the runtime: it is allowed below, never notified (so
    // check cannot report a profile's rule on sendmsg; docs/seccomp-record.md says so).
    if (rule.contains("names") && rule["names"].is_array()) {
      auto& names = rule["names"];
      for (size_t i = names.size(); i-- > 0;)
        if (names[i] == "sendmsg") names.erase(i);
      if (names.empty()) continue;
    }
    rules.push_back(rule);
  }
  if (dflt != "SCMP_ACT_ALLOW")
    rules.push_back({{"names", {"sendmsg"}}, {"action", "SCMP_ACT_ALLOW"}});
  s["syscalls"] = rules;
  s["listenerPath"] = listener_path;
  return s;
}

namespace {

bool arg_holds(const nlohmann::json& cond, const std::array<uint64_t, 6>& args) {
  unsigned index = cond.value("index", 0u);
  if (index >= args.size()) return false;
  uint64_t a = args[index];
  uint64_t v = cond.value("value", uint64_t{0});
  uint64_t v2 = cond.value("valueTwo", uint64_t{0});
  std::string op = cond.value("op", "");
  if (op == "SCMP_CMP_NE") return a != v;
  if (op == "SCMP_CMP_LT") return a < v;
  if (op == "SCMP_CMP_LE") return a <= v;
  if (op == "SCMP_CMP_EQ") return a == v;
  if (op == "SCMP_CMP_GE") return a >= v;
  if (op == "SCMP_CMP_GT") return a > v;
  if (op == "SCMP_CMP_MASKED_EQ") return (a & v) == v2;
  return false;
}

}  // namespace

Verdict profile_verdict(const nlohmann::json& profile, const std::string& name,
                        const std::array<uint64_t, 6>& args) {
  for (const auto& rule : profile.value("syscalls", nlohmann::json::array())) {
    const auto names = rule.value("names", std::vector<std::string>{});
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    bool holds = true;
    for (const auto& cond : rule.value("args", nlohmann::json::array()))
      holds = holds && arg_holds(cond, args);
    if (!holds) continue;
    return {rule.value("action", ""), rule.value("errnoRet", 1u)};
  }
  return {profile.value("defaultAction", ""), profile.value("defaultErrnoRet", 1u)};
}

}  // namespace sandbox::runtime
