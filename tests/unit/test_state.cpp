#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "state/container.hpp"
#include "state/id.hpp"
#include "state/root.hpp"
#include "state/state_json.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace fs = std::filesystem;
using namespace sandbox;
using state::ContainerDir;
using state::StateRoot;

namespace {

class StateStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/state-test.XXXXXX";
    base_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
};

}  // namespace

TEST(StateId, AcceptsRuncIds) {
  EXPECT_NO_THROW(state::validate_id("box1"));
  EXPECT_NO_THROW(state::validate_id("a.b_c+d-e"));
}

TEST(StateId, RejectsPathsAndSpecials) {
  for (const char* bad : {"", ".", "..", "a/b", "../x", "a b", "a\nb"}) {
    try {
      state::validate_id(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("invalid container id"), std::string::npos);
    }
  }
}

TEST(StateDefaultRoot, RootOfAUserNamespaceIsTheUser) {
  // Rootless podman runs us as uid 0 of its user namespace: runc's rule makes that the user.
  char tmpl[] = "/tmp/xdg-test.XXXXXX";
  std::string xdg = ::mkdtemp(tmpl);
  EXPECT_EQ(state::default_root(0, xdg.c_str(), true),
            ::geteuid() == 0 ? xdg + "/sandbox" : "/run/sandbox");
  EXPECT_EQ(state::default_root(0, nullptr, true), "/run/sandbox");
  EXPECT_EQ(state::default_root(0, xdg.c_str(), false), "/run/sandbox");
  ::rmdir(xdg.c_str());
}

TEST(StateDefaultRoot, PerUser) {
  EXPECT_EQ(state::default_root(0, "/run/user/0"), "/run/sandbox");
  EXPECT_EQ(state::default_root(12345, nullptr), "/tmp/sandbox-12345");
  EXPECT_EQ(state::default_root(12345, "/nonexistent-xdg"), "/tmp/sandbox-12345");
  // An XDG_RUNTIME_DIR that belongs to the user is used; as root, give it to another uid.
  char tmpl[] = "/tmp/xdg-test.XXXXXX";
  std::string xdg = ::mkdtemp(tmpl);
  uid_t user = ::geteuid();
  if (user == 0) {
    user = 12345;
    ASSERT_EQ(::chown(xdg.c_str(), user, user), 0);
  }
  EXPECT_EQ(state::default_root(user, xdg.c_str()), xdg + "/sandbox");
  EXPECT_EQ(state::default_root(user + 1, xdg.c_str()), "/tmp/sandbox-" + std::to_string(user + 1));
  fs::remove_all(xdg);
}

