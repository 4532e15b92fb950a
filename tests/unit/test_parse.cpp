#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "oci/parse.hpp"
#include "sys/error.hpp"

using nlohmann::json;
using sandbox::Error;
using sandbox::oci::CpuResources;
using sandbox::oci::DeviceRule;
using sandbox::oci::load_spec;
using sandbox::oci::NamespaceType;
using sandbox::oci::parse_resources_file;
using sandbox::oci::parse_spec;
using sandbox::oci::Resources;
using sandbox::oci::Spec;

namespace {

// The smallest config parse_spec accepts, for tests to break one field at a time.
json minimal() {
  return R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"]},
             "linux": {"namespaces": [{"type": "mount"}]}})"_json;
}

// A config using every field sandbox types.
json full() {
  return R"({
    "ociVersion": "1.2.0",
    "process": {
      "terminal": false,
      "consoleSize": {"height": 24, "width": 80},
      "user": {"uid": 1000, "gid": 100, "umask": 18, "additionalGids": [5, 6]},
      "args": ["/bin/echo", "hi"],
      "env": ["PATH=/bin", "EMPTY="],
      "cwd": "/work",
      "capabilities": {"bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN"], "effective": ["CAP_KILL"],
                       "inheritable": [], "permitted": ["CAP_KILL", "CAP_NET_RAW"],
                       "ambient": ["CAP_NET_BIND_SERVICE"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
                  {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}],
      "noNewPrivileges": true,
      "oomScoreAdj": -500,
      "apparmorProfile": "",
      "futureField": {"anything": 1}
    },
    "root": {"path": "rootfs", "readonly": true},
    "hostname": "box",
    "domainname": "example.test",
    "mounts": [
      {"destination": "/proc", "type": "proc", "source": "proc"},
      {"destination": "/data", "source": "/srv/data", "options": ["rbind", "ro"]},
      {"destination": "/tmp", "type": "tmpfs", "uidMappings": []}
    ],
    "hooks": {"prestart": [], "poststop": null},
    "annotations": {"org.example.key": "value"},
    "linux": {
      "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/n1"},
                     {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"},
                     {"type": "cgroup"}],
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1},
                      {"containerID": 1, "hostID": 100000, "size": 65536}],
      "gidMappings": [{"containerID": 0, "hostID": 100, "size": 1}],
      "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229,
                   "fileMode": 438, "uid": 0, "gid": 0},
                  {"type": "p", "path": "/dev/myfifo"}],
      "cgroupsPath": "/sandbox/c1",
      "resources": {"devices": [{"allow": false, "access": "rwm"}], "memory": {}},
      "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "100000",
                 "fs.mqueue.msg_max": "20", "kernel.domainname": "x"},
      "seccomp": {
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64"], "flags": [],
        "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                     {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                      "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                               {"index": 5, "value": 1, "valueTwo": 3,
                                "op": "SCMP_CMP_MASKED_EQ"}]}]
      },
      "rootfsPropagation": "rslave",
      "maskedPaths": ["/proc/kcore"],
      "readonlyPaths": ["/proc/sys", "/proc/bus"],
      "personality": null
    }
  })"_json;
}

// Passes when parsing CONFIG fails with a one-line "config.json: ..." message containing WANT.
::testing::AssertionResult FailsWith(const json& config, const std::string& want) {
  try {
    parse_spec(config);
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.rfind("config.json: ", 0) != 0)
      return ::testing::AssertionFailure() << "no config.json: prefix: " << msg;
    if (msg.find('\n') != std::string::npos)
      return ::testing::AssertionFailure() << "more than one line: " << msg;
    if (msg.find(want) == std::string::npos)
      return ::testing::AssertionFailure() << "got \"" << msg << "\", want \"" << want << "\"";
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "parsed without error; want \"" << want << "\"";
}

// A config with VALUE at POINTER (a JSON pointer such as "/process/args").
json with(json config, const std::string& pointer, json value) {
  config[json::json_pointer(pointer)] = std::move(value);
  return config;
}

json without(json config, const std::string& pointer) {
  json::json_pointer p(pointer);
  config[p.parent_pointer()].erase(p.back());
  return config;
}

// ---- A valid config ----------------------------------------------------------------------------

TEST(ParseValid, MinimalConfigGetsDefaults) {
  Spec s = parse_spec(minimal());
  EXPECT_EQ(s.oci_version, "1.2.0");
  EXPECT_EQ(s.root.path, "rootfs");
  EXPECT_FALSE(s.root.readonly);
  ASSERT_TRUE(s.process.has_value());
  EXPECT_EQ(s.process->cwd, "/");
  EXPECT_EQ(s.process->user.uid, 0u);
  EXPECT_FALSE(s.process->user.umask.has_value());
  EXPECT_FALSE(s.process->capabilities.has_value());
  EXPECT_FALSE(s.process->oom_score_adj.has_value());
  EXPECT_FALSE(s.linux.seccomp.has_value());
  EXPECT_FALSE(s.linux.resources.has_limits());
  EXPECT_TRUE(s.linux.resources.devices.empty());
}

TEST(ParseValid, ProcessIsOptional) {
  Spec s = parse_spec(without(minimal(), "/process"));
  EXPECT_FALSE(s.process.has_value());
}

TEST(ParseValid, NullCountsAsAbsent) {
  json c = minimal();
  c["annotations"] = nullptr;
  c["mounts"] = nullptr;
  c["process"]["env"] = nullptr;
  c["linux"]["seccomp"] = nullptr;
  Spec s = parse_spec(c);
  EXPECT_TRUE(s.mounts.empty());
  EXPECT_FALSE(s.linux.seccomp.has_value());
}

