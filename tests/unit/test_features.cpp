#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "linux/mount_options.hpp"
#include "linux/seccomp.hpp"
#include "oci/parse.hpp"
#include "runtime/operations.hpp"
#include "sys/error.hpp"
#include "version.hpp"

using nlohmann::json;
using sandbox::runtime::features_document;

namespace {

bool contains(const json& array, const std::string& s) {
  return std::find(array.begin(), array.end(), json(s)) != array.end();
}

json minimal_config() {
  return R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"]},
             "linux": {"namespaces": [{"type": "mount"}]}})"_json;
}

}  // namespace

TEST(Features, ValidJsonWithTheRequiredFields) {
  json f = json::parse(features_document().dump(4));
  EXPECT_EQ(f["ociVersionMin"], "1.0.0");
  EXPECT_EQ(f["ociVersionMax"], sandbox::kSpecVersion);
  EXPECT_TRUE(f["hooks"].is_array());
  EXPECT_EQ(f["hooks"].size(), 6u);  // the six kinds config.json may name
  EXPECT_TRUE(f["potentiallyUnsafeConfigAnnotations"].is_array());
  EXPECT_EQ(f["annotations"]["org.sandbox.version"], sandbox::kVersion);
  EXPECT_EQ(f["annotations"]["org.sandbox.commit"], sandbox::kCommit);
  std::string seccomp_version = f["annotations"]["io.github.seccomp.libseccomp.version"];
  EXPECT_EQ(std::count(seccomp_version.begin(), seccomp_version.end(), '.'), 2);
}

TEST(Features, Namespaces) {
  const json f = features_document();
  const json& ns = f["linux"]["namespaces"];
  for (const char* t : {"user", "mount", "pid", "uts", "ipc", "network", "cgroup"})
    EXPECT_TRUE(contains(ns, t)) << t;
  EXPECT_FALSE(contains(ns, "time"));  // refused by the parser
  // Every listed type is one config.json may use.
  for (const auto& t : ns) {
    json c = minimal_config();
    if (t != "mount") c["linux"]["namespaces"].push_back(json{{"type", t}});
    EXPECT_NO_THROW(sandbox::oci::parse_spec(c)) << t;
  }
}

TEST(Features, Capabilities) {
  const json f = features_document();
  const json& caps = f["linux"]["capabilities"];
  ASSERT_GE(caps.size(), 38u);  // CAP_CHOWN .. CAP_AUDIT_READ at least
  EXPECT_EQ(caps[0], "CAP_CHOWN");
  EXPECT_TRUE(contains(caps, "CAP_SYS_ADMIN"));
  json c = minimal_config();
  for (const auto& cap : caps) {
    std::string name = cap;
    EXPECT_EQ(name.rfind("CAP_", 0), 0u) << name;
    c["process"]["capabilities"]["bounding"].push_back(name);
  }
  EXPECT_NO_THROW(sandbox::oci::parse_spec(c));
}

TEST(Features, ClaimsExactlyWhatIsImplemented) {
  json f = features_document();
  const json& l = f["linux"];
  for (const char* k : {"v1", "v2", "systemd", "systemdUser"}) EXPECT_EQ(l["cgroup"][k], true) << k;
  EXPECT_EQ(l["cgroup"]["rdma"], false);
  EXPECT_EQ(l["apparmor"]["enabled"], true);  // applied where the host runs AppArmor (linux/lsm)
  EXPECT_EQ(l["selinux"]["enabled"], false);
  EXPECT_EQ(l["intelRdt"]["enabled"], false);
  EXPECT_EQ(l["mountExtensions"]["idmap"]["enabled"], false);
  EXPECT_EQ(l["seccomp"]["knownFlags"],
            json::parse(R"(["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"])"));
  EXPECT_TRUE(contains(l["seccomp"]["supportedFlags"], "SECCOMP_FILTER_FLAG_LOG"));
  EXPECT_TRUE(contains(l["seccomp"]["actions"], "SCMP_ACT_NOTIFY"));
  // Only fields of runtime-spec 1.2 (ociVersionMax): nothing from later versions.
  EXPECT_FALSE(l.contains("netDevices"));
  EXPECT_FALSE(l.contains("memoryPolicy"));
}

TEST(Features, MountOptionsAreAllRecognized) {
  const json f = features_document();
  const json& opts = f["mountOptions"];
  for (const char* o : {"ro", "rro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "rprivate",
                        "tmpcopyup", "nosymfollow"})
    EXPECT_TRUE(contains(opts, o)) << o;
  EXPECT_TRUE(std::is_sorted(opts.begin(), opts.end()));
  // None of them is taken for filesystem data.
  for (const auto& o : opts) {
    auto parsed = sandbox::linux_::parse_mount_options({o.get<std::string>()});
    EXPECT_TRUE(parsed.data.empty()) << o;
  }
  // And filesystem data is not listed.
  EXPECT_FALSE(contains(opts, "size"));
  EXPECT_FALSE(contains(opts, "idmap"));
}

TEST(Features, SeccompNamesAreAccepted) {
  const json f = features_document();
  const json& s = f["linux"]["seccomp"];
  EXPECT_EQ(s["enabled"], true);
  EXPECT_TRUE(contains(s["archs"], "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(contains(s["operators"], "SCMP_CMP_MASKED_EQ"));
  // Each action as a rule's (NOTIFY may not be the default, and needs its listener).
  for (const auto& a : s["actions"]) {
    sandbox::oci::Seccomp sc;
    sc.default_action = "SCMP_ACT_ALLOW";
    sc.syscalls.push_back({{"getppid"}, a.get<std::string>(), std::nullopt, {}});
    if (a == "SCMP_ACT_NOTIFY") sc.listener_path = "/agent.sock";
    EXPECT_NO_THROW(sandbox::linux_::compile_seccomp(sc)) << a;
  }
  // Each supported flag, with a NOTIFY rule (WAIT_KILLABLE_RECV needs one).
  for (const auto& flag : s["supportedFlags"]) {
    sandbox::oci::Seccomp sc;
    sc.default_action = "SCMP_ACT_ALLOW";
    sc.syscalls.push_back({{"getppid"}, "SCMP_ACT_NOTIFY", std::nullopt, {}});
    sc.listener_path = "/agent.sock";
    sc.flags = {flag.get<std::string>()};
    EXPECT_NO_THROW(sandbox::linux_::compile_seccomp(sc)) << flag;
  }
  for (const auto& op : s["operators"]) {
    sandbox::oci::Seccomp sc;
    sc.default_action = "SCMP_ACT_ALLOW";
    sc.syscalls.push_back(
        {{"getpid"}, "SCMP_ACT_ERRNO", std::nullopt, {{0, 1, 0, op.get<std::string>()}}});
    EXPECT_NO_THROW(sandbox::linux_::compile_seccomp(sc)) << op;
  }
  // Every architecture name is known (a filter may still refuse to mix some of them).
  for (const auto& arch : s["archs"]) {
    sandbox::oci::Seccomp sc;
    sc.default_action = "SCMP_ACT_ALLOW";
    sc.architectures = {arch.get<std::string>()};
    try {
      sandbox::linux_::compile_seccomp(sc);
    } catch (const sandbox::Error& e) {
      EXPECT_EQ(std::string(e.what()).find("unknown architecture"), std::string::npos) << e.what();
    }
  }
}
