#include "linux/idmap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"
#include "sys/run_program.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::linux_ {
namespace {

// ---- finding the helpers ----

std::vector<std::string> helper_candidates(const std::string& name) {
  std::vector<std::string> out;
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    // A relative PATH entry would depend on our cwd; a setuid helper is never found that way.
    if (!dir.empty() && dir[0] == '/') out.push_back(std::string(dir) + "/" + name);
  }
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin"})
    out.push_back(std::string(dir) + "/" + name);
  return out;
}

// Why the helper at PATH cannot raise itself to write maps, or "" when it can.
std::string helper_problem(const std::string& name, const std::string& path,
                           const struct stat& st) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
    return fmt::format("{}: {} is on a nosuid mount, so it cannot gain the privilege it needs",
                       name, path);
  }
  if ((st.st_mode & S_ISUID) && st.st_uid == 0) return "";
  // Some distributions ship the helpers with file capabilities (cap_setuid) instead of setuid.
  if (::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0) return "";
  return fmt::format("{}: {} is not setuid root (chmod u+s {}, or reinstall uidmap)", name, path,
                     path);
}

// The first usable NAME; else nullopt with *why saying what was wrong with the first one found.
std::optional<std::string> find_helper(const std::string& name, std::string* why) {
  std::string first_problem;
  for (const auto& path : helper_candidates(name)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(path.c_str(), X_OK) != 0) continue;
    std::string problem = helper_problem(name, path, st);
    if (problem.empty()) return path;
    if (first_problem.empty()) first_problem = problem;
  }
  *why = first_problem.empty() ? name + ": not found (install the uidmap package)" : first_problem;
  return std::nullopt;
}

// ---- planning ----

bool own_id_only(const std::vector<oci::IdMapping>& maps, uint32_t id) {
  return maps.empty() || (maps.size() == 1 && maps[0].size == 1 && maps[0].host_id == id);
}

void check_sizes(const std::vector<oci::IdMapping>& maps, const char* key) {
  for (size_t i = 0; i < maps.size(); i++) {
    if (maps[i].size == 0) fail("config.json: linux.{}[{}]: size must be at least 1", key, i);
  }
}

bool inside(const oci::IdMapping& m, const std::optional<oci::IdRange>& grant) {
  if (!grant) return false;
  uint64_t first = m.host_id, end = uint64_t{m.host_id} + m.size;
  return first >= grant->start && end <= uint64_t{grant->start} + grant->count;
}

std::string id_span(uint64_t first, uint64_t size) {
  if (size == 1) return fmt::format("host id {} is", first);
  return fmt::format("host ids {}-{} are", first, first + size - 1);
}

std::string grant_hint(const std::optional<oci::IdRange>& grant) {
  if (!grant) return "it has no entry for you";
  return fmt::format("your grant is {}-{}", grant->start,
                     uint64_t{grant->start} + grant->count - 1);
}

// newuidmap would refuse these too, but only with a message that names no config field.
void check_granted(const std::vector<oci::IdMapping>& maps, uint32_t own_id,
                   const std::optional<oci::IdRange>& grant, const char* key, const char* file,
                   uid_t euid) {
  for (size_t i = 0; i < maps.size(); i++) {
    const auto& m = maps[i];
    if ((m.size == 1 && m.host_id == own_id) || inside(m, grant)) continue;
    fail("config.json: linux.{}[{}]: {} not granted to uid {} in {} ({})", key, i,
         id_span(m.host_id, m.size), euid, file, grant_hint(grant));
  }
}

IdMapPlan helpers_plan(const std::vector<oci::IdMapping>& uid,
                       const std::vector<oci::IdMapping>& gid, const IdMapContext& ctx) {
  if (!ctx.helpers) {
    const char* key = own_id_only(uid, ctx.euid) ? "gidMappings" : "uidMappings";
    fail("config.json: linux.{}: mapping more than your own id needs newuidmap/newgidmap: {}", key,
         ctx.helpers_missing_why);
  }
  check_granted(uid, ctx.euid, ctx.subuid, "uidMappings", "/etc/subuid", ctx.euid);
  check_granted(gid, ctx.egid, ctx.subgid, "gidMappings", "/etc/subgid", ctx.euid);
  IdMapPlan plan{uid, gid, MapMethod::Helpers, false, *ctx.helpers, ""};
  plan.description =
      fmt::format("id maps: {} and {} (ranges beyond your own uid {} and gid {})",
                  ctx.helpers->newuidmap, ctx.helpers->newgidmap, ctx.euid, ctx.egid);
  return plan;
}

