#include "oci/parse.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>

#include "linux/rlimits.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::oci {
namespace {

using json = nlohmann::json;

// ---- Paths and errors --------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& path, std::string_view what) {
  fail("config.json: {}: {}", path, what);
}

// A string as JSON writes it, quotes and escapes included, so that a name with odd bytes in it
// can neither break the one-line error nor be mistaken for something else.
std::string json_quoted(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool is_identifier(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "process.args" for plain keys; a key with dots or other odd characters goes in brackets,
// `hooks["my.hook"]`, so the path stays unambiguous and on one line.
std::string field_path(const std::string& parent, std::string_view key) {
  if (!is_identifier(key)) return parent + "[" + json_quoted(key) + "]";
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// Entries of string maps (annotations, sysctl) are always bracketed: their keys are data.
std::string entry_path(const std::string& parent, std::string_view key) {
  return parent + "[" + json_quoted(key) + "]";
}

std::string item_path(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

// ---- Typed access ------------------------------------------------------------------------------

// A JSON value together with the path that leads to it, so every error can say where it is.
struct Node {
  const json* v;
  std::string path;
};

void need_object(const Node& n) {
  if (!n.v->is_object()) bad(n.path, "must be an object");
}

// The member KEY of object N, or nullopt when it is absent or null: Go tools write unset slices
// and maps as null, and null asks for nothing.
std::optional<Node> member(const Node& n, std::string_view key) {
  need_object(n);
  auto it = n.v->find(std::string(key));
  if (it == n.v->end() || it->is_null()) return std::nullopt;
  return Node{&*it, field_path(n.path, key)};
}

Node required(const Node& n, std::string_view key) {
  if (auto m = member(n, key)) return *m;
  bad(field_path(n.path, key), "is required");
}

// Calls F(item) for each item of the array N.
template <typename F>
void for_each_item(const Node& n, F&& f) {
  if (!n.v->is_array()) bad(n.path, "must be an array");
  for (size_t i = 0; i < n.v->size(); ++i) f(Node{&(*n.v)[i], item_path(n.path, i)});
}

std::string str(const Node& n) {
  if (!n.v->is_string()) bad(n.path, "must be a string");
  return n.v->get<std::string>();
}

bool boolean(const Node& n) {
  if (!n.v->is_boolean()) bad(n.path, "must be true or false");
  return n.v->get<bool>();
}

// Any JSON integer from 0 to MAX. JSON written by hand and json built in code may hold a
// non-negative number as signed, so both representations count; fractions never do.
uint64_t unsigned_up_to(const Node& n, uint64_t max, std::string_view error) {
  const json& j = *n.v;
  if (j.is_number_unsigned() && j.get<uint64_t>() <= max) return j.get<uint64_t>();
  if (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() >= 0 &&
      static_cast<uint64_t>(j.get<int64_t>()) <= max) {
    return static_cast<uint64_t>(j.get<int64_t>());
  }
  bad(n.path, error);
}

uint32_t u32(const Node& n) {
  return static_cast<uint32_t>(unsigned_up_to(n, std::numeric_limits<uint32_t>::max(),
                                              "must be an integer from 0 to 4294967295"));
}

uint64_t u64(const Node& n) {
  return unsigned_up_to(n, std::numeric_limits<uint64_t>::max(),
                        "must be an integer from 0 to 18446744073709551615");
}

int64_t i64(const Node& n) {
  const json& j = *n.v;
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return static_cast<int64_t>(j.get<uint64_t>());
  } else if (j.is_number_integer()) {
    return j.get<int64_t>();
  }
  bad(n.path, "must be a 64-bit integer");
}

std::vector<std::string> strings(const Node& n) {
  if (!n.v->is_array()) bad(n.path, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& s : *n.v) {
    if (!s.is_string()) bad(n.path, "must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map(const Node& n) {
  if (!n.v->is_object()) bad(n.path, "must be an object with string values");
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : n.v->items()) {
    if (!v.is_string()) bad(entry_path(n.path, k), "must be a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::string absolute_path(const Node& n) {
  std::string s = str(n);
  if (s.empty() || s[0] != '/') bad(n.path, "must be an absolute path");
  return s;
}

std::vector<std::string> absolute_paths(const Node& n) {
  std::vector<std::string> out = strings(n);
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].empty() || out[i][0] != '/') bad(item_path(n.path, i), "must be an absolute path");
  return out;
}

// ---- Refusals ----------------------------------------------------------------------------------

// Null, "", [] and {} ask for nothing, so they need no support.
bool asks_for_something(const json& j) {
  if (j.is_null()) return false;
  if (j.is_string()) return !j.get_ref<const std::string&>().empty();
  if (j.is_array() || j.is_object()) return !j.empty();
  return true;
}

// Fields sandbox knows but does not implement: a config that asks for one is refused, because
// running the container without what it asked for would be a silent lie.
void refuse(const Node& parent, std::string_view key) {
  if (auto m = member(parent, key); m && asks_for_something(*m->v))
    bad(m->path, "not supported yet");
}

// ---- process -----------------------------------------------------------------------------------

User parse_user(const Node& n) {
  User u;
  u.uid = u32(required(n, "uid"));
  u.gid = u32(required(n, "gid"));
  if (auto m = member(n, "umask")) {
    // umask(2) only keeps the permission bits; a larger value is a mistake, not a request.
    u.umask = u32(*m);
    if (*u.umask > 0777) bad(m->path, "must be a permission mask from 0 to 511 (0777)");
  }
  if (auto m = member(n, "additionalGids"))
    for_each_item(*m, [&](const Node& g) { u.additional_gids.push_back(u32(g)); });
  return u;
}

std::vector<std::string> parse_args(const Node& n) {
  std::vector<std::string> args = strings(n);
  if (args.empty()) bad(n.path, "must not be empty (it names the program to run)");
  if (args[0].empty()) bad(item_path(n.path, 0), "must not be empty (it names the program to run)");
  return args;
}

std::vector<std::string> parse_env(const Node& n) {
  std::vector<std::string> env = strings(n);
  for (size_t i = 0; i < env.size(); ++i)
    if (env[i].find('=') == std::string::npos) bad(item_path(n.path, i), "must be NAME=VALUE");
  return env;
}

// libcap's cap_from_name also takes "cap_chown", "chown" and numbers; config.json has one
// spelling, "CAP_CHOWN", and tools that compare capability lists rely on it.
bool is_canonical_cap_name(std::string_view name) {
  if (name.size() <= 4 || name.substr(0, 4) != "CAP_") return false;
  return std::all_of(name.begin() + 4, name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<int> parse_cap_set(const Node& n) {
  std::vector<std::string> names = strings(n);
  std::vector<int> caps;
  for (size_t i = 0; i < names.size(); ++i) {
    cap_value_t cap = 0;
    if (!is_canonical_cap_name(names[i]) || cap_from_name(names[i].c_str(), &cap) != 0)
      bad(item_path(n.path, i), "unknown capability " + json_quoted(names[i]));
    caps.push_back(static_cast<int>(cap));
  }
  return caps;
}

Capabilities parse_capabilities(const Node& n) {
  Capabilities c;
  std::pair<const char*, std::vector<int>*> sets[] = {{"bounding", &c.bounding},
                                                      {"effective", &c.effective},
                                                      {"inheritable", &c.inheritable},
                                                      {"permitted", &c.permitted},
                                                      {"ambient", &c.ambient}};
  for (auto [key, set] : sets)
    if (auto m = member(n, key)) *set = parse_cap_set(*m);
  return c;
}

Rlimit parse_rlimit(const Node& n) {
  Rlimit r;
  Node type = required(n, "type");
  r.type = str(type);
  r.resource = linux_::rlimit_from_name(r.type);
  if (r.resource < 0) bad(type.path, "unknown rlimit " + json_quoted(r.type));
  r.soft = u64(required(n, "soft"));
  r.hard = u64(required(n, "hard"));
  if (r.soft > r.hard)
    bad(n.path, fmt::format("soft limit {} is above the hard limit {}", r.soft, r.hard));
  return r;
}

std::vector<Rlimit> parse_rlimits(const Node& n) {
  std::vector<Rlimit> out;
  for_each_item(n, [&](const Node& item) {
    Rlimit r = parse_rlimit(item);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].resource == r.resource) {
        bad(field_path(item.path, "type"), fmt::format("duplicate rlimit {} (also in {})",
                                                       json_quoted(r.type), item_path(n.path, i)));
      }
    }
    out.push_back(std::move(r));
  });
  return out;
}

int parse_oom_score_adj(const Node& n) {
  const json& j = *n.v;
  if (!j.is_number_integer() || (j.is_number_unsigned() && j.get<uint64_t>() > 1000) ||
      j.get<int64_t>() < -1000 || j.get<int64_t>() > 1000) {
    bad(n.path, "must be an integer from -1000 to 1000");
  }
  return static_cast<int>(j.get<int64_t>());
}

Process parse_process(const Node& n) {
  Process p;
  if (auto m = member(n, "terminal")) p.terminal = boolean(*m);
  // consoleSize only sizes a terminal; without a terminal it changes nothing.
  if (auto m = member(n, "consoleSize")) {
    ConsoleSize size;
    size.height = u32(required(*m, "height"));
    size.width = u32(required(*m, "width"));
    if (size.height > 0xffff || size.width > 0xffff)
      bad(m->path, "height and width must be at most 65535");
    p.console_size = size;
  }
  if (auto m = member(n, "user")) p.user = parse_user(*m);
  p.args = parse_args(required(n, "args"));
  if (auto m = member(n, "env")) p.env = parse_env(*m);
  if (auto m = member(n, "cwd")) p.cwd = absolute_path(*m);
  if (auto m = member(n, "capabilities")) p.capabilities = parse_capabilities(*m);
  if (auto m = member(n, "rlimits")) p.rlimits = parse_rlimits(*m);
  if (auto m = member(n, "noNewPrivileges")) p.no_new_privileges = boolean(*m);
  if (auto m = member(n, "oomScoreAdj")) p.oom_score_adj = parse_oom_score_adj(*m);
  if (auto m = member(n, "apparmorProfile")) p.apparmor_profile = str(*m);
  if (auto m = member(n, "selinuxLabel")) p.selinux_label = str(*m);
  for (const char* key : {"ioPriority", "scheduler", "execCPUAffinity"}) {
    refuse(n, key);
  }
  return p;
}

// ---- root, mounts ------------------------------------------------------------------------------

Root parse_root(const Node& n) {
  Root r;
  Node path = required(n, "path");
  r.path = str(path);
  if (r.path.empty()) bad(path.path, "must not be empty");
  if (auto m = member(n, "readonly")) r.readonly = boolean(*m);
  return r;
}

Mount parse_mount(const Node& n) {
  Mount m;
  m.destination = absolute_path(required(n, "destination"));
  if (auto x = member(n, "type")) m.type = str(*x);
  if (auto x = member(n, "source")) m.source = str(*x);
  if (auto x = member(n, "options")) m.options = strings(*x);
  refuse(n, "uidMappings");  // idmapped mounts
  refuse(n, "gidMappings");
  return m;
}

// ---- linux -------------------------------------------------------------------------------------

std::optional<NamespaceType> namespace_from_name(std::string_view name) {
  for (auto t : supported_namespaces())
    if (name == namespace_name(t)) return t;
  return std::nullopt;
}

std::string supported_namespace_names() {
  std::string out;
  for (auto t : supported_namespaces())
    out.append(out.empty() ? "" : ", ").append(namespace_name(t));
  return out;
}

Namespace parse_namespace(const Node& n) {
  Node type = required(n, "type");
  std::string name = str(type);
  if (name == "time") bad(type.path, "\"time\" namespaces are not supported yet");
  auto t = namespace_from_name(name);
  if (!t) {
    bad(type.path, fmt::format("unknown namespace type {} (one of {})", json_quoted(name),
                               supported_namespace_names()));
  }
  Namespace ns{*t, ""};
  if (auto m = member(n, "path")) {
    ns.path = str(*m);
    if (!ns.path.empty() && ns.path[0] != '/') bad(m->path, "must be an absolute path");
  }
  return ns;
}

std::vector<Namespace> parse_namespaces(const Node& n) {
  std::vector<Namespace> out;
  for_each_item(n, [&](const Node& item) {
    Namespace ns = parse_namespace(item);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].type == ns.type) {
        bad(field_path(item.path, "type"),
            fmt::format("duplicate namespace {} (also in {})", json_quoted(namespace_name(ns.type)),
                        item_path(n.path, i)));
      }
    }
    out.push_back(std::move(ns));
  });
  return out;
}

