// The docker-format import and export (seccomp_profiles/docker_format) and the profile lookup
// (seccomp_profiles/library), on small documents.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "linux/seccomp.hpp"
#include "oci/parse.hpp"
#include "seccomp_profiles/docker_format.hpp"
#include "seccomp_profiles/library.hpp"
#include "sys/error.hpp"

namespace sp = sandbox::seccomp_profile;
using json = nlohmann::json;

namespace {

std::vector<std::string> names_of(const json& oci) {
  std::vector<std::string> out;
  for (const auto& r : oci.at("syscalls"))
    for (const auto& n : r.at("names")) out.push_back(n.get<std::string>());
  return out;
}

const json kDocker = json::parse(R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
  ],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "always"},
    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
    {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["bpf"], "action": "SCMP_ACT_ALLOW",
     "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_BPF"]}},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
     "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
    {"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
     "excludes": {"minKernel": "5.0"}},
    {"name": "sync", "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}}
  ]
})");

sp::DockerTarget target(std::vector<std::string> caps, std::string arch, int major = 6,
                        int minor = 1) {
  return {std::move(caps), std::move(arch), sp::KernelVersion{major, minor}};
}

}  // namespace

TEST(SeccompProfileDocker, ArchMapGivesTheTargetsArchitectures) {
  json x86 = sp::from_docker(kDocker, target({}, "amd64"));
  EXPECT_EQ(x86.at("architectures"),
            json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  json arm = sp::from_docker(kDocker, target({}, "SCMP_ARCH_AARCH64"));
  EXPECT_EQ(arm.at("architectures"), json::array({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_EQ(x86.at("defaultAction"), "SCMP_ACT_ERRNO");
  EXPECT_EQ(x86.at("defaultErrnoRet"), 1);
}

TEST(SeccompProfileDocker, IncludesAndExcludesByCapsArchAndKernel) {
  auto plain = names_of(sp::from_docker(kDocker, target({"CAP_KILL"}, "amd64")));
  EXPECT_EQ(plain, (std::vector<std::string>{"read", "write", "arch_prctl", "clone", "ptrace"}));

  // CAP_SYS_ADMIN: mount comes in, clone (excluded by the cap) goes; bpf needs both caps.
  auto admin = names_of(sp::from_docker(kDocker, target({"CAP_SYS_ADMIN"}, "amd64")));
  EXPECT_EQ(admin, (std::vector<std::string>{"read", "write", "arch_prctl", "mount", "ptrace"}));
  auto both = names_of(sp::from_docker(kDocker, target({"CAP_SYS_ADMIN", "CAP_BPF"}, "amd64")));
  EXPECT_NE(std::find(both.begin(), both.end(), "bpf"), both.end());

  // arm64: no arch_prctl, the old single "name" rule is there; s390x loses clone.
  auto arm = names_of(sp::from_docker(kDocker, target({}, "arm64")));
  EXPECT_EQ(arm, (std::vector<std::string>{"read", "write", "clone", "ptrace", "sync"}));
  auto s390 = names_of(sp::from_docker(kDocker, target({}, "s390x")));
  EXPECT_EQ(std::find(s390.begin(), s390.end(), "clone"), s390.end());

  // An old kernel: no ptrace (includes.minKernel 4.8), and uname's ENOSYS rule applies.
  auto old = names_of(sp::from_docker(kDocker, target({}, "amd64", 4, 4)));
  EXPECT_EQ(old, (std::vector<std::string>{"read", "write", "arch_prctl", "clone", "uname"}));
}

TEST(SeccompProfileDocker, RulesKeepArgsAndErrnoAndDropComments) {
  json oci = sp::from_docker(kDocker, target({}, "amd64", 4, 4));
  for (const auto& r : oci.at("syscalls")) {
    EXPECT_FALSE(r.contains("comment"));
    EXPECT_FALSE(r.contains("includes"));
    EXPECT_FALSE(r.contains("excludes"));
    if (r.at("names")[0] == "clone") {
      EXPECT_EQ(r.at("args")[0].at("value"), 2114060288);
    }
    if (r.at("names")[0] == "uname") {
      EXPECT_EQ(r.at("errnoRet"), 38);
    }
  }
  // The result is a linux.seccomp the parser takes.
  json config = {{"ociVersion", "1.0.2"},
                 {"root", {{"path", "rootfs"}}},
                 {"process", {{"args", {"sh"}}, {"cwd", "/"}}},
                 {"linux", {{"seccomp", oci}}}};
  EXPECT_NO_THROW(sandbox::oci::parse_spec(config));
}

TEST(SeccompProfileDocker, DetectsTheFormat) {
  EXPECT_TRUE(sp::is_docker_format(kDocker));
  EXPECT_TRUE(sp::is_docker_format(json::parse(
      R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","excludes":{}}]})")));
  EXPECT_FALSE(sp::is_docker_format(json::parse(
      R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO"}]})")));
}

TEST(SeccompProfileDocker, MalformedDocumentsAreRefused) {
  auto t = target({}, "amd64");
  EXPECT_THROW(sp::from_docker(json::parse(R"({"syscalls":[]})"), t), sandbox::Error);
  EXPECT_THROW(sp::from_docker(json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "architectures":["SCMP_ARCH_X86_64"],"archMap":[]})"),
                               t),
               sandbox::Error);
  EXPECT_THROW(sp::from_docker(json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"new"}}]})"),
                               t),
               sandbox::Error);
  EXPECT_THROW(sp::from_docker(json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"name":"x","names":["y"],"action":"SCMP_ACT_ALLOW"}]})"),
                               t),
               sandbox::Error);
}

