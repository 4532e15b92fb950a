#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "linux/idmap.hpp"
#include "linux/subid.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::apply_id_maps;
using sandbox::linux_::default_rootless_mappings;
using sandbox::linux_::find_id_map_helpers;
using sandbox::linux_::IdMapContext;
using sandbox::linux_::IdMapHelpers;
using sandbox::linux_::IdMapPlan;
using sandbox::linux_::MapMethod;
using sandbox::linux_::plan_id_maps;
using sandbox::oci::IdMapping;
using sandbox::oci::IdRange;
using Maps = std::vector<IdMapping>;

namespace {

IdMapContext unprivileged(bool with_helpers = true) {
  IdMapContext c;
  c.euid = 1000;
  c.egid = 1001;
  c.privileged = false;
  if (with_helpers) {
    c.helpers = IdMapHelpers{"/usr/bin/newuidmap", "/usr/bin/newgidmap"};
  } else {
    c.helpers_missing_why = "newuidmap: not found (install the uidmap package)";
  }
  c.subuid = IdRange{100000, 65536};
  c.subgid = IdRange{200000, 65536};
  return c;
}

std::string plan_error(const Maps& uid, const Maps& gid, const IdMapContext& ctx) {
  try {
    plan_id_maps(uid, gid, ctx);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

// ---- plan_id_maps ----

TEST(IdMapPlan, PrivilegedWritesAnythingDirectly) {
  IdMapContext ctx = unprivileged(false);
  ctx.privileged = true;
  ctx.euid = 0;
  Maps uid{{0, 500000, 65536}, {70000, 7, 1}}, gid{{0, 900000, 10}};
  IdMapPlan p = plan_id_maps(uid, gid, ctx);
  EXPECT_EQ(p.method, MapMethod::Direct);
  EXPECT_FALSE(p.deny_setgroups);
  EXPECT_EQ(p.uid, uid);
  EXPECT_EQ(p.gid, gid);
  EXPECT_NE(p.description.find("privileged"), std::string::npos);
}

TEST(IdMapPlan, UnprivilegedOwnIdsAreDirectWithSetgroupsDenied) {
  for (bool helpers : {true, false}) {
    IdMapPlan p = plan_id_maps({{0, 1000, 1}}, {{0, 1001, 1}}, unprivileged(helpers));
    EXPECT_EQ(p.method, MapMethod::Direct);
    EXPECT_TRUE(p.deny_setgroups);
    EXPECT_EQ(p.uid, (Maps{{0, 1000, 1}}));
    EXPECT_EQ(p.gid, (Maps{{0, 1001, 1}}));
    EXPECT_NE(p.description.find("setgroups denied"), std::string::npos);
  }
  // The own id may appear at any container id.
  EXPECT_EQ(plan_id_maps({{1000, 1000, 1}}, {{5, 1001, 1}}, unprivileged()).method,
            MapMethod::Direct);
}

TEST(IdMapPlan, UnprivilegedRangesUseHelpers) {
  Maps uid{{0, 1000, 1}, {1, 100000, 65536}}, gid{{0, 1001, 1}, {1, 200000, 100}};
  IdMapPlan p = plan_id_maps(uid, gid, unprivileged());
  EXPECT_EQ(p.method, MapMethod::Helpers);
  EXPECT_FALSE(p.deny_setgroups);
  EXPECT_EQ(p.uid, uid);
  EXPECT_EQ(p.gid, gid);
  EXPECT_EQ(p.helpers.newuidmap, "/usr/bin/newuidmap");
  EXPECT_EQ(p.helpers.newgidmap, "/usr/bin/newgidmap");
  EXPECT_NE(p.description.find("/usr/bin/newuidmap"), std::string::npos);
}

TEST(IdMapPlan, SomeoneElsesSingleIdNeedsHelpers) {
  // Size 1 but not our id: the kernel would refuse a direct write.
  EXPECT_EQ(plan_id_maps({{0, 100005, 1}}, {{0, 1001, 1}}, unprivileged()).method,
            MapMethod::Helpers);
  // Our id, but more than one id of it.
  EXPECT_EQ(plan_id_maps({{0, 1000, 1}}, {{0, 1001, 1}, {1, 200000, 1}}, unprivileged()).method,
            MapMethod::Helpers);
}

TEST(IdMapPlan, MissingHelpersNameTheFieldAndWhy) {
  EXPECT_EQ(plan_error({{0, 1000, 1}, {1, 100000, 65536}}, {{0, 1001, 1}}, unprivileged(false)),
            "config.json: linux.uidMappings: mapping more than your own id needs "
            "newuidmap/newgidmap: newuidmap: not found (install the uidmap package)");
  EXPECT_EQ(plan_error({{0, 1000, 1}}, {{0, 1001, 1}, {1, 200000, 5}}, unprivileged(false)),
            "config.json: linux.gidMappings: mapping more than your own id needs "
            "newuidmap/newgidmap: newuidmap: not found (install the uidmap package)");
}

TEST(IdMapPlan, UngrantedRangesNameTheMapping) {
  EXPECT_EQ(plan_error({{0, 1000, 1}, {1, 200000, 65536}}, {{0, 1001, 1}}, unprivileged()),
            "config.json: linux.uidMappings[1]: host ids 200000-265535 are not granted to uid "
            "1000 in /etc/subuid (your grant is 100000-165535)");
  // One past the end of the grant.
  EXPECT_EQ(plan_error({{0, 100000, 65537}}, {}, unprivileged()),
            "config.json: linux.uidMappings[0]: host ids 100000-165536 are not granted to uid "
            "1000 in /etc/subuid (your grant is 100000-165535)");
  EXPECT_EQ(plan_error({{0, 1000, 1}}, {{0, 1001, 1}, {1, 5, 1}}, unprivileged()),
            "config.json: linux.gidMappings[1]: host id 5 is not granted to uid 1000 in "
            "/etc/subgid (your grant is 200000-265535)");
  IdMapContext no_grant = unprivileged();
  no_grant.subgid.reset();
  EXPECT_EQ(plan_error({{0, 1000, 1}}, {{0, 1001, 1}, {1, 200000, 10}}, no_grant),
            "config.json: linux.gidMappings[1]: host ids 200000-200009 are not granted to uid "
            "1000 in /etc/subgid (it has no entry for you)");
  // Exactly the whole grant is fine, and so are pieces of it.
  EXPECT_NO_THROW(
      plan_id_maps({{0, 100000, 65536}}, {{0, 200000, 1}, {1, 200001, 9}}, unprivileged()));
}

TEST(IdMapPlan, ZeroSizeIsRefused) {
  EXPECT_EQ(plan_error({{0, 1000, 0}}, {}, unprivileged()),
            "config.json: linux.uidMappings[0]: size must be at least 1");
  IdMapContext root = unprivileged();
  root.privileged = true;
  EXPECT_EQ(plan_error({{0, 0, 1}}, {{0, 0, 1}, {1, 1, 0}}, root),
            "config.json: linux.gidMappings[1]: size must be at least 1");
}

// ---- default_rootless_mappings ----

TEST(IdMapDefaults, OwnIdPlusGrantWithHelpers) {
  auto [uid, gid] = default_rootless_mappings(unprivileged());
  EXPECT_EQ(uid, (Maps{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(gid, (Maps{{0, 1001, 1}, {1, 200000, 65536}}));
  // And the planner takes them as they are.
  EXPECT_EQ(plan_id_maps(uid, gid, unprivileged()).method, MapMethod::Helpers);
}

TEST(IdMapDefaults, OnlyOwnIdWithoutHelpersOrGrant) {
  auto [uid, gid] = default_rootless_mappings(unprivileged(false));
  EXPECT_EQ(uid, (Maps{{0, 1000, 1}}));
  EXPECT_EQ(gid, (Maps{{0, 1001, 1}}));
  EXPECT_EQ(plan_id_maps(uid, gid, unprivileged(false)).method, MapMethod::Direct);

  IdMapContext no_subgid = unprivileged();
  no_subgid.subgid.reset();
  auto [uid2, gid2] = default_rootless_mappings(no_subgid);
  EXPECT_EQ(uid2.size(), 2u);
  EXPECT_EQ(gid2, (Maps{{0, 1001, 1}}));
}

// ---- find_id_map_helpers ----

TEST(IdMapHelpers, FoundOrExplained) {
  std::string why;
  auto h = find_id_map_helpers(&why);
  if (h) {
    EXPECT_TRUE(why.empty());
    EXPECT_EQ(h->newuidmap.front(), '/');
    EXPECT_TRUE(h->newuidmap.ends_with("/newuidmap"));
    EXPECT_TRUE(h->newgidmap.ends_with("/newgidmap"));
  } else {
    EXPECT_TRUE(why.starts_with("newuidmap: ") || why.starts_with("newgidmap: ")) << why;
  }
  EXPECT_NO_THROW(find_id_map_helpers(nullptr));
}

// A plain copy early in PATH is passed over (or named, when nothing better exists).
TEST(IdMapHelpers, NonSetuidCopyIsNotUsed) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / ("idmap-helpers-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* name : {"newuidmap", "newgidmap"}) {
    fs::copy_file("/bin/true", dir / name, fs::copy_options::overwrite_existing);
    fs::permissions(dir / name, fs::perms::owner_all);
  }
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", dir.c_str(), 1);
  std::string why;
  auto h = find_id_map_helpers(&why);
  ::setenv("PATH", old_path.c_str(), 1);
  fs::remove_all(dir);
  if (h) {
    EXPECT_FALSE(h->newuidmap.starts_with(dir.string()));
  } else {
    std::string copy = (dir / "newuidmap").string();
    EXPECT_EQ(why, "newuidmap: " + copy + " is not setuid root (chmod u+s " + copy +
                       ", or reinstall uidmap)")
        << why;
  }
}

// ---- apply_id_maps against a real child in a new user namespace ----

namespace {

// A forked child that unshares its user namespace and waits; once released it sends back its
// uid_map and gid_map.
class UsernsChild {
 public:
  UsernsChild() {
    int ready[2], go[2], result[2];
    if (::pipe(ready) || ::pipe(go) || ::pipe(result)) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      ::close(result[0]);
      char ok = ::unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
      if (::write(ready[1], &ok, 1) != 1 || ok != 'y') ::_exit(1);
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      std::string maps = read("/proc/self/uid_map") + "--\n" + read("/proc/self/gid_map");
      ::_exit(::write(result[1], maps.data(), maps.size()) > 0 ? 0 : 1);
    }
    ::close(ready[1]);
    ::close(go[0]);
    ::close(result[1]);
    char ok = 'n';
    started_ = ::read(ready[0], &ok, 1) == 1 && ok == 'y';
    ::close(ready[0]);
    go_ = go[1];
    result_ = result[0];
  }
  ~UsernsChild() {
    ::close(go_);
    ::close(result_);
    ::waitpid(pid_, nullptr, 0);
  }
  bool started() const { return started_; }
  pid_t pid() const { return pid_; }

  // Releases the child and returns {uid map, gid map} as it sees them.
  std::pair<Maps, Maps> maps() {
    if (::write(go_, "g", 1) != 1) return {};
    std::string text;
    char buf[1024];
    for (ssize_t n; (n = ::read(result_, buf, sizeof(buf))) > 0;) text.append(buf, n);
    auto sep = text.find("--\n");
    if (sep == std::string::npos) return {};
    return {parse(text.substr(0, sep)), parse(text.substr(sep + 3))};
  }

 private:
  static std::string read(const char* path) {
    FILE* f = std::fopen(path, "r");
    if (!f) return "";
    std::string s;
    for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
    std::fclose(f);
    return s;
  }
  static Maps parse(const std::string& text) {
    Maps out;
    std::istringstream in(text);
    IdMapping m;
    while (in >> m.container_id >> m.host_id >> m.size) out.push_back(m);
    return out;
  }

  pid_t pid_ = -1;
  int go_ = -1, result_ = -1;
  bool started_ = false;
};

}  // namespace

// Works for any user: an unprivileged process may map its own ids once setgroups is denied.
TEST(IdMapApply, DirectOwnIds) {
  UsernsChild child;
  if (!child.started()) GTEST_SKIP() << "cannot create a user namespace here";
  IdMapContext ctx;
  ctx.euid = ::geteuid();
  ctx.egid = ::getegid();
  IdMapPlan plan = plan_id_maps({{0, ctx.euid, 1}}, {{0, ctx.egid, 1}}, ctx);
  ASSERT_EQ(plan.method, MapMethod::Direct);
  ASSERT_TRUE(plan.deny_setgroups);
  apply_id_maps(child.pid(), plan);
  auto [uid, gid] = child.maps();
  EXPECT_EQ(uid, (Maps{{0, ctx.euid, 1}}));
  EXPECT_EQ(gid, (Maps{{0, ctx.egid, 1}}));
}

TEST(IdMapApply, DirectRangesAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  UsernsChild child;
  if (!child.started()) GTEST_SKIP() << "cannot create a user namespace here";
  IdMapContext ctx;
  ctx.privileged = true;
  Maps want_uid{{0, 100000, 65536}, {65536, 0, 1}}, want_gid{{0, 200000, 1000}};
  apply_id_maps(child.pid(), plan_id_maps(want_uid, want_gid, ctx));
  auto [uid, gid] = child.maps();
  EXPECT_EQ(uid, want_uid);
  EXPECT_EQ(gid, want_gid);
}

TEST(IdMapApply, DirectFailureNamesTheFile) {
  UsernsChild child;
  if (!child.started()) GTEST_SKIP() << "cannot create a user namespace here";
  IdMapPlan plan;
  plan.uid = {{0, ::geteuid(), 1}, {0, ::geteuid(), 1}};  // overlapping: the kernel refuses it
  try {
    apply_id_maps(child.pid(), plan);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "id maps: write /proc/" + std::to_string(child.pid()) + "/uid_map: invalid argument");
  }
}

// The helpers as the current user with its own grant. Runs as a user with /etc/subuid and
// /etc/subgid entries (the unprivileged test user); root usually has none and skips. Running
// the helpers for another user from inside this test process is not possible, so the root run
// covers only the failure path below.
TEST(IdMapApply, HelpersWithOwnGrant) {
  std::string why;
  IdMapContext ctx;
  ctx.euid = ::geteuid();
  ctx.egid = ::getegid();
  ctx.helpers = find_id_map_helpers(&why);
  ctx.subuid = sandbox::linux_::read_subuid(ctx.euid);
  ctx.subgid = sandbox::linux_::read_subgid(ctx.euid);
  if (!ctx.helpers) GTEST_SKIP() << why;
  if (!ctx.subuid || !ctx.subgid) GTEST_SKIP() << "no /etc/subuid or /etc/subgid grant";
  UsernsChild child;
  if (!child.started()) GTEST_SKIP() << "cannot create a user namespace here";
  auto [want_uid, want_gid] = default_rootless_mappings(ctx);
  IdMapPlan plan = plan_id_maps(want_uid, want_gid, ctx);
  ASSERT_EQ(plan.method, MapMethod::Helpers);
  apply_id_maps(child.pid(), plan);
  auto [uid, gid] = child.maps();
  EXPECT_EQ(uid, want_uid);
  EXPECT_EQ(gid, want_gid);
}

// A helper that fails: its exit status and its stderr come back in one line.
TEST(IdMapApply, HelperFailureIsReported) {
  std::string why;
  auto helpers = find_id_map_helpers(&why);
  if (!helpers) GTEST_SKIP() << why;
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);  // a pid with no process behind it (for now)
  IdMapPlan plan;
  plan.method = MapMethod::Helpers;
  plan.helpers = *helpers;
  plan.uid = {{0, ::geteuid(), 1}};
  try {
    apply_id_maps(gone, plan);
    FAIL() << "no exception";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_TRUE(msg.starts_with("newuidmap: exit status 1: ")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}