TEST(ParseValid, FullConfigProcess) {
  Spec s = parse_spec(full());
  ASSERT_TRUE(s.process.has_value());
  const auto& p = *s.process;
  EXPECT_FALSE(p.terminal);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 100u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.args, (std::vector<std::string>{"/bin/echo", "hi"}));
  EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/bin", "EMPTY="}));
  EXPECT_EQ(p.cwd, "/work");
  ASSERT_TRUE(p.capabilities.has_value());
  EXPECT_EQ(p.capabilities->bounding, (std::vector<int>{CAP_CHOWN, CAP_SYS_ADMIN}));
  EXPECT_EQ(p.capabilities->effective, (std::vector<int>{CAP_KILL}));
  EXPECT_TRUE(p.capabilities->inheritable.empty());
  EXPECT_EQ(p.capabilities->permitted, (std::vector<int>{CAP_KILL, CAP_NET_RAW}));
  EXPECT_EQ(p.capabilities->ambient, (std::vector<int>{CAP_NET_BIND_SERVICE}));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(p.rlimits[0].soft, 512u);
  EXPECT_EQ(p.rlimits[0].hard, 1024u);
  EXPECT_EQ(p.rlimits[1].resource, RLIMIT_CORE);
  EXPECT_EQ(p.rlimits[1].hard, RLIM_INFINITY);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.oom_score_adj, -500);
}

TEST(ParseValid, FullConfigTopLevel) {
  Spec s = parse_spec(full());
  EXPECT_EQ(s.root.path, "rootfs");
  EXPECT_TRUE(s.root.readonly);
  EXPECT_EQ(s.hostname, "box");
  EXPECT_EQ(s.domainname, "example.test");
  ASSERT_EQ(s.mounts.size(), 3u);
  EXPECT_EQ(s.mounts[0].destination, "/proc");
  EXPECT_EQ(s.mounts[0].type, "proc");
  EXPECT_EQ(s.mounts[1].type, "");
  EXPECT_EQ(s.mounts[1].source, "/srv/data");
  EXPECT_EQ(s.mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
  EXPECT_EQ(s.annotations, (std::map<std::string, std::string>{{"org.example.key", "value"}}));
}

TEST(ParseValid, FullConfigLinux) {
  Spec s = parse_spec(full());
  const auto& l = s.linux;
  ASSERT_EQ(l.namespaces.size(), 7u);
  EXPECT_EQ(l.namespaces[0].type, NamespaceType::Pid);
  EXPECT_EQ(l.namespaces[1].type, NamespaceType::Network);
  EXPECT_EQ(l.namespaces[1].path, "/run/netns/n1");
  EXPECT_EQ(l.namespaces[6].type, NamespaceType::Cgroup);
  EXPECT_TRUE(l.has_namespace(NamespaceType::User));
  using sandbox::oci::IdMapping;
  EXPECT_EQ(l.uid_mappings, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(l.gid_mappings, (std::vector<IdMapping>{{0, 100, 1}}));
  ASSERT_EQ(l.devices.size(), 2u);
  EXPECT_EQ(l.devices[0].type, 'c');
  EXPECT_EQ(l.devices[0].path, "/dev/fuse");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 0666u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.devices[1].type, 'p');
  EXPECT_FALSE(l.devices[1].file_mode.has_value());
  EXPECT_EQ(l.cgroups_path, "/sandbox/c1");
  ASSERT_FALSE(l.resources.devices.empty());
  EXPECT_EQ(l.resources.devices[0].access, "rwm");
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.sysctl.size(), 4u);
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys", "/proc/bus"}));
}

TEST(ParseValid, FullConfigSeccomp) {
  Spec s = parse_spec(full());
  ASSERT_TRUE(s.linux.seccomp.has_value());
  const auto& sc = *s.linux.seccomp;
  EXPECT_EQ(sc.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc.default_errno_ret, 1u);
  EXPECT_EQ(sc.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64"}));
  ASSERT_EQ(sc.syscalls.size(), 2u);
  EXPECT_EQ(sc.syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(sc.syscalls[0].action, "SCMP_ACT_ALLOW");
  EXPECT_FALSE(sc.syscalls[0].errno_ret.has_value());
  EXPECT_EQ(sc.syscalls[1].errno_ret, 38u);
  ASSERT_EQ(sc.syscalls[1].args.size(), 2u);
  EXPECT_EQ(sc.syscalls[1].args[0].index, 0u);
  EXPECT_EQ(sc.syscalls[1].args[0].value, 8u);
  EXPECT_EQ(sc.syscalls[1].args[0].value_two, 0u);
  EXPECT_EQ(sc.syscalls[1].args[0].op, "SCMP_CMP_EQ");
  EXPECT_EQ(sc.syscalls[1].args[1].index, 5u);
  EXPECT_EQ(sc.syscalls[1].args[1].value_two, 3u);
}

TEST(ParseValid, UnknownKeysAreIgnored) {
  json c = minimal();
  c["vendorExtension"] = {{"a", 1}};
  c["linux"]["somethingNew"] = true;
  c["root"]["future"] = "x";
  EXPECT_NO_THROW(parse_spec(c));
}

TEST(ParseValid, EveryRootfsPropagation) {
  for (const char* p : {"", "private", "rprivate", "slave", "rslave", "shared", "rshared",
                        "unbindable", "runbindable"}) {
    EXPECT_EQ(parse_spec(with(minimal(), "/linux/rootfsPropagation", p)).linux.rootfs_propagation,
              p);
  }
}

TEST(ParseValid, OomScoreAdjBounds) {
  EXPECT_EQ(parse_spec(with(minimal(), "/process/oomScoreAdj", -1000)).process->oom_score_adj,
            -1000);
  EXPECT_EQ(parse_spec(with(minimal(), "/process/oomScoreAdj", 1000)).process->oom_score_adj, 1000);
}

TEST(ParseValid, AdjacentMappingsDoNotOverlap) {
  json c = with(minimal(), "/linux/namespaces", R"([{"type": "user"}])"_json);
  c["linux"]["uidMappings"] = R"([{"containerID": 0, "hostID": 10, "size": 5},
                                  {"containerID": 5, "hostID": 15, "size": 5},
                                  {"containerID": 10, "hostID": 4294967286, "size": 10}])"_json;
  EXPECT_EQ(parse_spec(c).linux.uid_mappings.size(), 3u);
}