constexpr uint64_t kIdSpace = uint64_t{1} << 32;

IdMapping parse_mapping(const Node& n) {
  IdMapping m;
  m.container_id = u32(required(n, "containerID"));
  m.host_id = u32(required(n, "hostID"));
  Node size = required(n, "size");
  m.size = u32(size);
  if (m.size == 0) bad(size.path, "must be greater than 0");
  // The kernel refuses a range that wraps past the last id.
  if (uint64_t{m.container_id} + m.size > kIdSpace)
    bad(n.path, "containerID + size goes past the last id (4294967295)");
  if (uint64_t{m.host_id} + m.size > kIdSpace)
    bad(n.path, "hostID + size goes past the last id (4294967295)");
  return m;
}

bool ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a, uint32_t size_b) {
  return uint64_t{a} < uint64_t{b} + size_b && uint64_t{b} < uint64_t{a} + size_a;
}

std::string range_text(uint32_t first, uint32_t size) {
  return fmt::format("{}-{}", first, uint64_t{first} + size - 1);
}

// The kernel refuses a map whose ranges overlap on either side (user_namespaces(7)); saying so
// here names the entries instead of a bare EINVAL from writing uid_map.
void check_overlaps(const std::vector<IdMapping>& maps, const std::string& path) {
  for (size_t i = 0; i < maps.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const IdMapping& a = maps[i];
      const IdMapping& b = maps[j];
      if (ranges_overlap(a.container_id, b.container_id, a.size, b.size)) {
        bad(item_path(path, i), fmt::format("container ids {} overlap {} (container ids {})",
                                            range_text(a.container_id, a.size), item_path(path, j),
                                            range_text(b.container_id, b.size)));
      }
      if (ranges_overlap(a.host_id, b.host_id, a.size, b.size)) {
        bad(item_path(path, i),
            fmt::format("host ids {} overlap {} (host ids {})", range_text(a.host_id, a.size),
                        item_path(path, j), range_text(b.host_id, b.size)));
      }
    }
  }
}

