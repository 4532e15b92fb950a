#include "oci/template.hpp"

#include <string>
#include <vector>

namespace sandbox::oci {
namespace {

// ordered: the keys come out in runc's order, so a diff against `runc spec` shows only what
// differs in content.
using json = nlohmann::ordered_json;

json default_capabilities() {
  json caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}};
}

json process() {
  json p = json::object();
  p["terminal"] = true;  // runc's: the template is for `run` at a shell
  p["user"] = {{"uid", 0}, {"gid", 0}};
  p["args"] = json::array({"sh"});
  p["env"] = json::array(
      {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  p["cwd"] = "/";
  p["capabilities"] = default_capabilities();
  p["rlimits"] = json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}});
  p["noNewPrivileges"] = true;
  return p;
}

json mount(const char* destination, const char* type, const char* source,
           const std::vector<std::string>& options) {
  json m = {{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = options;
  return m;
}

json mounts(const TemplateOptions& o) {
  // Group 5 is "tty" in most images; with a user namespace it exists only when the caller's
  // subordinate gids are mapped, and devpts refuses a gid= that is not mapped.
  std::vector<std::string> pts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (!o.rootless || o.subgid) pts.push_back("gid=5");
  json m = json::array();
  m.push_back(mount("/proc", "proc", "proc", {}));
  m.push_back(
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  m.push_back(mount("/dev/pts", "devpts", "devpts", pts));
  m.push_back(
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  m.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  // Rootless has no network namespace of its own (runc's choice: the host's network stays
  // usable), and sysfs can only be mounted by the owner of the network namespace: a bind.
  if (o.rootless)
    m.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  else
    m.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  m.push_back(
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}));
  return m;
}

json mapping(uint32_t container_id, uint32_t host_id, uint32_t size) {
  return {{"containerID", container_id}, {"hostID", host_id}, {"size", size}};
}

// The caller becomes root in the container; its subordinate range, when granted, fills ids 1..N.
json mappings(uint32_t id, const std::optional<IdRange>& range) {
  json m = json::array({mapping(0, id, 1)});
  if (range && range->count > 0) m.push_back(mapping(1, range->start, range->count));
  return m;
}

// runc 1.1's: no cgroup namespace; rootless without a network namespace and with a user one.
json namespaces(bool rootless) {
  json ns = json::array();
  for (const char* t : {"pid", "network", "ipc", "uts", "mount", "user"}) {
    bool wanted = std::string(t) == "network" ? !rootless
                  : std::string(t) == "user"  ? rootless
                                              : true;
    if (wanted) ns.push_back({{"type", t}});
  }
  return ns;
}

json linux_section(const TemplateOptions& o) {
  json l = json::object();
  if (o.rootless) {
    // runc's rootless template has no device rules (a rootless container cannot load them).
    l["uidMappings"] = mappings(o.uid, o.subuid);
    l["gidMappings"] = mappings(o.gid, o.subgid);
  } else {
    l["resources"] = {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}};
  }
  l["namespaces"] = namespaces(o.rootless);
  l["maskedPaths"] = json::array({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                  "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                                  // Not in runc 1.1's list (added in 1.2): energy counters leak
                                  // what other processes compute (the Platypus attack).
                                  "/sys/devices/virtual/powercap"});
  l["readonlyPaths"] =
      json::array({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  return l;
}

}  // namespace

nlohmann::ordered_json spec_template(const TemplateOptions& opts) {
  json t = json::object();
  // runc 1.1 writes 1.0.2-dev; crun 1.8 refuses a config that says 1.2.0.
  t["ociVersion"] = "1.0.2-dev";
  t["process"] = process();
  t["root"] = {{"path", "rootfs"}, {"readonly", true}};
  t["hostname"] = "sandbox";  // runc and crun put their own names here too
  t["mounts"] = mounts(opts);
  t["linux"] = linux_section(opts);
  return t;
}

}  // namespace sandbox::oci