TEST(ParseValid, SysctlsWithTheirNamespaces) {
  json c = with(minimal(), "/linux/namespaces",
                R"([{"type": "ipc"}, {"type": "network"}, {"type": "uts"}])"_json);
  c["linux"]["sysctl"] = {{"kernel.msgmax", "1"},
                          {"kernel.sem", "1 2 3 4"},
                          {"kernel.hostname", "h"},
                          {"net.core.somaxconn", "10"}};
  EXPECT_EQ(parse_spec(c).linux.sysctl.size(), 4u);
}

// ---- Types -------------------------------------------------------------------------------------

TEST(ParseTypes, TopLevelMustBeAnObject) {
  EXPECT_TRUE(FailsWith(json::array(), "config.json: must be a JSON object"));
}

TEST(ParseTypes, WrongTypesNameThePath) {
  struct Case {
    const char* pointer;
    json value;
    const char* want;
  };
  const Case cases[] = {
      {"/ociVersion", 1, "config.json: ociVersion: must be a string"},
      {"/process", "x", "config.json: process: must be an object"},
      {"/process/args", "sh", "config.json: process.args: must be an array of strings"},
      {"/process/args", json::array({"sh", 1}),
       "config.json: process.args: must be an array of strings"},
      {"/process/env", json::array({1}), "config.json: process.env: must be an array of strings"},
      {"/process/terminal", "yes", "config.json: process.terminal: must be true or false"},
      {"/process/noNewPrivileges", 1, "config.json: process.noNewPrivileges: must be true or"},
      {"/process/user", R"({"uid": -1, "gid": 0})"_json,
       "config.json: process.user.uid: must be an integer from 0 to 4294967295"},
      {"/process/user", R"({"uid": 0, "gid": 1.5})"_json, "config.json: process.user.gid: must be"},
      {"/process/user", R"({"uid": 4294967296, "gid": 0})"_json,
       "config.json: process.user.uid: must be an integer"},
      {"/process/user", R"({"uid": 0, "gid": 0, "umask": "022"})"_json,
       "config.json: process.user.umask: must be an integer"},
      {"/process/user", R"({"uid": 0, "gid": 0, "additionalGids": ["5"]})"_json,
       "config.json: process.user.additionalGids[0]: must be an integer"},
      {"/process/capabilities/bounding", "CAP_KILL",
       "config.json: process.capabilities.bounding: must be an array of strings"},
      {"/process/rlimits", json::object(), "config.json: process.rlimits: must be an array"},
      {"/process/rlimits", R"([{"type": "RLIMIT_CORE", "soft": "1", "hard": 1}])"_json,
       "config.json: process.rlimits[0].soft: must be an integer"},
      {"/root/readonly", "true", "config.json: root.readonly: must be true or false"},
      {"/hostname", 7, "config.json: hostname: must be a string"},
      {"/mounts", json::object(), "config.json: mounts: must be an array"},
      {"/mounts", R"([{"destination": "/a", "options": "ro"}])"_json,
       "config.json: mounts[0].options: must be an array of strings"},
      {"/mounts", R"([{"destination": "/a", "type": 5}])"_json,
       "config.json: mounts[0].type: must be a string"},
      {"/annotations", R"({"a": 1})"_json, "config.json: annotations[\"a\"]: must be a string"},
      {"/annotations", json::array(), "config.json: annotations: must be an object"},
      {"/linux", json::array(), "config.json: linux: must be an object"},
      {"/linux/namespaces", R"([{"type": 1}])"_json,
       "config.json: linux.namespaces[0].type: must be a string"},
      {"/linux/sysctl", R"({"net.a": 1})"_json,
       "config.json: linux.sysctl[\"net.a\"]: must be a string"},
      {"/linux/devices", R"([{"type": "c", "path": "/dev/x", "major": "1", "minor": 1}])"_json,
       "config.json: linux.devices[0].major: must be a 64-bit integer"},
      {"/linux/devices", R"([{"type": "c", "path": "/dev/x", "major": 1, "minor": 1,
                              "fileMode": -1}])"_json,
       "config.json: linux.devices[0].fileMode: must be an integer"},
      {"/linux/cgroupsPath", 1, "config.json: linux.cgroupsPath: must be a string"},
      {"/linux/resources", json::array(), "config.json: linux.resources: must be an object"},
      {"/linux/resources", R"({"devices": [{"allow": "no"}]})"_json,
       "config.json: linux.resources.devices[0].allow: must be true or false"},
      {"/linux/seccomp", R"({"defaultAction": 1})"_json,
       "config.json: linux.seccomp.defaultAction: must be a string"},
      {"/linux/seccomp", R"({"defaultAction": "A", "architectures": "x"})"_json,
       "config.json: linux.seccomp.architectures: must be an array of strings"},
      {"/linux/seccomp", R"({"defaultAction": "A", "defaultErrnoRet": -1})"_json,
       "config.json: linux.seccomp.defaultErrnoRet: must be an integer"},
      {"/linux/seccomp", R"({"defaultAction": "A", "syscalls": [{"names": ["read"],
                              "action": "B", "errnoRet": "1"}]})"_json,
       "config.json: linux.seccomp.syscalls[0].errnoRet: must be an integer"},
      {"/linux/seccomp", R"({"defaultAction": "A", "syscalls": [{"names": ["read"],
                              "action": "B", "args": [{"index": 0, "value": -2,
                              "op": "SCMP_CMP_EQ"}]}]})"_json,
       "config.json: linux.seccomp.syscalls[0].args[0].value: must be an integer"},
      {"/linux/maskedPaths", "/proc", "config.json: linux.maskedPaths: must be an array of"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pointer);
    EXPECT_TRUE(FailsWith(with(minimal(), c.pointer, c.value), c.want));
  }
}

// ---- Validation --------------------------------------------------------------------------------