std::vector<IdMapping> parse_mappings(const Node& n) {
  std::vector<IdMapping> out;
  for_each_item(n, [&](const Node& item) { out.push_back(parse_mapping(item)); });
  check_overlaps(out, n.path);
  return out;
}

// "/dev/..." without ".." anywhere, so a device node can never land outside the container's /dev.
bool is_under_dev(std::string_view path) {
  if (path.substr(0, 5) != "/dev/" || path.find_first_not_of('/', 5) == std::string_view::npos)
    return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

Device parse_device(const Node& n) {
  Device d;
  Node type = required(n, "type");
  std::string t = str(type);
  if (t.size() != 1 || std::string_view("cbup").find(t[0]) == std::string_view::npos)
    bad(type.path, "must be one of \"c\", \"b\", \"u\", \"p\"");
  d.type = t[0];
  Node path = required(n, "path");
  d.path = str(path);
  if (!is_under_dev(d.path)) bad(path.path, "must be an absolute path under /dev");
  // A fifo has no device number; every other type needs both halves.
  if (d.type != 'p') {
    d.major = i64(required(n, "major"));
    d.minor = i64(required(n, "minor"));
  }
  if (auto m = member(n, "fileMode")) d.file_mode = u32(*m);
  if (auto m = member(n, "uid")) d.uid = u32(*m);
  if (auto m = member(n, "gid")) d.gid = u32(*m);
  return d;
}

// ---- linux.resources ---------------------------------------------------------------------------

// Go engines write "unset" as -1 or as the uint64 wrap of it; both ask for nothing.
bool go_unset(const json& j) {
  return (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() == -1) ||
         (j.is_number_unsigned() && j.get<uint64_t>() == std::numeric_limits<uint64_t>::max());
}

std::optional<uint16_t> blkio_weight(const Node& n) {
  uint64_t w = unsigned_up_to(n, 1000, "must be from 10 to 1000");
  if (w == 0) return std::nullopt;  // 0: unset, as runc reads it
  if (w < 10) bad(n.path, "must be from 10 to 1000");
  return static_cast<uint16_t>(w);
}

MemoryResources parse_memory(const Node& n) {
  MemoryResources m;
  if (auto v = member(n, "limit")) m.limit = i64(*v);
  if (auto v = member(n, "reservation")) m.reservation = i64(*v);
  if (auto v = member(n, "swap")) m.swap = i64(*v);
  if (auto v = member(n, "kernel")) m.kernel = i64(*v);
  if (auto v = member(n, "kernelTCP")) m.kernel_tcp = i64(*v);
  if (auto v = member(n, "swappiness"); v && !go_unset(*v->v)) {
    m.swappiness = u64(*v);
    if (*m.swappiness > 100) bad(v->path, "must be from 0 to 100");
  }
  if (auto v = member(n, "disableOOMKiller")) m.disable_oom_killer = boolean(*v);
  if (auto v = member(n, "useHierarchy")) m.use_hierarchy = boolean(*v);
  if (auto v = member(n, "checkBeforeUpdate")) m.check_before_update = boolean(*v);
  for (auto* limit : {&m.limit, &m.reservation, &m.swap, &m.kernel, &m.kernel_tcp})
    if (*limit && **limit < -1) bad(n.path, "limits must be -1 (unlimited) or a number of bytes");
  return m;
}

CpuResources parse_cpu(const Node& n) {
  CpuResources c;
  if (auto v = member(n, "shares")) c.shares = u64(*v);
  if (auto v = member(n, "quota")) c.quota = i64(*v);
  if (auto v = member(n, "burst")) c.burst = u64(*v);
  if (auto v = member(n, "period")) c.period = u64(*v);
  if (auto v = member(n, "realtimeRuntime")) c.realtime_runtime = i64(*v);
  if (auto v = member(n, "realtimePeriod")) c.realtime_period = u64(*v);
  if (auto v = member(n, "cpus")) c.cpus = str(*v);
  if (auto v = member(n, "mems")) c.mems = str(*v);
  if (auto v = member(n, "idle")) {
    c.idle = i64(*v);
    if (*c.idle != 0 && *c.idle != 1) bad(v->path, "must be 0 or 1");
  }
  return c;
}

WeightDevice parse_weight_device(const Node& n) {
  WeightDevice d;
  d.major = i64(required(n, "major"));
  d.minor = i64(required(n, "minor"));
  if (auto v = member(n, "weight")) d.weight = blkio_weight(*v);
  if (auto v = member(n, "leafWeight")) d.leaf_weight = blkio_weight(*v);
  return d;
}

std::vector<ThrottleDevice> parse_throttles(const Node& n) {
  std::vector<ThrottleDevice> out;
  for_each_item(n, [&](const Node& d) {
    out.push_back({i64(required(d, "major")), i64(required(d, "minor")), u64(required(d, "rate"))});
  });
  return out;
}

BlockIoResources parse_block_io(const Node& n) {
  BlockIoResources b;
  if (auto v = member(n, "weight")) b.weight = blkio_weight(*v);
  if (auto v = member(n, "leafWeight")) b.leaf_weight = blkio_weight(*v);
  if (auto v = member(n, "weightDevice"))
    for_each_item(*v, [&](const Node& d) { b.weight_device.push_back(parse_weight_device(d)); });
  if (auto v = member(n, "throttleReadBpsDevice")) b.throttle_read_bps = parse_throttles(*v);
  if (auto v = member(n, "throttleWriteBpsDevice")) b.throttle_write_bps = parse_throttles(*v);
  if (auto v = member(n, "throttleReadIOPSDevice")) b.throttle_read_iops = parse_throttles(*v);
  if (auto v = member(n, "throttleWriteIOPSDevice")) b.throttle_write_iops = parse_throttles(*v);
  return b;
}

HugepageLimit parse_hugepage(const Node& n) {
  HugepageLimit h;
  Node size = required(n, "pageSize");
  h.page_size = str(size);
  // "2MB", "1GB", "64KB": the spelling of the v1 file names (hugetlb.2MB.limit_in_bytes).
  size_t digits = 0;
  while (digits < h.page_size.size() &&
         std::isdigit(static_cast<unsigned char>(h.page_size[digits])))
    ++digits;
  std::string unit = h.page_size.substr(digits);
  if (digits == 0 || (unit != "KB" && unit != "MB" && unit != "GB"))
    bad(size.path, "must be a size such as 2MB or 1GB");
  h.limit = u64(required(n, "limit"));
  return h;
}

DeviceRule parse_device_rule(const Node& n) {
  DeviceRule r;
  r.allow = boolean(required(n, "allow"));
  if (auto v = member(n, "type")) {
    std::string t = str(*v);
    if (t != "a" && t != "b" && t != "c") bad(v->path, "must be \"a\", \"b\" or \"c\"");
    r.type = t[0];
  }
  if (auto v = member(n, "major")) r.major = i64(*v);
  if (auto v = member(n, "minor")) r.minor = i64(*v);
  if (auto v = member(n, "access")) {
    // Read as runc reads it: the r, w and m it names, in any order and repeated, anything else
    // ignored ("rwa" is "rw"); kept as "rwm"'s subset in that order. Naming none of the three
    // is an error here (runc fails later, with the devices cgroup not matching its target).
    std::string given = str(*v);
    r.access.clear();
    for (char c : std::string("rwm"))
      if (given.find(c) != std::string::npos) r.access += c;
    if (r.access.empty()) bad(v->path, "must name at least one of r, w and m");
  }
  return r;
}

std::map<std::string, std::string> parse_unified(const Node& n) {
  auto out = string_map(n);
  for (const auto& [key, value] : out) {
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
      bad(entry_path(n.path, key), "must be the name of a file in the container's cgroup");
    if (key == "cgroup.procs" || key == "cgroup.threads" || key == "cgroup.subtree_control")
      bad(entry_path(n.path, key), "is managed by the runtime and cannot be set");
  }
  return out;
}

Resources parse_resources(const Node& n) {
  need_object(n);
  Resources r;
  if (auto m = member(n, "memory")) r.memory = parse_memory(*m);
  if (auto m = member(n, "cpu")) r.cpu = parse_cpu(*m);
  if (auto m = member(n, "pids")) r.pids = PidsResources{i64(required(*m, "limit"))};
  if (auto m = member(n, "blockIO")) r.block_io = parse_block_io(*m);
  if (auto m = member(n, "hugepageLimits"))
    for_each_item(*m, [&](const Node& h) { r.hugepage_limits.push_back(parse_hugepage(h)); });
  if (auto m = member(n, "devices"))
    for_each_item(*m, [&](const Node& d) { r.devices.push_back(parse_device_rule(d)); });
  if (auto m = member(n, "unified")) r.unified = parse_unified(*m);
  refuse(n, "network");
  refuse(n, "rdma");
  drop_unset_zeros(r);
  return r;
}

SeccompArg parse_seccomp_arg(const Node& n) {
  SeccompArg a;
  Node index = required(n, "index");
  a.index = u32(index);
  if (a.index > 5) bad(index.path, "must be from 0 to 5 (a syscall has six arguments)");
  a.value = u64(required(n, "value"));
  if (auto m = member(n, "valueTwo")) a.value_two = u64(*m);
  a.op = str(required(n, "op"));
  return a;
}

SeccompSyscall parse_seccomp_syscall(const Node& n) {
  SeccompSyscall s;
  Node names = required(n, "names");
  s.names = strings(names);
  if (s.names.empty()) bad(names.path, "must not be empty");
  s.action = str(required(n, "action"));
  if (auto m = member(n, "errnoRet")) s.errno_ret = u32(*m);
  if (auto m = member(n, "args"))
    for_each_item(*m, [&](const Node& a) { s.args.push_back(parse_seccomp_arg(a)); });
  return s;
}

// Action, operator and architecture names are checked by the seccomp module, which knows what
// this libseccomp supports.
Seccomp parse_seccomp(const Node& n) {
  Seccomp s;
  s.default_action = str(required(n, "defaultAction"));
  if (auto m = member(n, "defaultErrnoRet")) s.default_errno_ret = u32(*m);
  if (auto m = member(n, "architectures")) s.architectures = strings(*m);
  if (auto m = member(n, "flags")) s.flags = strings(*m);
  if (auto m = member(n, "listenerPath")) s.listener_path = str(*m);
  if (auto m = member(n, "listenerMetadata")) s.listener_metadata = str(*m);
  if (auto m = member(n, "syscalls"))
    for_each_item(*m, [&](const Node& x) { s.syscalls.push_back(parse_seccomp_syscall(x)); });
  return s;
}

std::string parse_propagation(const Node& n) {
  std::string s = str(n);
  for (const char* ok : {"", "private", "rprivate", "slave", "rslave", "shared", "rshared",
                         "unbindable", "runbindable"}) {
    if (s == ok) return s;
  }
  bad(n.path,
      "must be one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable");
}

Linux parse_linux(const Node& n) {
  Linux l;
  if (auto m = member(n, "namespaces")) l.namespaces = parse_namespaces(*m);
  if (auto m = member(n, "uidMappings")) l.uid_mappings = parse_mappings(*m);
  if (auto m = member(n, "gidMappings")) l.gid_mappings = parse_mappings(*m);
  if (auto m = member(n, "devices"))
    for_each_item(*m, [&](const Node& d) { l.devices.push_back(parse_device(d)); });
  if (auto m = member(n, "cgroupsPath")) {
    l.cgroups_path = str(*m);
    // Neither a cgroupfs path nor systemd's slice:prefix:name may climb out of where it is put.
    if (("/" + l.cgroups_path + "/").find("/../") != std::string::npos)
      bad(m->path, "\"..\" is not allowed in a cgroup path");
  }
  if (auto m = member(n, "resources")) l.resources = parse_resources(*m);
  if (auto m = member(n, "sysctl")) l.sysctl = string_map(*m);
  if (auto m = member(n, "seccomp")) l.seccomp = parse_seccomp(*m);
  if (auto m = member(n, "rootfsPropagation")) l.rootfs_propagation = parse_propagation(*m);
  if (auto m = member(n, "maskedPaths")) l.masked_paths = absolute_paths(*m);
  if (auto m = member(n, "readonlyPaths")) l.readonly_paths = absolute_paths(*m);
  if (auto m = member(n, "mountLabel")) l.mount_label = str(*m);
  for (const char* key : {"timeOffsets", "intelRdt", "personality", "memoryPolicy", "netDevices"}) {
    refuse(n, key);
  }
  return l;
}

// ---- Checks across sections --------------------------------------------------------------------

void need_namespace(const Linux& l, NamespaceType t, const std::string& path) {
  if (l.has_namespace(t)) return;
  const char* name = namespace_name(t);
  bad(path, fmt::format("needs a {} namespace (add {{\"type\": \"{}\"}} to linux.namespaces)", name,
                        name));
}

void check_sysctls(const Linux& l) {
  for (const auto& [key, value] : l.sysctl) {
    std::string path = entry_path("linux.sysctl", key);
    auto t = sysctl_namespace(key);
    if (!t) bad(path, "not namespaced: setting it would change the host, not the container");
    need_namespace(l, *t, path);
  }
}

void check_cross_references(const Spec& s) {
  if (!s.hostname.empty()) need_namespace(s.linux, NamespaceType::Uts, "hostname");
  if (!s.domainname.empty()) need_namespace(s.linux, NamespaceType::Uts, "domainname");
  if (!s.linux.uid_mappings.empty())
    need_namespace(s.linux, NamespaceType::User, "linux.uidMappings");
  if (!s.linux.gid_mappings.empty())
    need_namespace(s.linux, NamespaceType::User, "linux.gidMappings");
  check_sysctls(s.linux);
}

// ---- hooks -------------------------------------------------------------------------------------

Hook parse_hook(const Node& n) {
  Hook h;
  h.path = absolute_path(required(n, "path"));
  if (auto m = member(n, "args")) h.args = strings(*m);
  if (auto m = member(n, "env")) h.env = strings(*m);
  if (auto m = member(n, "timeout")) {
    int64_t t = i64(*m);
    if (t <= 0 || t > std::numeric_limits<int>::max()) bad(m->path, "must be greater than 0");
    h.timeout = static_cast<int>(t);
  }
  return h;
}

Hooks parse_hooks(const Node& n) {
  Hooks hooks;
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  for (const auto& kind : hook_lists(hooks)) {
    std::vector<Hook>* list = kind.second;
    if (auto m = member(n, kind.first))
      for_each_item(*m, [&](const Node& x) { list->push_back(parse_hook(x)); });
  }
  return hooks;
}

Spec parse_document(const Node& config) {
  Spec s;
  s.oci_version = str(required(config, "ociVersion"));
  s.root = parse_root(required(config, "root"));
  if (auto m = member(config, "process")) s.process = parse_process(*m);
  if (auto m = member(config, "hostname")) s.hostname = str(*m);
  if (auto m = member(config, "domainname")) s.domainname = str(*m);
  if (auto m = member(config, "mounts"))
    for_each_item(*m, [&](const Node& x) { s.mounts.push_back(parse_mount(x)); });
  if (auto m = member(config, "hooks")) s.hooks = parse_hooks(*m);
  if (auto m = member(config, "annotations")) s.annotations = string_map(*m);
  if (auto m = member(config, "linux")) s.linux = parse_linux(*m);
  check_cross_references(s);
  return s;
}

// nlohmann's messages start with "[json.exception.parse_error.101] " and may quote input that
// holds newlines; the error must stay one line.
std::string parser_detail(const std::string& what) {
  std::string s = what;
  if (s.rfind("[json.exception.", 0) == 0) {
    size_t end = s.find("] ");
    if (end != std::string::npos) s.erase(0, end + 2);
  }
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}

}  // namespace

