#pragma once
// Typed view of an OCI runtime-spec config.json (runtime-spec 1.2). Only what sandbox acts on
// is typed; parse.cpp refuses fields that ask for something sandbox does not do yet, so no
// request in config.json is ever silently ignored.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/resources.hpp"

namespace sandbox::oci {

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

// A subordinate id range from /etc/subuid or /etc/subgid: ids start .. start+count-1.
struct IdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const IdRange&) const = default;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
};

// Capability sets as kernel capability numbers (CAP_CHOWN == 0, ...), already validated.
// A set that config.json leaves out is empty, as runc treats it.
struct Capabilities {
  std::vector<int> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE", kept for error messages
  int resource = 0;  // RLIMIT_NOFILE, ...
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct ConsoleSize {
  unsigned height = 0;
  unsigned width = 0;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;  // the terminal's initial size, when terminal is true
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;  // absent: no capabilities at all
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  // LSM labels, "" when not asked for; what the host makes of them is linux/lsm's decision.
  std::string apparmor_profile;
  std::string selinux_label;
};

struct Root {
  std::string path;  // as written in config.json (may be relative to the bundle)
  bool readonly = false;
};

struct Mount {
  std::string destination;  // absolute, inside the container
  std::string type;         // "" for plain binds
  std::string source;
  std::vector<std::string> options;
};

// Every namespace type the kernel has; oci/namespace_table names them. config.json may ask only
// for oci::supported_namespaces() (not Time yet).
enum class NamespaceType { User, Mount, Pid, Uts, Ipc, Network, Cgroup, Time };

struct Namespace {
  NamespaceType type;
  std::string path;  // empty: create a new one; else join this one
};

struct Device {
  char type = 'c';  // 'c', 'b', 'u' (== 'c'), 'p'
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // "SCMP_CMP_EQ", ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // "SCMP_ACT_ERRNO", ...
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64", ...
  std::vector<SeccompSyscall> syscalls;
  std::vector<std::string> flags;  // "SECCOMP_FILTER_FLAG_LOG", ...
  std::string listener_path;       // the agent's UNIX socket (SCMP_ACT_NOTIFY); "" when none
  std::string listener_metadata;   // passed to the agent as is
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::vector<Device> devices;
  std::string cgroups_path;
  Resources resources;
  std::map<std::string, std::string> sysctl;
  std::optional<Seccomp> seccomp;
  std::string rootfs_propagation;  // "", "private", "rprivate", "slave", ... as in config.json
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::string mount_label;  // SELinux context for the container's mounts; "" when none

  bool has_namespace(NamespaceType t) const {
    for (const auto& n : namespaces)
      if (n.type == t) return true;
    return false;
  }
  const Namespace* find_namespace(NamespaceType t) const {
    for (const auto& n : namespaces)
      if (n.type == t) return &n;
    return nullptr;
  }
};

// One hook (config.json hooks.<kind>[i]): a program run at a point of the lifecycle with the
// container's state JSON on its stdin.
struct Hook {
  std::string path;               // absolute
  std::vector<std::string> args;  // argv including argv[0]; empty: just the path
  std::vector<std::string> env;   // the whole environment; empty: none
  std::optional<int> timeout;     // seconds, > 0
};

// The six kinds, in the order of the lifecycle. prestart is deprecated in the spec but is
// what docker writes (libnetwork-setkey); it runs where createRuntime does, first.
struct Hooks {
  std::vector<Hook> prestart;
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
};

struct Spec {
  std::string oci_version;
  std::optional<Process> process;
  Root root;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Linux linux;  // config.json without "linux" gives an empty one
  std::map<std::string, std::string> annotations;
  Hooks hooks;
};

// "user", "mount", "pid", ...: config.json's names, from oci/namespace_table.
const char* namespace_name(NamespaceType t);

}  // namespace sandbox::oci