TEST_F(StateStore, RootIsCreatedPrivate) {
  auto root = StateRoot::open((base_ / "a/b/root").string(), StateRoot::Mode::Create);
  ASSERT_TRUE(root.valid());
  struct stat st {};
  ASSERT_EQ(::stat((base_ / "a/b/root").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(StateStore, SymlinkRootIsRefused) {
  fs::create_directory(base_ / "real");
  fs::create_directory_symlink(base_ / "real", base_ / "link");
  try {
    StateRoot::open((base_ / "link").string(), StateRoot::Mode::Create);
    FAIL() << "a symlinked root was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("symlink"), std::string::npos) << e.what();
  }
}

TEST_F(StateStore, WorldWritableRootIsRefused) {
  fs::create_directory(base_ / "open");
  ::chmod((base_ / "open").c_str(), 0777);
  EXPECT_THROW(StateRoot::open((base_ / "open").string(), StateRoot::Mode::Create), Error);
}

TEST_F(StateStore, MissingRootModes) {
  auto p = (base_ / "missing").string();
  EXPECT_FALSE(StateRoot::open(p, StateRoot::Mode::MayBeMissing).valid());
  EXPECT_THROW(StateRoot::open(p, StateRoot::Mode::MustExist), Error);
  EXPECT_FALSE(fs::exists(p));
}

TEST_F(StateStore, CreateSaveLoadRemove) {
  auto root = StateRoot::open((base_ / "root").string(), StateRoot::Mode::Create);
  {
    auto dir = ContainerDir::create(root, "c1");
    EXPECT_FALSE(dir.load().has_value());
    state::ContainerState st;
    st.id = "c1";
    st.pid = ::getpid();
    st.pid_start_time = *sys::process_start_time(::getpid());
    st.bundle = "/b";
    st.annotations = {{"k", "v"}};
    dir.save(st);
    auto back = dir.load();
    ASSERT_TRUE(back);
    EXPECT_EQ(back->pid, ::getpid());
    EXPECT_EQ(back->bundle, "/b");
    EXPECT_EQ(back->annotations.at("k"), "v");
    EXPECT_EQ(dir.status(back), state::Status::Running);
    EXPECT_EQ(root.ids(), std::vector<std::string>{"c1"});
  }
  try {
    ContainerDir::create(root, "c1");
    FAIL() << "an id in use was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos);
  }
  auto dir = ContainerDir::open(root, "c1");
  dir.remove(root);
  EXPECT_FALSE(fs::exists(base_ / "root/c1"));
  EXPECT_FALSE(ContainerDir::open_if_exists(root, "c1").has_value());
}

TEST_F(StateStore, ReusedPidIsStopped) {
  auto root = StateRoot::open((base_ / "root").string(), StateRoot::Mode::Create);
  auto dir = ContainerDir::create(root, "c2");
  state::ContainerState st;
  st.pid = ::getpid();
  st.pid_start_time = *sys::process_start_time(::getpid()) + 1;  // another process's life
  dir.save(st);
  EXPECT_EQ(dir.status(dir.load()), state::Status::Stopped);
}

TEST_F(StateStore, OciStateJson) {
  state::ContainerState st;
  st.oci_version = "1.2.0";
  st.pid = 42;
  st.bundle = "/b";
  st.rootfs = "/b/rootfs";
  st.created = "2026-11-22T00:00:00.000000000Z";
  auto running = state::oci_state_json(st, state::Status::Running, "x");
  EXPECT_EQ(running["status"], "running");
  EXPECT_EQ(running["pid"], 42);
  EXPECT_EQ(running["id"], "x");
  auto stopped = state::oci_state_json(st, state::Status::Stopped, "x");
  EXPECT_EQ(stopped["pid"], 0);  // runc reports 0 for a stopped container
  EXPECT_FALSE(stopped.contains("annotations"));
}

TEST_F(StateStore, OciStateJsonKeepsRuncsKeyOrder) {
  state::ContainerState st;
  st.annotations = {{"a", "1"}};
  auto doc = state::oci_state_json(st, state::Status::Running, "x");
  std::string keys;
  for (const auto& [k, v] : doc.items()) keys += k + " ";
  EXPECT_EQ(keys, "ociVersion id pid status bundle rootfs created annotations owner ");
}

// ---- the record create writes around clone (creating.json, init.pid) ----

TEST(StateInitRecord, RoundTrip) {
  state::InitRecord r{4242, 123456789012ULL};
  auto back = state::parse_init_record(state::init_record_text(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->start_time, 123456789012ULL);
}

TEST(StateInitRecord, TornOrForeignTextIsNoRecord) {
  for (const char* bad :
       {"", "4242", "4242 ", "4242 1", "4242 1\n\n", "0 5\n", "-1 5\n", "+4 5\n", " 4 5\n",
        "4  5\n", "4 5 6\n", "99999999999 5\n", "4 999999999999999999999\n", "4 x\n", "4\t5\n"})
    EXPECT_FALSE(state::parse_init_record(bad).has_value()) << '"' << bad << '"';
}

TEST_F(StateStore, UncommittedCreateIsReadFromCreatingRecordAndInitPid) {
  auto root = StateRoot::open((base_ / "root").string(), StateRoot::Mode::Create);
  auto dir = ContainerDir::create(root, "c3");
  state::ContainerState st;
  st.id = "c3";
  st.bundle = "/b";
  st.cgroup = {{"driver", "cgroupfs"}};
  dir.save_creating(st);
  auto before = dir.load();
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->committed);
  EXPECT_EQ(before->pid, 0);
  EXPECT_EQ(before->cgroup, st.cgroup);
  // We hold the lock, so no create runs; no init: stopped.
  EXPECT_EQ(dir.status(before), state::Status::Stopped);

  dir.save_init({::getpid(), *sys::process_start_time(::getpid())});
  auto cloned = dir.load();
  ASSERT_TRUE(cloned);
  EXPECT_FALSE(cloned->committed);
  EXPECT_EQ(cloned->pid, ::getpid());
  EXPECT_EQ(dir.status(cloned), state::Status::Creating);  // its init lives

  // A corrupt state.json: load throws, the fallback still has the init and the cgroups.
  {
    std::FILE* f = std::fopen((base_ / "root/c3/state.json").c_str(), "w");
    std::fputs("{\"pid\": ", f);
    std::fclose(f);
  }
  EXPECT_THROW(dir.load(), Error);
  auto fallback = dir.load_fallback();
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->pid, ::getpid());
  EXPECT_EQ(fallback->cgroup, st.cgroup);
}

TEST_F(StateStore, UnreadableStateIsAnErrorNotNoState) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads a mode 000 file";
  auto root = StateRoot::open((base_ / "root").string(), StateRoot::Mode::Create);
  auto dir = ContainerDir::create(root, "c4");
  dir.save(state::ContainerState{});
  ASSERT_EQ(::chmod((base_ / "root/c4/state.json").c_str(), 0), 0);
  EXPECT_THROW(dir.load(), Error);
}

// Found by fuzz_state (UBSan: a float outside uint64_t's range converted to it). A pid read
// loosely could also become -1 (kill(-1) reaches every process) or 0.
TEST(StateJson, NumbersMustBeWholeAndInRange) {
  const std::string base = R"({"id":"c","pid":PID,"pidStartTime":START,"owner":0})";
  auto doc = [&](const std::string& pid, const std::string& start) {
    std::string s = base;
    s.replace(s.find("PID"), 3, pid);
    s.replace(s.find("START"), 5, start);
    return s;
  };
  auto st = sandbox::state::parse_state_json(doc("42", "18446744073709551615"), "c");
  EXPECT_EQ(st.pid, 42);
  EXPECT_EQ(st.pid_start_time, UINT64_MAX);
  for (auto [pid, start] :
       std::vector<std::pair<std::string, std::string>>{{"-1", "1"},
                                                        {"4294967296", "1"},
                                                        {"2147483648", "1"},
                                                        {"1.5", "1"},
                                                        {"\"7\"", "1"},
                                                        {"7", "112285555555555555597"},
                                                        {"7", "-3"},
                                                        {"7", "1e3"}}) {
    EXPECT_THROW(sandbox::state::parse_state_json(doc(pid, start), "c"), sandbox::Error)
        << pid << " " << start;
  }
}