TEST(ParseRequired, MissingRequiredFields) {
  EXPECT_TRUE(FailsWith(without(minimal(), "/ociVersion"), "config.json: ociVersion: is required"));
  EXPECT_TRUE(FailsWith(without(minimal(), "/root"), "config.json: root: is required"));
  EXPECT_TRUE(
      FailsWith(with(minimal(), "/root", json::object()), "config.json: root.path: is required"));
  EXPECT_TRUE(
      FailsWith(with(minimal(), "/root/path", ""), "config.json: root.path: must not be empty"));
  EXPECT_TRUE(
      FailsWith(without(minimal(), "/process/args"), "config.json: process.args: is required"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/user", R"({"gid": 0})"_json),
                        "config.json: process.user.uid: is required"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/mounts", R"([{"type": "tmpfs"}])"_json),
                        "config.json: mounts[0].destination: is required"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/namespaces", R"([{"path": "/x"}])"_json),
                        "config.json: linux.namespaces[0].type: is required"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/seccomp", json::object()),
                        "config.json: linux.seccomp.defaultAction: is required"));
}

TEST(ParseProcess, ArgsMustNotBeEmpty) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/args", json::array()),
                        "config.json: process.args: must not be empty"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/args", json::array({""})),
                        "config.json: process.args[0]: must not be empty"));
}

TEST(ParseProcess, CwdMustBeAbsolute) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/cwd", "work"),
                        "config.json: process.cwd: must be an absolute path"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/cwd", ""),
                        "config.json: process.cwd: must be an absolute path"));
}

TEST(ParseProcess, EnvEntriesNeedEquals) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/env", json::array({"A=1", "B"})),
                        "config.json: process.env[1]: must be NAME=VALUE"));
}

TEST(ParseProcess, UmaskIsAPermissionMask) {
  EXPECT_EQ(parse_spec(with(minimal(), "/process/user", R"({"uid": 0, "gid": 0,
            "umask": 511})"_json))
                .process->user.umask,
            0777u);
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/user", R"({"uid": 0, "gid": 0,
                        "umask": 512})"_json),
                        "config.json: process.user.umask: must be a permission mask"));
}

TEST(ParseProcess, UnknownCapability) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/capabilities/bounding",
                             json::array({"CAP_KILL", "CAP_CHOWN", "CAP_FOO"})),
                        "config.json: process.capabilities.bounding[2]: unknown capability "
                        "\"CAP_FOO\""));
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/capabilities/ambient", json::array({"x"})),
                        "config.json: process.capabilities.ambient[0]: unknown capability"));
}

TEST(ParseProcess, CapabilityNamesMustBeCanonical) {
  // libcap itself would take all of these.
  for (const char* name : {"cap_sys_admin", "SYS_ADMIN", "Cap_Sys_Admin", "CAP_sys_admin", "21"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(FailsWith(with(minimal(), "/process/capabilities/effective", json::array({name})),
                          "config.json: process.capabilities.effective[0]: unknown capability"));
  }
}

TEST(ParseProcess, UnknownRlimit) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/rlimits",
                             R"([{"type": "RLIMIT_CORE", "soft": 1, "hard": 1},
                                 {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}])"_json),
                        "config.json: process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\""));
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/rlimits",
                             R"([{"type": "rlimit_core", "soft": 1, "hard": 1}])"_json),
                        "config.json: process.rlimits[0].type: unknown rlimit"));
}

TEST(ParseProcess, RlimitSoftAboveHard) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/rlimits",
                             R"([{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}])"_json),
                        "config.json: process.rlimits[0]: soft limit 2048 is above the hard "
                        "limit 1024"));
}

TEST(ParseProcess, RlimitMissingHard) {
  EXPECT_TRUE(FailsWith(
      with(minimal(), "/process/rlimits", R"([{"type": "RLIMIT_NOFILE", "soft": 2048}])"_json),
      "config.json: process.rlimits[0].hard: is required"));
}

TEST(ParseProcess, DuplicateRlimit) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/rlimits",
                             R"([{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                                 {"type": "RLIMIT_CORE", "soft": 1, "hard": 1},
                                 {"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2}])"_json),
                        "config.json: process.rlimits[2].type: duplicate rlimit "
                        "\"RLIMIT_NOFILE\" (also in process.rlimits[0])"));
}

TEST(ParseProcess, OomScoreAdjRange) {
  for (json v : {json(1001), json(-1001), json(5000000000), json("1"), json(1.5)}) {
    SCOPED_TRACE(v.dump());
    EXPECT_TRUE(FailsWith(with(minimal(), "/process/oomScoreAdj", v),
                          "config.json: process.oomScoreAdj: must be an integer from -1000 to "
                          "1000"));
  }
}

TEST(ParseMounts, DestinationMustBeAbsolute) {
  EXPECT_TRUE(FailsWith(
      with(minimal(), "/mounts", R"([{"destination": "/ok"}, {"destination": "tmp"}])"_json),
      "config.json: mounts[1].destination: must be an absolute path"));
}

TEST(ParseLinux, UnknownNamespaceType) {
  EXPECT_TRUE(
      FailsWith(with(minimal(), "/linux/namespaces", R"([{"type": "pid"}, {"type": "net"}])"_json),
                "config.json: linux.namespaces[1].type: unknown namespace type \"net\""));
}

TEST(ParseLinux, DuplicateNamespace) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/namespaces",
                             R"([{"type": "pid"}, {"type": "uts"}, {"type": "pid",
                                 "path": "/proc/1/ns/pid"}])"_json),
                        "config.json: linux.namespaces[2].type: duplicate namespace \"pid\" "
                        "(also in linux.namespaces[0])"));
}

TEST(ParseLinux, NamespacePathMustBeAbsolute) {
  EXPECT_TRUE(FailsWith(
      with(minimal(), "/linux/namespaces", R"([{"type": "network", "path": "netns/a"}])"_json),
      "config.json: linux.namespaces[0].path: must be an absolute path"));
}

json with_user_ns(json c) {
  c["linux"]["namespaces"] = R"([{"type": "user"}, {"type": "mount"}])"_json;
  return c;
}

