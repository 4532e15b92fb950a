#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "runtime/container_processes.hpp"
#include "sys/proc.hpp"

using sandbox::runtime::NamespaceId;
using sandbox::runtime::ProcessInfo;
using sandbox::runtime::select_container_processes;

namespace {

const NamespaceId kHostPid{4, 100}, kHostMnt{4, 200};
const NamespaceId kCtrPid{4, 101}, kCtrMnt{4, 201}, kNestedPid{4, 102};

}  // namespace

TEST(ContainerProcesses, OwnPidNamespace) {
  ProcessInfo init{500, 400, kCtrPid, kCtrMnt};
  std::vector<ProcessInfo> all = {
      {1, 0, kHostPid, kHostMnt},       // the host's init
      {400, 1, kHostPid, kHostMnt},     // the runtime that made the container
      init,                             //
      {510, 500, kCtrPid, kCtrMnt},     // a child of the init
      {520, 0, kCtrPid, kCtrMnt},       // joined by exec: its parent is outside the namespace
      {530, 520, kNestedPid, kCtrMnt},  // in a nested pid namespace
      {540, 530, kNestedPid, kCtrMnt},
      {600, 1, kHostPid, kCtrMnt},  // in the container's mount namespace only: not counted
  };
  EXPECT_EQ(select_container_processes(all, init, kHostPid, kHostMnt),
            (std::vector<pid_t>{500, 510, 520, 530, 540}));
}

TEST(ContainerProcesses, SharedPidNamespaceUsesMountNamespaceAndDescendants) {
  ProcessInfo init{500, 400, kHostPid, kCtrMnt};
  std::vector<ProcessInfo> all = {
      {1, 0, kHostPid, kHostMnt},     {400, 1, kHostPid, kHostMnt}, init,
      {510, 500, kHostPid, kCtrMnt},  // child
      {511, 510, kHostPid, {}},       // a zombie grandchild: no namespaces, still a descendant
      {520, 1, kHostPid, kCtrMnt},    // exec'd, reparented to the host's init
      {700, 1, kHostPid, kHostMnt},   // unrelated
      {701, 700, kHostPid, kHostMnt},
  };
  EXPECT_EQ(select_container_processes(all, init, kHostPid, kHostMnt),
            (std::vector<pid_t>{500, 510, 511, 520}));
}

TEST(ContainerProcesses, SharedPidAndMountNamespaceIsInitAndDescendants) {
  ProcessInfo init{500, 400, kHostPid, kHostMnt};
  std::vector<ProcessInfo> all = {
      {1, 0, kHostPid, kHostMnt},     {400, 1, kHostPid, kHostMnt},   init,
      {510, 500, kHostPid, kHostMnt}, {520, 510, kHostPid, kHostMnt}, {700, 1, kHostPid, kHostMnt},
  };
  EXPECT_EQ(select_container_processes(all, init, kHostPid, kHostMnt),
            (std::vector<pid_t>{500, 510, 520}));
}

TEST(ContainerProcesses, UnknownNamespacesOfTheInitMeanNoNamespaceMatch) {
  // An init whose namespaces cannot be read (a zombie): only it and its descendants.
  ProcessInfo init{500, 400, {}, {}};
  std::vector<ProcessInfo> all = {{1, 0, kHostPid, kHostMnt}, {510, 500, {}, {}}, {600, 1, {}, {}}};
  EXPECT_EQ(select_container_processes(all, init, kHostPid, kHostMnt),
            (std::vector<pid_t>{500, 510}));
}

TEST(ContainerProcesses, NeverWalksDownFromPidOne) {
  ProcessInfo init{1, 0, kHostPid, kHostMnt};
  std::vector<ProcessInfo> all = {init, {2, 1, kHostPid, kHostMnt}, {3, 2, kHostPid, kHostMnt}};
  EXPECT_EQ(select_container_processes(all, init, kHostPid, kHostMnt), (std::vector<pid_t>{1}));
}

TEST(ContainerProcesses, GoneInitHasNoProcesses) {
  // Pid 0 never names a process, and start time 0 never matches a live one.
  EXPECT_TRUE(sandbox::runtime::container_processes(0, 0).empty());
  EXPECT_TRUE(sandbox::runtime::container_processes(::getpid(), 1).empty());
}

TEST(ContainerProcesses, LiveProcessAndItsChild) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto start = sandbox::sys::process_start_time(::getpid());
  ASSERT_TRUE(start.has_value());
  auto pids = sandbox::runtime::container_processes(::getpid(), *start);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_NE(std::find(pids.begin(), pids.end(), ::getpid()), pids.end());
  EXPECT_NE(std::find(pids.begin(), pids.end(), child), pids.end());
  EXPECT_TRUE(std::is_sorted(pids.begin(), pids.end()));
}
