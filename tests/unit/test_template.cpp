#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>

#include <algorithm>
#include <string>
#include <vector>

#include "oci/parse.hpp"
#include "oci/template.hpp"

using nlohmann::json;
using sandbox::oci::IdMapping;
using sandbox::oci::IdRange;
using sandbox::oci::NamespaceType;
using sandbox::oci::parse_spec;
using sandbox::oci::spec_template;
using sandbox::oci::TemplateOptions;

namespace {

const json* find_mount(const json& t, const std::string& destination) {
  for (const auto& m : t["mounts"])
    if (m["destination"] == destination) return &m;
  return nullptr;
}

bool has_option(const json& mount, const std::string& option) {
  const auto& opts = mount["options"];
  return std::find(opts.begin(), opts.end(), option) != opts.end();
}

std::vector<std::string> namespace_types(const json& t) {
  std::vector<std::string> out;
  for (const auto& ns : t["linux"]["namespaces"]) out.push_back(ns["type"]);
  return out;
}

TemplateOptions rootless(std::optional<IdRange> subuid, std::optional<IdRange> subgid) {
  TemplateOptions o;
  o.rootless = true;
  o.uid = 1000;
  o.gid = 1001;
  o.subuid = subuid;
  o.subgid = subgid;
  return o;
}

TEST(Template, RuncShapedDefaults) {
  json t = spec_template({});
  EXPECT_EQ(t["ociVersion"], "1.0.2-dev");
  EXPECT_EQ(t["process"]["terminal"], true);
  EXPECT_EQ(t["process"]["user"], (json{{"uid", 0}, {"gid", 0}}));
  EXPECT_EQ(t["process"]["args"], json::array({"sh"}));
  EXPECT_EQ(t["process"]["env"],
            json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         "TERM=xterm"}));
  EXPECT_EQ(t["process"]["cwd"], "/");
  EXPECT_EQ(t["process"]["noNewPrivileges"], true);
  EXPECT_EQ(t["root"], (json{{"path", "rootfs"}, {"readonly", true}}));
  EXPECT_EQ(t["hostname"], "sandbox");
  EXPECT_EQ(t["linux"]["resources"]["devices"],
            json::parse(R"([{"allow": false, "access": "rwm"}])"));
  EXPECT_EQ(t["linux"]["maskedPaths"].size(), 11u);
  EXPECT_EQ(t["linux"]["readonlyPaths"], json::array({"/proc/bus", "/proc/fs", "/proc/irq",
                                                      "/proc/sys", "/proc/sysrq-trigger"}));
  EXPECT_FALSE(t.contains("hooks"));
  json caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  EXPECT_EQ(
      t["process"]["capabilities"],
      (json{{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}}));
  EXPECT_EQ(namespace_types(t),
            (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount"}));
}

// runc's key order, so the file diffs cleanly against `runc spec`.
std::vector<std::string> keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

TEST(Template, RuncKeyOrder) {
  using V = std::vector<std::string>;
  auto t = spec_template({});
  EXPECT_EQ(keys(t), (V{"ociVersion", "process", "root", "hostname", "mounts", "linux"}));
  EXPECT_EQ(keys(t["process"]), (V{"terminal", "user", "args", "env", "cwd", "capabilities",
                                   "rlimits", "noNewPrivileges"}));
  EXPECT_EQ(keys(t["process"]["capabilities"]),
            (V{"bounding", "effective", "permitted", "ambient"}));
  EXPECT_EQ(keys(t["process"]["rlimits"][0]), (V{"type", "hard", "soft"}));
  EXPECT_EQ(keys(t["mounts"][2]), (V{"destination", "type", "source", "options"}));
  EXPECT_EQ(keys(t["linux"]), (V{"resources", "namespaces", "maskedPaths", "readonlyPaths"}));
  auto r = spec_template(rootless(std::nullopt, std::nullopt));
  EXPECT_EQ(keys(r["linux"]),
            (V{"uidMappings", "gidMappings", "namespaces", "maskedPaths", "readonlyPaths"}));
  EXPECT_EQ(keys(r["linux"]["uidMappings"][0]), (V{"containerID", "hostID", "size"}));
}

TEST(Template, DefaultParsesIntoTheRightValues) {
  auto s = parse_spec(spec_template({}));
  ASSERT_TRUE(s.process.has_value());
  const auto& caps = s.process->capabilities;
  ASSERT_TRUE(caps.has_value());
  std::vector<int> want = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};
  EXPECT_EQ(caps->bounding, want);
  EXPECT_EQ(caps->effective, want);
  EXPECT_EQ(caps->permitted, want);
  EXPECT_TRUE(caps->inheritable.empty());
  // runc's template lists them as ambient too; without them in the inheritable set the
  // kernel cannot raise them, and they are dropped (at --debug), as runc does.
  EXPECT_EQ(caps->ambient, want);
  ASSERT_EQ(s.process->rlimits.size(), 1u);
  EXPECT_EQ(s.process->rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(s.process->rlimits[0].soft, 1024u);
  EXPECT_EQ(s.process->rlimits[0].hard, 1024u);
  EXPECT_TRUE(s.root.readonly);
  EXPECT_EQ(s.mounts.size(), 7u);
  EXPECT_FALSE(s.linux.has_namespace(NamespaceType::User));
  EXPECT_TRUE(s.linux.uid_mappings.empty());
  for (auto t : {NamespaceType::Pid, NamespaceType::Network, NamespaceType::Ipc, NamespaceType::Uts,
                 NamespaceType::Mount}) {
    EXPECT_TRUE(s.linux.has_namespace(t)) << sandbox::oci::namespace_name(t);
  }
  EXPECT_FALSE(s.linux.has_namespace(NamespaceType::Cgroup));
}

TEST(Template, DefaultMounts) {
  json t = spec_template({});
  std::vector<std::string> dests;
  for (const auto& m : t["mounts"]) dests.push_back(m["destination"]);
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                             "/sys", "/sys/fs/cgroup"}));
  const json* pts = find_mount(t, "/dev/pts");
  ASSERT_NE(pts, nullptr);
  EXPECT_EQ((*pts)["type"], "devpts");
  EXPECT_EQ((*pts)["options"], json::array({"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                            "mode=0620", "gid=5"}));
  const json* dev = find_mount(t, "/dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ((*dev)["type"], "tmpfs");
  EXPECT_TRUE(has_option(*dev, "mode=755"));
  EXPECT_TRUE(has_option(*find_mount(t, "/sys"), "ro"));
  EXPECT_TRUE(has_option(*find_mount(t, "/sys/fs/cgroup"), "ro"));
  EXPECT_EQ((*find_mount(t, "/proc"))["type"], "proc");
}

TEST(Template, RootlessWithoutSubordinateIds) {
  json t = spec_template(rootless(std::nullopt, std::nullopt));
  auto types = namespace_types(t);
  EXPECT_NE(std::find(types.begin(), types.end(), "user"), types.end());
  EXPECT_EQ(t["linux"]["uidMappings"],
            json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 1}])"));
  EXPECT_EQ(t["linux"]["gidMappings"],
            json::parse(R"([{"containerID": 0, "hostID": 1001, "size": 1}])"));
  // runc's rootless shape: no network namespace, so /sys is a bind; no device rules.
  EXPECT_EQ(types, (std::vector<std::string>{"pid", "ipc", "uts", "mount", "user"}));
  EXPECT_EQ(*find_mount(t, "/sys"),
            json::parse(R"({"destination": "/sys", "type": "none", "source": "/sys",
                            "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})"));
  EXPECT_NE(find_mount(t, "/sys/fs/cgroup"), nullptr);
  EXPECT_FALSE(t["linux"].contains("resources"));
  const json* pts = find_mount(t, "/dev/pts");
  ASSERT_NE(pts, nullptr);
  EXPECT_FALSE(has_option(*pts, "gid=5"));
  EXPECT_TRUE(has_option(*pts, "newinstance"));

  auto s = parse_spec(t);
  EXPECT_TRUE(s.linux.has_namespace(NamespaceType::User));
  EXPECT_EQ(s.linux.uid_mappings, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_EQ(s.linux.gid_mappings, (std::vector<IdMapping>{{0, 1001, 1}}));
  EXPECT_EQ(s.mounts.size(), 7u);
}

TEST(Template, RootlessWithSubordinateIds) {
  json t = spec_template(rootless(IdRange{100000, 65536}, IdRange{200000, 1000}));
  EXPECT_TRUE(has_option(*find_mount(t, "/dev/pts"), "gid=5"));
  auto s = parse_spec(t);
  EXPECT_EQ(s.linux.uid_mappings, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(s.linux.gid_mappings, (std::vector<IdMapping>{{0, 1001, 1}, {1, 200000, 1000}}));
  auto types = namespace_types(t);
  EXPECT_EQ(std::count(types.begin(), types.end(), "user"), 1);
}

TEST(Template, RootlessWithSubuidOnly) {
  json t = spec_template(rootless(IdRange{100000, 65536}, std::nullopt));
  EXPECT_FALSE(has_option(*find_mount(t, "/dev/pts"), "gid=5"));
  auto s = parse_spec(t);
  EXPECT_EQ(s.linux.uid_mappings.size(), 2u);
  EXPECT_EQ(s.linux.gid_mappings.size(), 1u);
}

TEST(Template, NotRootlessIgnoresIds) {
  TemplateOptions o;
  o.uid = 1000;
  o.gid = 1000;
  o.subuid = IdRange{100000, 65536};
  json t = spec_template(o);
  EXPECT_FALSE(t["linux"].contains("uidMappings"));
  EXPECT_FALSE(t["linux"].contains("gidMappings"));
  auto types = namespace_types(t);
  EXPECT_EQ(std::find(types.begin(), types.end(), "user"), types.end());
}

TEST(Template, SurvivesTextRoundTrip) {
  // What `sandbox spec` writes is the dump; it must read back as the same config.
  for (const auto& o : {TemplateOptions{}, rootless(IdRange{1, 2}, IdRange{3, 4})}) {
    json t = spec_template(o);
    json back = json::parse(t.dump(2));
    EXPECT_EQ(back, t);
    EXPECT_NO_THROW(parse_spec(back));
  }
}

}  // namespace