TEST(ParseLinux, MappingSizeMustBePositive) {
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 0}])"_json),
                        "config.json: linux.uidMappings[0].size: must be greater than 0"));
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/gidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 1},
                                 {"containerID": 1, "hostID": 2000, "size": 0}])"_json),
                        "config.json: linux.gidMappings[1].size: must be greater than 0"));
}

TEST(ParseLinux, MappingFieldsAreNumbers) {
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": "0", "hostID": 1000, "size": 1}])"_json),
                        "config.json: linux.uidMappings[0].containerID: must be an integer"));
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": 0, "size": 1}])"_json),
                        "config.json: linux.uidMappings[0].hostID: is required"));
}

TEST(ParseLinux, MappingMustNotWrap) {
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": 4294967295, "hostID": 0, "size": 2}])"_json),
                        "config.json: linux.uidMappings[0]: containerID + size goes past"));
}

TEST(ParseLinux, MappingsNeedAUserNamespace) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/uidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 1}])"_json),
                        "config.json: linux.uidMappings: needs a user namespace (add "
                        "{\"type\": \"user\"} to linux.namespaces)"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/gidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 1}])"_json),
                        "config.json: linux.gidMappings: needs a user namespace"));
}

TEST(ParseLinux, OverlappingContainerRanges) {
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 10},
                                 {"containerID": 9, "hostID": 5000, "size": 5}])"_json),
                        "config.json: linux.uidMappings[1]: container ids 9-13 overlap "
                        "linux.uidMappings[0] (container ids 0-9)"));
  // A range inside another one.
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/gidMappings",
                             R"([{"containerID": 5, "hostID": 1000, "size": 1},
                                 {"containerID": 0, "hostID": 5000, "size": 100}])"_json),
                        "config.json: linux.gidMappings[1]: container ids 0-99 overlap"));
}

TEST(ParseLinux, OverlappingHostRanges) {
  EXPECT_TRUE(FailsWith(with(with_user_ns(minimal()), "/linux/uidMappings",
                             R"([{"containerID": 0, "hostID": 1000, "size": 1},
                                 {"containerID": 1, "hostID": 990, "size": 11}])"_json),
                        "config.json: linux.uidMappings[1]: host ids 990-1000 overlap"));
}

TEST(ParseLinux, DeviceType) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/devices",
                             R"([{"type": "x", "path": "/dev/a", "major": 1, "minor": 1}])"_json),
                        "config.json: linux.devices[0].type: must be one of \"c\", \"b\""));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/devices",
                             R"([{"type": "cb", "path": "/dev/a", "major": 1, "minor": 1}])"_json),
                        "config.json: linux.devices[0].type: must be one of"));
}

TEST(ParseLinux, DevicePathUnderDev) {
  for (const char* path :
       {"dev/null", "/tmp/x", "/dev", "/dev/", "/devx", "/dev/../etc/shadow", "/dev/a/../../x"}) {
    SCOPED_TRACE(path);
    json dev = {{"type", "c"}, {"path", path}, {"major", 1}, {"minor", 3}};
    EXPECT_TRUE(FailsWith(with(minimal(), "/linux/devices", json::array({dev})),
                          "config.json: linux.devices[0].path: must be an absolute path under "
                          "/dev"));
  }
  json ok = {{"type", "b"}, {"path", "/dev/disk/loop..1"}, {"major", 7}, {"minor", 1}};
  EXPECT_EQ(parse_spec(with(minimal(), "/linux/devices", json::array({ok}))).linux.devices[0].type,
            'b');
}

TEST(ParseLinux, DeviceNumbersRequiredExceptForFifos) {
  for (const char* type : {"c", "b", "u"}) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(FailsWith(with(minimal(), "/linux/devices",
                               json::array({{{"type", type}, {"path", "/dev/a"}, {"minor", 1}}})),
                          "config.json: linux.devices[0].major: is required"));
    EXPECT_TRUE(FailsWith(with(minimal(), "/linux/devices",
                               json::array({{{"type", type}, {"path", "/dev/a"}, {"major", 1}}})),
                          "config.json: linux.devices[0].minor: is required"));
  }
}

TEST(ParseLinux, SeccompSyscallNames) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/seccomp",
                             R"({"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"names": [], "action": "SCMP_ACT_KILL"}]})"_json),
                        "config.json: linux.seccomp.syscalls[0].names: must not be empty"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/seccomp",
                             R"({"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"action": "SCMP_ACT_KILL"}]})"_json),
                        "config.json: linux.seccomp.syscalls[0].names: is required"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/seccomp",
                             R"({"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"names": ["a", 2], "action": "X"}]})"_json),
                        "config.json: linux.seccomp.syscalls[0].names: must be an array of "
                        "strings"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/seccomp",
                             R"({"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"names": ["read"]}]})"_json),
                        "config.json: linux.seccomp.syscalls[0].action: is required"));
}

TEST(ParseLinux, SeccompArgs) {
  auto config = [](json arg) {
    json sc = {{"defaultAction", "SCMP_ACT_ALLOW"},
               {"syscalls", json::array({{{"names", json::array({"read"})},
                                          {"action", "SCMP_ACT_ERRNO"},
                                          {"args", json::array({arg})}}})}};
    return with(minimal(), "/linux/seccomp", sc);
  };
  EXPECT_TRUE(FailsWith(config({{"index", 6}, {"value", 1}, {"op", "SCMP_CMP_EQ"}}),
                        "config.json: linux.seccomp.syscalls[0].args[0].index: must be from 0 "
                        "to 5"));
  EXPECT_TRUE(FailsWith(config({{"value", 1}, {"op", "SCMP_CMP_EQ"}}),
                        "config.json: linux.seccomp.syscalls[0].args[0].index: is required"));
  EXPECT_TRUE(FailsWith(config({{"index", 1}, {"value", 1}}),
                        "config.json: linux.seccomp.syscalls[0].args[0].op: is required"));
  EXPECT_TRUE(FailsWith(config({{"index", 1}, {"value", 1}, {"op", 3}}),
                        "config.json: linux.seccomp.syscalls[0].args[0].op: must be a string"));
}

