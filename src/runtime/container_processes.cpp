#include "runtime/container_processes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "oci/namespace_table.hpp"
#include "sys/dir_stream.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {
namespace {

NamespaceId namespace_of(const std::string& proc_dir, oci::NamespaceType type) {
  struct stat st {};
  std::string path = proc_dir + "/ns/" + std::string(oci::namespace_kind(type).proc_name);
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

ProcessInfo inspect(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid);
  ProcessInfo p;
  p.pid = pid;
  p.ppid = sys::process_parent(pid).value_or(0);
  p.pid_ns = namespace_of(dir, oci::NamespaceType::Pid);
  p.mnt_ns = namespace_of(dir, oci::NamespaceType::Mount);
  return p;
}

std::optional<pid_t> parse_pid(std::string_view name) {
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end != name.data() + name.size() || pid <= 0) return std::nullopt;
  return pid;
}

std::vector<ProcessInfo> all_processes() {
  std::vector<ProcessInfo> out;
  sys::DirStream d = sys::DirStream::open("/proc");
  while (const dirent* e = d.next()) {
    if (auto pid = parse_pid(e->d_name)) out.push_back(inspect(*pid));
  }
  return out;
}

}  // namespace

std::vector<pid_t> select_container_processes(const std::vector<ProcessInfo>& all,
                                              const ProcessInfo& init,
                                              const NamespaceId& own_pid_ns,
                                              const NamespaceId& own_mnt_ns) {
  std::set<pid_t> members{init.pid};
  bool own_pid = init.pid_ns.known() && init.pid_ns != own_pid_ns;
  bool own_mnt = init.mnt_ns.known() && init.mnt_ns != own_mnt_ns;
  for (const auto& p : all) {
    if (own_pid ? p.pid_ns == init.pid_ns : (own_mnt && p.mnt_ns == init.mnt_ns))
      members.insert(p.pid);
  }
  // Descendants. Pid 1 of our namespace is everybody's ancestor: never walk down from it (a
  // corrupt state naming pid 1 must not make `kill --all` signal the whole machine).
  std::multimap<pid_t, pid_t> children;
  for (const auto& p : all)
    if (p.ppid > 0 && p.pid != p.ppid) children.emplace(p.ppid, p.pid);
  std::vector<pid_t> todo(members.begin(), members.end());
  while (!todo.empty()) {
    pid_t parent = todo.back();
    todo.pop_back();
    if (parent == 1) continue;
    auto [lo, hi] = children.equal_range(parent);
    for (auto it = lo; it != hi; ++it)
      if (members.insert(it->second).second) todo.push_back(it->second);
  }
  return {members.begin(), members.end()};
}

std::vector<pid_t> container_processes(pid_t init, uint64_t start_time) {
  // Later (issue 4): when the container has a cgroup, return its cgroup.procs here.
  if (!sys::process_is(init, start_time)) return {};
  std::string self = "/proc/" + std::to_string(::getpid());
  NamespaceId own_pid = namespace_of(self, oci::NamespaceType::Pid),
              own_mnt = namespace_of(self, oci::NamespaceType::Mount);
  ProcessInfo init_info = inspect(init);
  auto all = all_processes();
  // The snapshot took a while: an init that died meanwhile may have a new process on its pid.
  if (!sys::process_is(init, start_time)) return {};
  return select_container_processes(all, init_info, own_pid, own_mnt);
}

}  // namespace sandbox::runtime