// ---- applying ----

std::string format_map(const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  return out;
}

void write_proc(pid_t pid, const char* file, const std::string& data) {
  std::string path = fmt::format("/proc/{}/{}", pid, file);
  int err = sys::write_file(path, data);
  if (err != 0) throw_errno("id maps: write " + path, err);
}

void apply_direct(pid_t pid, const IdMapPlan& plan) {
  if (plan.deny_setgroups && !plan.gid.empty()) write_proc(pid, "setgroups", "deny");
  if (!plan.gid.empty()) write_proc(pid, "gid_map", format_map(plan.gid));
  if (!plan.uid.empty()) write_proc(pid, "uid_map", format_map(plan.uid));
}

// The setuid helper runs with an empty environment (it sees nothing of ours), its stdout and
// stderr both in the error.
void run_helper(const std::string& name, const std::string& path, pid_t pid,
                const std::vector<oci::IdMapping>& maps) {
  sys::Program p;
  p.path = path;
  p.args.push_back(std::to_string(pid));
  for (const auto& m : maps) {
    for (uint32_t v : {m.container_id, m.host_id, m.size}) p.args.push_back(std::to_string(v));
  }
  p.empty_environment = true;
  p.output = sys::Program::Output::Stderr;
  sys::check_program(sys::run_program(p), name);
}

}  // namespace

std::optional<IdMapHelpers> find_id_map_helpers(std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  auto uid = find_helper("newuidmap", why);
  if (!uid) return std::nullopt;
  auto gid = find_helper("newgidmap", why);
  if (!gid) return std::nullopt;
  why->clear();
  return IdMapHelpers{*uid, *gid};
}

IdMapPlan plan_id_maps(const std::vector<oci::IdMapping>& uid,
                       const std::vector<oci::IdMapping>& gid, const IdMapContext& ctx) {
  check_sizes(uid, "uidMappings");
  check_sizes(gid, "gidMappings");
  if (ctx.privileged) {
    return IdMapPlan{uid,   gid, MapMethod::Direct,
                     false, {},  "id maps: written directly (privileged)"};
  }
  if (own_id_only(uid, ctx.euid) && own_id_only(gid, ctx.egid)) {
    // The kernel lets an unprivileged process map only its own ids, and its own gid only once
    // setgroups is denied (else dropping a group with setgroups could grant access, CVE-2014-8989).
    std::string d =
        fmt::format("id maps: written directly, only your own uid {} and gid {}, setgroups denied",
                    ctx.euid, ctx.egid);
    return IdMapPlan{uid, gid, MapMethod::Direct, true, {}, d};
  }
  return helpers_plan(uid, gid, ctx);
}

std::pair<std::vector<oci::IdMapping>, std::vector<oci::IdMapping>> default_rootless_mappings(
    const IdMapContext& ctx) {
  std::vector<oci::IdMapping> uid{{0, ctx.euid, 1}}, gid{{0, ctx.egid, 1}};
  // Container ids 1..count must stay below 2^32.
  auto at_one = [](const oci::IdRange& r) {
    return oci::IdMapping{1, r.start, std::min(r.count, std::numeric_limits<uint32_t>::max() - 1)};
  };
  if (ctx.helpers && ctx.subuid && ctx.subuid->count > 0) uid.push_back(at_one(*ctx.subuid));
  if (ctx.helpers && ctx.subgid && ctx.subgid->count > 0) gid.push_back(at_one(*ctx.subgid));
  return {uid, gid};
}

void apply_id_maps(pid_t pid, const IdMapPlan& plan) {
  if (plan.method == MapMethod::Direct) return apply_direct(pid, plan);
  // gid first, in the same order as the direct path, so both tiers fail alike.
  if (!plan.gid.empty()) run_helper("newgidmap", plan.helpers.newgidmap, pid, plan.gid);
  if (!plan.uid.empty()) run_helper("newuidmap", plan.helpers.newuidmap, pid, plan.uid);
}

}  // namespace sandbox::linux_