TEST(ParseLinux, RootfsPropagation) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/rootfsPropagation", "recursive"),
                        "config.json: linux.rootfsPropagation: must be one of private"));
}

TEST(ParseLinux, MaskedAndReadonlyPathsAbsolute) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/maskedPaths", json::array({"/proc/kcore", "x"})),
                        "config.json: linux.maskedPaths[1]: must be an absolute path"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/linux/readonlyPaths", json::array({"proc/sys"})),
                        "config.json: linux.readonlyPaths[0]: must be an absolute path"));
}

TEST(ParseCrossChecks, HostnameNeedsUts) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/hostname", "box"),
                        "config.json: hostname: needs a uts namespace (add {\"type\": \"uts\"} "
                        "to linux.namespaces)"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/domainname", "example.test"),
                        "config.json: domainname: needs a uts namespace"));
  // An empty name asks for nothing.
  EXPECT_NO_THROW(parse_spec(with(minimal(), "/hostname", "")));
  json c = with(minimal(), "/hostname", "box");
  c["linux"]["namespaces"].push_back({{"type", "uts"}});
  EXPECT_EQ(parse_spec(c).hostname, "box");
}

TEST(ParseCrossChecks, SysctlNeedsItsNamespace) {
  struct Case {
    const char* key;
    const char* ns;
  };
  for (const Case& c : {Case{"net.ipv4.ip_forward", "network"}, Case{"kernel.msgmnb", "ipc"},
                        Case{"kernel.sem", "ipc"}, Case{"kernel.shmall", "ipc"},
                        Case{"fs.mqueue.queues_max", "ipc"}, Case{"kernel.hostname", "uts"},
                        Case{"kernel.domainname", "uts"}}) {
    SCOPED_TRACE(c.key);
    json config = with(minimal(), "/linux/sysctl", {{c.key, "1"}});
    EXPECT_TRUE(FailsWith(config, std::string("config.json: linux.sysctl[\"") + c.key +
                                      "\"]: needs a " + c.ns + " namespace (add {\"type\": \"" +
                                      c.ns + "\"} to linux.namespaces)"));
  }
}

TEST(ParseCrossChecks, GlobalSysctlsAreRefused) {
  json c = with(minimal(), "/linux/namespaces",
                R"([{"type": "ipc"}, {"type": "network"}, {"type": "uts"}])"_json);
  for (const char* key : {"vm.swappiness", "kernel.pid_max", "kernel.semx", "fs.file-max"}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(
        FailsWith(with(c, "/linux/sysctl", {{key, "1"}}),
                  std::string("config.json: linux.sysctl[\"") + key + "\"]: not namespaced"));
  }
}

// ---- Refused: known fields sandbox does not implement ------------------------------------------

TEST(ParseUnsupported, KnownButUnimplementedFieldsAreRefused) {
  struct Case {
    const char* pointer;
    json value;
    const char* path;
  };
  const Case cases[] = {
      {"/process/ioPriority", R"({"class": "IOPRIO_CLASS_IDLE"})"_json, "process.ioPriority"},
      {"/process/scheduler", R"({"policy": "SCHED_IDLE"})"_json, "process.scheduler"},
      {"/process/execCPUAffinity", R"({"initial": "0"})"_json, "process.execCPUAffinity"},
      {"/linux/timeOffsets", R"({"monotonic": {"secs": 1}})"_json, "linux.timeOffsets"},
      {"/linux/intelRdt", R"({"closID": "x"})"_json, "linux.intelRdt"},
      {"/linux/personality", R"({"domain": "LINUX32"})"_json, "linux.personality"},
      {"/linux/memoryPolicy", R"({"mode": "MPOL_BIND", "nodes": "0"})"_json, "linux.memoryPolicy"},
      {"/linux/netDevices", R"({"eth1": {}})"_json, "linux.netDevices"},
      {"/mounts", R"([{"destination": "/a", "uidMappings": [{"containerID": 0, "hostID": 1,
                      "size": 1}]}])"_json,
       "mounts[0].uidMappings"},
      {"/mounts", R"([{"destination": "/a"}, {"destination": "/b", "gidMappings": [
                      {"containerID": 0, "hostID": 1, "size": 1}]}])"_json,
       "mounts[1].gidMappings"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pointer);
    EXPECT_TRUE(FailsWith(with(minimal(), c.pointer, c.value),
                          std::string("config.json: ") + c.path + ": not supported yet"));
  }
}

// ---- hooks -------------------------------------------------------------------------------------

TEST(ParseHooks, AllSixKindsInTheirLists) {
  json c = minimal();
  c["hooks"] = R"({
    "prestart": [{"path": "/usr/bin/setkey", "args": ["setkey", "id"], "env": ["A=1"],
                  "timeout": 5}],
    "createRuntime": [{"path": "/a"}, {"path": "/b"}],
    "createContainer": [{"path": "/c"}],
    "startContainer": [{"path": "/d"}],
    "poststart": [{"path": "/e"}],
    "poststop": [{"path": "/f", "timeout": null}],
    "futureKind": [{"path": "relative is fine here: unknown kinds are ignored"}]
  })"_json;
  Spec s = parse_spec(c);
  ASSERT_EQ(s.hooks.prestart.size(), 1u);
  EXPECT_EQ(s.hooks.prestart[0].path, "/usr/bin/setkey");
  EXPECT_EQ(s.hooks.prestart[0].args, (std::vector<std::string>{"setkey", "id"}));
  EXPECT_EQ(s.hooks.prestart[0].env, (std::vector<std::string>{"A=1"}));
  EXPECT_EQ(s.hooks.prestart[0].timeout, 5);
  ASSERT_EQ(s.hooks.create_runtime.size(), 2u);
  EXPECT_EQ(s.hooks.create_runtime[1].path, "/b");
  EXPECT_EQ(s.hooks.create_container.at(0).path, "/c");
  EXPECT_EQ(s.hooks.start_container.at(0).path, "/d");
  EXPECT_EQ(s.hooks.poststart.at(0).path, "/e");
  EXPECT_FALSE(s.hooks.poststop.at(0).timeout.has_value());
  EXPECT_EQ(sandbox::oci::hook_kinds(),
            (std::vector<std::string>{"prestart", "createRuntime", "createContainer",
                                      "startContainer", "poststart", "poststop"}));
}