// The namespace a sysctl belongs to (sysctl names as the kernel scopes them), or nullopt for
// the ones that are global and would change the host.
std::optional<NamespaceType> sysctl_namespace(std::string_view key) {
  auto starts = [&](std::string_view prefix) { return key.substr(0, prefix.size()) == prefix; };
  if (starts("net.")) return NamespaceType::Network;
  if (starts("kernel.msg") || key == "kernel.sem" || starts("kernel.shm") || starts("fs.mqueue."))
    return NamespaceType::Ipc;
  if (key == "kernel.hostname" || key == "kernel.domainname") return NamespaceType::Uts;
  return std::nullopt;
}

std::vector<std::pair<std::string_view, std::vector<Hook>*>> hook_lists(Hooks& h) {
  return {{"prestart", &h.prestart},
          {"createRuntime", &h.create_runtime},
          {"createContainer", &h.create_container},
          {"startContainer", &h.start_container},
          {"poststart", &h.poststart},
          {"poststop", &h.poststop}};
}

std::vector<std::string> hook_kinds() {
  Hooks h;
  std::vector<std::string> names;
  for (const auto& [key, list] : hook_lists(h)) names.emplace_back(key);
  return names;
}

const std::vector<NamespaceType>& supported_namespaces() {
  static const std::vector<NamespaceType> all = {
      NamespaceType::User, NamespaceType::Mount,   NamespaceType::Pid,   NamespaceType::Uts,
      NamespaceType::Ipc,  NamespaceType::Network, NamespaceType::Cgroup};
  return all;
}

