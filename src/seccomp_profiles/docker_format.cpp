#include "seccomp_profiles/docker_format.hpp"

#include <sys/utsname.h>

#include <algorithm>

#include "sys/error.hpp"

namespace sandbox::seccomp_profile {
namespace {

using json = nlohmann::json;

// Go's architecture names (what moby's includes/excludes `arches` use) and libseccomp's.
struct ArchName {
  const char* go;
  const char* scmp;
};
constexpr ArchName kArches[] = {
    {"amd64", "SCMP_ARCH_X86_64"},
    {"386", "SCMP_ARCH_X86"},
    {"x32", "SCMP_ARCH_X32"},
    {"arm64", "SCMP_ARCH_AARCH64"},
    {"arm", "SCMP_ARCH_ARM"},
    {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"ppc64", "SCMP_ARCH_PPC64"},
    {"s390x", "SCMP_ARCH_S390X"},
    {"s390", "SCMP_ARCH_S390"},
    {"riscv64", "SCMP_ARCH_RISCV64"},
    {"mips64", "SCMP_ARCH_MIPS64"},
    {"mips64le", "SCMP_ARCH_MIPSEL64"},
    {"mips", "SCMP_ARCH_MIPS"},
    {"mipsle", "SCMP_ARCH_MIPSEL"},
    {"loong64", "SCMP_ARCH_LOONGARCH64"},
};

const ArchName* find_arch(const std::string& name) {
  for (const auto& a : kArches)
    if (name == a.go || name == a.scmp) return &a;
  return nullptr;
}

// The same architecture, whichever of the two spellings either side uses.
bool same_arch(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const ArchName* x = find_arch(a);
  return x && x == find_arch(b);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> strings(const json& doc, const char* key, const std::string& field) {
  std::vector<std::string> out;
  if (!doc.contains(key)) return out;
  const json& v = doc.at(key);
  if (v.is_null()) return out;
  if (!v.is_array()) fail("{}.{}: must be an array of strings", field, key);
  for (const auto& s : v) {
    if (!s.is_string()) fail("{}.{}: must be an array of strings", field, key);
    out.push_back(s.get<std::string>());
  }
  return out;
}

// One `includes` or `excludes` object of a rule.
struct Filter {
  std::vector<std::string> caps, arches;
  std::optional<KernelVersion> min_kernel;
};

Filter read_filter(const json& rule, const char* key, const std::string& field) {
  Filter f;
  if (!rule.contains(key) || rule.at(key).is_null()) return f;
  const json& o = rule.at(key);
  std::string here = field + "." + key;
  if (!o.is_object()) fail("{}: must be an object", here);
  f.caps = strings(o, "caps", here);
  f.arches = strings(o, "arches", here);
  if (o.contains("minKernel") && !o.at("minKernel").is_null()) {
    if (!o.at("minKernel").is_string()) fail("{}.minKernel: must be a string", here);
    f.min_kernel = parse_kernel_version(o.at("minKernel").get<std::string>(), here + ".minKernel");
  }
  return f;
}

bool arch_listed(const std::vector<std::string>& arches, const std::string& arch) {
  return std::any_of(arches.begin(), arches.end(),
                     [&](const std::string& a) { return same_arch(a, arch); });
}

// moby's rule: any excluded arch or cap present, or a kernel at least the excluded minimum,
// drops the rule; every included cap must be present, the arch listed, the kernel new enough.
bool applies(const Filter& inc, const Filter& exc, const DockerTarget& t) {
  if (!exc.arches.empty() && arch_listed(exc.arches, t.arch)) return false;
  if (!inc.arches.empty() && !arch_listed(inc.arches, t.arch)) return false;
  for (const auto& c : exc.caps)
    if (contains(t.caps, c)) return false;
  if (exc.min_kernel && t.kernel && *t.kernel >= *exc.min_kernel) return false;
  for (const auto& c : inc.caps)
    if (!contains(t.caps, c)) return false;
  if (inc.min_kernel && t.kernel && *t.kernel < *inc.min_kernel) return false;
  return true;
}

json architectures_for(const json& docker, const DockerTarget& t) {
  json out = json::array();
  bool has_map = docker.contains("archMap") && !docker.at("archMap").is_null();
  bool has_list = docker.contains("architectures") && !docker.at("architectures").is_null();
  if (has_map && has_list) fail("seccomp profile: both architectures and archMap are given");
  if (has_list) {
    for (const auto& a : strings(docker, "architectures", "seccomp profile")) out.push_back(a);
    return out;
  }
  if (!has_map) return out;
  const json& map = docker.at("archMap");
  if (!map.is_array()) fail("seccomp profile.archMap: must be an array");
  for (size_t i = 0; i < map.size(); i++) {
    std::string field = "seccomp profile.archMap[" + std::to_string(i) + "]";
    const json& e = map[i];
    if (!e.is_object() || !e.contains("architecture") || !e.at("architecture").is_string())
      fail("{}.architecture: must be a string", field);
    std::string arch = e.at("architecture").get<std::string>();
    if (!same_arch(arch, t.arch)) continue;
    out.push_back(arch);
    for (const auto& sub : strings(e, "subArchitectures", field)) out.push_back(sub);
  }
  return out;
}

json convert_rule(const json& rule, const std::string& field) {
  json r = json::object();
  std::vector<std::string> names = strings(rule, "names", field);
  if (rule.contains("name") && !rule.at("name").is_null()) {
    if (!names.empty()) fail("{}: both name and names are given", field);
    if (!rule.at("name").is_string()) fail("{}.name: must be a string", field);
    names.push_back(rule.at("name").get<std::string>());
  }
  if (names.empty()) fail("{}.names: must not be empty", field);
  if (!rule.contains("action") || !rule.at("action").is_string())
    fail("{}.action: must be a string", field);
  r["names"] = names;
  r["action"] = rule.at("action");
  if (rule.contains("errnoRet") && !rule.at("errnoRet").is_null())
    r["errnoRet"] = rule.at("errnoRet");
  if (rule.contains("args") && !rule.at("args").is_null() && !rule.at("args").empty())
    r["args"] = rule.at("args");
  return r;
}

}  // namespace

std::string native_arch() {
  utsname u{};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  if (m.rfind("arm", 0) == 0) return "arm";
  if (m == "riscv64" || m == "s390x" || m == "ppc64le" || m == "ppc64" || m == "mips64") return m;
  if (m == "loongarch64") return "loong64";
  return m;
}

KernelVersion parse_kernel_version(const std::string& text, const std::string& field) {
  KernelVersion v;
  char dot = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%n", &v.major, &dot, &v.minor, &used) != 3 || dot != '.' ||
      v.major < 0 || v.minor < 0)
    fail("{}: \"{}\" is not a kernel version (MAJOR.MINOR)", field, text);
  return v;
}

std::optional<KernelVersion> running_kernel() {
  utsname u{};
  if (::uname(&u) != 0) return std::nullopt;
  KernelVersion v;
  if (std::sscanf(u.release, "%d.%d", &v.major, &v.minor) != 2) return std::nullopt;
  return v;
}

bool is_docker_format(const json& doc) {
  if (!doc.is_object()) return false;
  if (doc.contains("archMap")) return true;
  if (!doc.contains("syscalls") || !doc.at("syscalls").is_array()) return false;
  for (const auto& r : doc.at("syscalls"))
    if (r.is_object() && (r.contains("includes") || r.contains("excludes") || r.contains("name")))
      return true;
  return false;
}

json from_docker(const json& docker, const DockerTarget& target) {
  if (!docker.is_object()) fail("seccomp profile: must be a JSON object");
  if (!docker.contains("defaultAction") || !docker.at("defaultAction").is_string())
    fail("seccomp profile.defaultAction: must be a string");
  json out = json::object();
  out["defaultAction"] = docker.at("defaultAction");
  if (docker.contains("defaultErrnoRet") && !docker.at("defaultErrnoRet").is_null())
    out["defaultErrnoRet"] = docker.at("defaultErrnoRet");
  json arches = architectures_for(docker, target);
  if (!arches.empty()) out["architectures"] = arches;
  // Passed through as the runtime spec has them (the runtime decides what it supports).
  for (const char* key : {"flags", "listenerPath", "listenerMetadata"})
    if (docker.contains(key) && !docker.at(key).is_null()) out[key] = docker.at(key);
  json rules = json::array();
  if (docker.contains("syscalls") && !docker.at("syscalls").is_null()) {
    const json& list = docker.at("syscalls");
    if (!list.is_array()) fail("seccomp profile.syscalls: must be an array");
    for (size_t i = 0; i < list.size(); i++) {
      std::string field = "seccomp profile.syscalls[" + std::to_string(i) + "]";
      if (!list[i].is_object()) fail("{}: must be an object", field);
      json r = convert_rule(list[i], field);
      if (applies(read_filter(list[i], "includes", field), read_filter(list[i], "excludes", field),
                  target))
        rules.push_back(std::move(r));
    }
  }
  out["syscalls"] = rules;
  return out;
}

json to_docker(const json& oci) {
  if (!oci.is_object() || !oci.contains("defaultAction"))
    fail("seccomp profile: not a linux.seccomp document (no defaultAction)");
  json out = json::object();
  out["defaultAction"] = oci.at("defaultAction");
  if (oci.contains("defaultErrnoRet")) out["defaultErrnoRet"] = oci.at("defaultErrnoRet");
  if (oci.contains("architectures") && !oci.at("architectures").empty()) {
    const json& a = oci.at("architectures");
    json sub = json::array();
    for (size_t i = 1; i < a.size(); i++) sub.push_back(a[i]);
    out["archMap"] = json::array({{{"architecture", a[0]}, {"subArchitectures", sub}}});
  }
  for (const char* key : {"flags", "listenerPath", "listenerMetadata"})
    if (oci.contains(key)) out[key] = oci.at(key);
  out["syscalls"] = oci.contains("syscalls") ? oci.at("syscalls") : json::array();
  return out;
}

}  // namespace sandbox::seccomp_profile