TEST(ParseHooks, BadHooksNameTheirPath) {
  EXPECT_TRUE(FailsWith(with(minimal(), "/hooks/poststart", R"([{"path": "rel/hook"}])"_json),
                        "config.json: hooks.poststart[0].path: must be an absolute path"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/hooks/prestart", R"([{"args": ["x"]}])"_json),
                        "config.json: hooks.prestart[0].path: is required"));
  EXPECT_TRUE(
      FailsWith(with(minimal(), "/hooks/createRuntime", R"([{"path": "/x", "timeout": 0}])"_json),
                "config.json: hooks.createRuntime[0].timeout: must be greater than 0"));
  EXPECT_TRUE(FailsWith(with(minimal(), "/hooks/poststop", R"({"path": "/x"})"_json),
                        "config.json: hooks.poststop: must be an array"));
}

// LSM labels are read; whether the host can apply them is linux/lsm's decision (test_lsm).
TEST(ParseLinux, LsmLabelsAreRead) {
  json c = minimal();
  c["process"]["apparmorProfile"] = "docker-default";
  c["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0";
  c["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0";
  auto spec = parse_spec(c);
  EXPECT_EQ(spec.process->apparmor_profile, "docker-default");
  EXPECT_EQ(spec.process->selinux_label, "system_u:system_r:container_t:s0");
  EXPECT_EQ(spec.linux.mount_label, "system_u:object_r:container_file_t:s0");
  EXPECT_TRUE(FailsWith(with(minimal(), "/process/apparmorProfile", 7),
                        "config.json: process.apparmorProfile: must be a string"));
}

TEST(ParseUnsupported, EmptyValuesAskForNothing) {
  json c = minimal();
  c["hooks"] = R"({"prestart": [], "createRuntime": null, "poststart": []})"_json;
  c["process"]["apparmorProfile"] = "";
  c["process"]["selinuxLabel"] = nullptr;
  c["process"]["consoleSize"] = {{"height", 10}, {"width", 20}};
  c["linux"]["mountLabel"] = "";
  c["linux"]["intelRdt"] = nullptr;
  c["linux"]["netDevices"] = json::object();
  c["linux"]["seccomp"] = R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": [],
                              "listenerPath": ""})"_json;
  c["linux"]["resources"] = R"({"devices": [], "memory": {}, "pids": null})"_json;
  c["mounts"] = R"([{"destination": "/a", "uidMappings": [], "gidMappings": null}])"_json;
  EXPECT_NO_THROW(parse_spec(c));
}

TEST(ParseUnsupported, TimeNamespace) {
  EXPECT_TRUE(FailsWith(
      with(minimal(), "/linux/namespaces", R"([{"type": "mount"}, {"type": "time"}])"_json),
      "config.json: linux.namespaces[1].type: \"time\" namespaces are not "
      "supported yet"));
}

TEST(ParseResources, EveryFieldIsTyped) {
  json c = with(minimal(), "/linux/resources", R"({
    "memory": {"limit": 67108864, "reservation": 1024, "swap": -1, "kernelTCP": 5,
               "swappiness": 60, "disableOOMKiller": true},
    "cpu": {"shares": 512, "quota": 50000, "period": 100000, "burst": 10, "cpus": "0-1",
            "mems": "0", "idle": 1, "realtimeRuntime": 5, "realtimePeriod": 6},
    "pids": {"limit": 20},
    "blockIO": {"weight": 500, "weightDevice": [{"major": 8, "minor": 0, "weight": 300}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
    "devices": [{"allow": false, "access": "rwm"},
                {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
    "unified": {"memory.high": "50000000"}})"_json);
  const Resources r = parse_spec(c).linux.resources;
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 67108864);
  EXPECT_EQ(r.memory->swap, -1);
  EXPECT_EQ(r.memory->kernel_tcp, 5);
  EXPECT_EQ(r.memory->swappiness, 60u);
  EXPECT_EQ(r.memory->disable_oom_killer, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->quota, 50000);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.cpu->idle, 1);
  EXPECT_EQ(r.cpu->realtime_period, 6u);
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 20);
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 500);
  ASSERT_EQ(r.block_io->weight_device.size(), 1u);
  EXPECT_EQ(r.block_io->weight_device[0].weight, 300);
  ASSERT_EQ(r.block_io->throttle_read_bps.size(), 1u);
  EXPECT_EQ(r.block_io->throttle_read_bps[0].rate, 1048576u);
  ASSERT_EQ(r.hugepage_limits.size(), 1u);
  EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_EQ(r.devices[0].type, 'a');
  EXPECT_FALSE(r.devices[0].major);
  EXPECT_EQ(r.devices[1].minor, 3);
  EXPECT_EQ(r.devices[1].access, "rw");
  EXPECT_EQ(r.unified.at("memory.high"), "50000000");
  EXPECT_TRUE(r.has_limits());
}