Spec parse_spec(const nlohmann::json& config) {
  if (!config.is_object()) fail("config.json: must be a JSON object");
  try {
    return parse_document(Node{&config, ""});
  } catch (const json::exception& e) {
    // Every access is type-checked first, so this is a bug here; still report it as one line.
#ifdef SANDBOX_FUZZING
    throw;  // the fuzzers must see the bug (tests/fuzz)
#endif
    fail("config.json: {}", parser_detail(e.what()));
  }
}

namespace {

// A document of its own (a process file, a resources file): the field readers name
// config.json in their errors, which here becomes LABEL.
template <typename Parse>
auto parse_file_document(const nlohmann::json& doc, const std::string& label, Parse parse) {
  if (!doc.is_object()) fail("{}: must be a JSON object", label);
  try {
    return parse(Node{&doc, ""});
  } catch (const Error& e) {
    std::string msg = e.what();
    constexpr std::string_view prefix = "config.json: ";
    if (msg.rfind(prefix, 0) == 0) msg = label + ": " + msg.substr(prefix.size());
    throw Error(msg, e.code());
  } catch (const json::exception& e) {
#ifdef SANDBOX_FUZZING
    throw;  // a bug, as in parse_spec
#endif
    fail("{}: {}", label, parser_detail(e.what()));
  }
}

}  // namespace

Process parse_process_file(const nlohmann::json& process, const std::string& label) {
  return parse_file_document(process, label, [](const Node& n) { return parse_process(n); });
}

Resources parse_resources_file(const nlohmann::json& resources, const std::string& label) {
  return parse_file_document(resources, label, [](const Node& n) { return parse_resources(n); });
}

Hooks parse_hooks_file(const nlohmann::json& hooks, const std::string& label) {
  return parse_file_document(hooks, label, [](const Node& n) { return parse_hooks(n); });
}

Spec load_spec(const std::string& bundle_dir) {
  return parse_spec_text(read_config_text(bundle_dir));
}

Spec parse_spec_text(const std::string& text) {
  json config;
  try {
    config = json::parse(text);
  } catch (const json::parse_error& e) {
    fail("config.json: not valid JSON: {}", parser_detail(e.what()));
  }
  return parse_spec(config);
}

std::string read_config_text(const std::string& bundle_dir) {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(bundle_dir, ec);
  if (ec) path = bundle_dir;
  path = (path / "config.json").lexically_normal();
  try {
    return sys::read_file(path.string());
  } catch (const Error& e) {
    throw Error(fmt::format("config.json: {}", e.what()), e.code());
  }
}

}  // namespace sandbox::oci