TEST(SeccompProfileDocker, ToDockerAndBack) {
  json oci = json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
      "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["socket"],"action":"SCMP_ACT_ALLOW",
                   "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]})");
  json docker = sp::to_docker(oci);
  EXPECT_FALSE(docker.contains("architectures"));
  EXPECT_EQ(docker.at("archMap"), json::parse(R"([{"architecture":"SCMP_ARCH_X86_64",
                             "subArchitectures":["SCMP_ARCH_X86"]}])"));
  EXPECT_TRUE(sp::is_docker_format(docker));
  EXPECT_EQ(sp::from_docker(docker, target({}, "amd64")), oci);
}

TEST(SeccompProfileDocker, KernelVersions) {
  EXPECT_EQ(sp::parse_kernel_version("5.10", "f"), (sp::KernelVersion{5, 10}));
  EXPECT_EQ(sp::parse_kernel_version("4.8.0-rc1", "f"), (sp::KernelVersion{4, 8}));
  EXPECT_THROW(sp::parse_kernel_version("5", "f"), sandbox::Error);
  EXPECT_TRUE(sp::KernelVersion({5, 10}) > sp::KernelVersion({5, 9}));
}

class SeccompProfileLibrary : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sp-lib-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    std::filesystem::create_directories(root + "/share/sandbox/profiles");
    std::filesystem::create_directories(root + "/bin");
    write(root + "/share/sandbox/profiles/default.json",
          R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]})");
    write(root + "/share/sandbox/profiles/strict.json",
          R"({"defaultAction":"SCMP_ACT_KILL","syscalls":[]})");
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  std::string root;
};

TEST_F(SeccompProfileLibrary, NamesFilesAndErrors) {
  auto dirs = sp::profile_dirs(root + "/bin/sandbox");
  ASSERT_EQ(dirs, (std::vector<std::string>{root + "/share/sandbox/profiles"}));
  EXPECT_EQ(sp::known_profiles(dirs), (std::vector<std::string>{"default", "strict"}));
  auto t = target({}, "amd64");
  EXPECT_EQ(sp::load_profile("strict", dirs, t).at("defaultAction"), "SCMP_ACT_KILL");
  try {
    sp::load_profile("nope", dirs, t);
    FAIL() << "no error for an unknown name";
  } catch (const sandbox::Error& e) {
    EXPECT_STREQ(e.what(), "seccomp profile \"nope\": no such profile (known: default, strict)");
  }
  // A file: a docker-format one is converted.
  write(root + "/d.json", R"({"defaultAction":"SCMP_ACT_ALLOW","archMap":[
      {"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}],"syscalls":[
      {"names":["mount"],"action":"SCMP_ACT_ERRNO","excludes":{"caps":["CAP_SYS_ADMIN"]}}]})");
  json d = sp::load_profile(root + "/d.json", dirs, t);
  EXPECT_EQ(d.at("architectures"), json::array({"SCMP_ARCH_X86_64"}));
  EXPECT_EQ(d.at("syscalls").size(), 1u);
  write(root + "/bad.json", "{");
  EXPECT_THROW(sp::load_profile(root + "/bad.json", dirs, t), sandbox::Error);
  write(root + "/nodefault.json", R"({"syscalls":[]})");
  EXPECT_THROW(sp::load_profile(root + "/nodefault.json", dirs, t), sandbox::Error);
  EXPECT_THROW(sp::load_profile(root + "/missing.json", dirs, t), sandbox::Error);
}

// The shipped profiles parse and compile into a config (the generator's output is valid).
TEST(SeccompProfileShipped, EachParses) {
  std::string dir = std::string(SANDBOX_SOURCE_DIR) + "/profiles";
  auto names = sp::known_profiles({dir});
  EXPECT_EQ(names, (std::vector<std::string>{"default", "no-network", "strict"}));
  for (const auto& n : names) {
    json p = sp::load_profile(n, {dir}, target({}, "amd64"));
    json config = {{"ociVersion", "1.0.2"},
                   {"root", {{"path", "rootfs"}}},
                   {"process", {{"args", {"sh"}}, {"cwd", "/"}}},
                   {"linux", {{"seccomp", p}}}};
    sandbox::oci::Spec spec = sandbox::oci::parse_spec(config);
    auto program = sandbox::linux_::compile_seccomp(*spec.linux.seccomp);
    EXPECT_FALSE(program.filter.empty()) << n;
  }
}