// runc's reading of an access string: the r, w and m it names, in any order, repeated or
// beside other letters ("rwa").
TEST(ParseResources, DeviceAccessIsReadAsRuncReadsIt) {
  for (auto [given, kept] : std::vector<std::pair<std::string, std::string>>{
           {"rwa", "rw"}, {"wr", "rw"}, {"mwr", "rwm"}, {"rrw", "rw"}, {"mm", "m"}, {"rx", "r"}}) {
    auto c = minimal();
    c["linux"]["resources"]["devices"] = nlohmann::json::array(
        {{{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", given}}});
    const Resources r = parse_spec(c).linux.resources;
    ASSERT_EQ(r.devices.size(), 1u);
    EXPECT_EQ(r.devices[0].access, kept) << given;
  }
}

TEST(ParseResources, BadValuesNameTheField) {
  struct Case {
    const char* json;
    const char* error;
  };
  const Case cases[] = {
      {R"({"memory": {"swappiness": 101}})",
       "linux.resources.memory.swappiness: must be from 0 to 100"},
      {R"({"memory": {"limit": -5}})", "linux.resources.memory: limits must be -1"},
      {R"({"cpu": {"idle": 3}})", "linux.resources.cpu.idle: must be 0 or 1"},
      {R"({"pids": {}})", "linux.resources.pids.limit: is required"},
      {R"({"blockIO": {"weight": 5}})", "linux.resources.blockIO.weight: must be from 10 to 1000"},
      {R"({"hugepageLimits": [{"pageSize": "2M", "limit": 1}]})",
       "linux.resources.hugepageLimits[0].pageSize: must be a size such as 2MB or 1GB"},
      {R"({"devices": [{"allow": true, "type": "x"}]})",
       "linux.resources.devices[0].type: must be"},
      {R"({"devices": [{"allow": true, "access": "x"}]})",
       "linux.resources.devices[0].access: must name at least one of r, w and m"},
      {R"({"devices": [{"allow": true, "access": ""}]})",
       "linux.resources.devices[0].access: must name at least one of r, w and m"},
      {R"({"unified": {"../x": "1"}})",
       "linux.resources.unified[\"../x\"]: must be the name of a file"},
      {R"({"unified": {"cgroup.procs": "1"}})", "is managed by the runtime"},
      {R"({"network": {"classID": 5}})", "linux.resources.network: not supported yet"},
      {R"({"rdma": {"mlx": {"hcaHandles": 1}}})", "linux.resources.rdma: not supported yet"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    try {
      parse_spec(with(minimal(), "/linux/resources", json::parse(c.json)));
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.error), std::string::npos) << e.what();
    }
  }
}

TEST(ParseResources, UnsetSentinelsAndDefaultWeightAskForNothing) {
  // Go engines write -1 / uint64 max for an unset swappiness; containerd writes cpu.shares 1024
  // (the kernel's default weight) into every config.
  json c = with(minimal(), "/linux/resources",
                R"({"memory": {"swappiness": 18446744073709551615}, "cpu": {"shares": 1024},
                    "blockIO": {"weight": 0}})"_json);
  Resources r = parse_spec(c).linux.resources;
  EXPECT_FALSE(r.memory->swappiness);
  EXPECT_FALSE(r.block_io->weight);
  Resources only_weight;
  only_weight.cpu = CpuResources{};
  only_weight.cpu->shares = 1024;
  EXPECT_FALSE(only_weight.has_limits());
  only_weight.cpu->shares = 512;
  EXPECT_TRUE(only_weight.has_limits());
  Resources only_devices;
  only_devices.devices.push_back(DeviceRule{});
  EXPECT_FALSE(only_devices.has_limits());
}

TEST(ParseResources, EmptySectionsAskForNoLimit) {
  // Engines write empty sections into configs that limit nothing; a rootless container
  // without a cgroup must still run then.
  json c = with(minimal(), "/linux/resources",
                R"({"memory": {}, "cpu": {}, "blockIO": {}, "devices": []})"_json);
  Resources r = parse_spec(c).linux.resources;
  ASSERT_TRUE(r.memory && r.cpu && r.block_io);
  EXPECT_FALSE(r.has_limits());
  r.memory->limit = 33554432;
  EXPECT_TRUE(r.has_limits());
  r.memory->limit.reset();
  r.block_io->weight = 500;
  EXPECT_TRUE(r.has_limits());
}

TEST(ParseResources, UpdateFileErrorsNameTheFile) {
  try {
    parse_resources_file(R"({"pids": {"limit": "x"}})"_json, "res.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "res.json: pids.limit: must be a 64-bit integer");
  }
  EXPECT_THROW(parse_resources_file(json::array(), "res.json"), Error);
  EXPECT_EQ(parse_resources_file(R"({"pids": {"limit": 3}})"_json, "f").pids->limit, 3);
}

// ---- Files -------------------------------------------------------------------------------------

class ParseFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sandbox-parse-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(dir_ + "/config.json") << text; }

  std::string dir_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST_F(ParseFile, LoadsAValidFile) {
  write(full().dump(2));
  Spec s = load_spec(dir_);
  EXPECT_EQ(s.hostname, "box");
  ASSERT_TRUE(s.process.has_value());
  EXPECT_EQ(s.process->rlimits[1].hard, RLIM_INFINITY);
}

TEST_F(ParseFile, MissingFile) {
  std::string msg = error_of([&] { load_spec(dir_); });
  EXPECT_EQ(msg, "config.json: open " + dir_ + "/config.json: no such file or directory");
  try {
    load_spec(dir_);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
  }
}

TEST_F(ParseFile, MissingFileNamesTheAbsolutePath) {
  std::string msg = error_of([] { load_spec("no-such-bundle-dir/./x"); });
  std::string want = "config.json: open " + std::filesystem::current_path().string() +
                     "/no-such-bundle-dir/x/config.json: no such file or directory";
  EXPECT_EQ(msg, want);
}

TEST_F(ParseFile, NotJson) {
  write("{\"ociVersion\": \"1.2.0\",\n  oops\n}");
  std::string msg = error_of([&] { load_spec(dir_); });
  EXPECT_EQ(msg.rfind("config.json: not valid JSON: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(msg.find("[json.exception"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
}

TEST_F(ParseFile, EmptyFileIsNotJson) {
  write("");
  EXPECT_EQ(error_of([&] { load_spec(dir_); }).rfind("config.json: not valid JSON: ", 0), 0u);
}

TEST_F(ParseFile, ValidationErrorsFromAFile) {
  json c = minimal();
  c["process"]["cwd"] = "relative";
  write(c.dump());
  EXPECT_EQ(error_of([&] { load_spec(dir_); }),
            "config.json: process.cwd: must be an absolute path");
}

}  // namespace
