#include "process/user_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "linux/capabilities.hpp"
#include "linux/lsm.hpp"
#include "linux/rlimits.hpp"
#include "process/exec_path.hpp"
#include "process/sync.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::process {
namespace {

// A file of the image the runtime reads for itself: the image may have made it a symlink, a
// FIFO (which would block the read forever) or a device, so only a regular file is read, and
// at most kMaxImageFile of it. Anything else reads as empty, as a missing file does.
constexpr size_t kMaxImageFile = 4 << 20;
std::string read_image_file(const char* path) {
  Fd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  std::string out;
  char buf[8192];
  while (out.size() < kMaxImageFile) {
    ssize_t n = ::read(fd.get(), buf, std::min(sizeof(buf), kMaxImageFile - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// HOME from the container's /etc/passwd for the process's uid, "/" when it has none; only when
// the process's env does not set HOME (runc does the same).
std::vector<std::string> final_env(const oci::Process& p) {
  std::vector<std::string> env = p.env;
  for (const auto& e : env)
    if (e.rfind("HOME=", 0) == 0) return env;
  std::string home = "/";
  // No /etc/passwd is the common case for minimal images: look without throwing, since the
  // first exception of a process costs a walk of the unwind tables.
  std::string passwd = read_image_file("/etc/passwd");
  size_t pos = 0;
  while (pos < passwd.size()) {
    size_t end = passwd.find('\n', pos);
    if (end == std::string::npos) end = passwd.size();
    std::string line = passwd.substr(pos, end - pos);
    pos = end + 1;
    std::vector<std::string> f;
    size_t a = 0;
    for (size_t b; (b = line.find(':', a)) != std::string::npos; a = b + 1)
      f.push_back(line.substr(a, b - a));
    f.push_back(line.substr(a));
    if (f.size() >= 7 && f[2] == std::to_string(p.user.uid)) {
      home = f[5];
      break;
    }
  }
  env.push_back("HOME=" + home);
  return env;
}

bool has_cap(const std::vector<int>& set, int cap) {
  return std::find(set.begin(), set.end(), cap) != set.end();
}

void switch_user(const UserProcess& up) {
  const oci::Process& p = *up.process;
  const auto& u = p.user;
  const oci::Capabilities caps = p.capabilities.value_or(oci::Capabilities{});
  linux_::drop_bounding_set(caps.bounding);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS)");
  if (up.setgroups_denied) {
    if (!u.additional_gids.empty())
      fail(
          "process.user.additionalGids: supplementary groups need a gid mapping set by "
          "newgidmap (setgroups is denied with a single-id mapping)");
  } else {
    std::vector<gid_t> groups(u.additional_gids.begin(), u.additional_gids.end());
    if (::setgroups(groups.size(), groups.data()) != 0)
      throw_errno("process.user.additionalGids: setgroups");
  }
  if (::setresgid(u.gid, u.gid, u.gid) != 0)
    throw_errno(fmt::format("process.user.gid: setresgid({})", u.gid));
  if (::setresuid(u.uid, u.uid, u.uid) != 0)
    throw_errno(fmt::format("process.user.uid: setresuid({})", u.uid));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS)");
  linux_::set_capabilities(caps);
}

// The CVE-2024-21626 check: a cwd reached through a leaked fd would be outside our root.
void check_cwd(const std::string& cwd) {
  char buf[4096];
  if (::getcwd(buf, sizeof(buf)) == nullptr) throw_errno("process.cwd: getcwd");
  if (buf[0] != '/') fail("process.cwd: {} is outside the container", cwd);
}

// runc's order: the working directory is entered while the runtime still has its privileges
// (a cwd the process's user may not enter but root may works, as with runc); only a
// permission error is retried as the user. Returns false when that retry is needed.
bool enter_cwd_privileged(const std::string& cwd) {
  if (::chdir(cwd.c_str()) == 0) {
    check_cwd(cwd);
    return true;
  }
  if (errno == EACCES || errno == EPERM) return false;
  throw_errno("process.cwd: chdir " + cwd);
}

void enter_cwd_as_user(const std::string& cwd) {
  if (::chdir(cwd.c_str()) != 0) throw_errno("process.cwd: chdir " + cwd);
  check_cwd(cwd);
}

// Nothing of the runtime or the caller beyond stdio and the fds asked for may reach the
// program (the CVE-2024-21626 lesson): every other fd becomes close-on-exec. Done while no
// seccomp filter is in yet: a profile may deny close_range (even kill for it), and then the
// runtime could neither mark the fds nor survive trying.
void mark_runtime_fds_cloexec(const UserProcess& up) {
  if (sys::mark_cloexec_from(3 + up.kept_fds) != 0)
    throw_errno("mark the runtime's fds close-on-exec");
}

// Loads the filter; a notifying one's listener goes to the runtime at once (it forwards it to
// the agent), since every later syscall the profile notifies waits for that agent.
void load_filter(const UserProcess& up) {
  Fd listener = linux_::load_seccomp(*up.seccomp);
  if (!listener) return;
  if (!sync_send_fd(up.sync_fd, SyncType::SeccompListener, listener.get()))
    fail("seccomp: the runtime is gone; cannot pass the notification listener on");
}

}  // namespace

void reset_signals() {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) ::sigaction(sig, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void give_stdio_to(uid_t uid) {
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_uid == uid) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) continue;  // /dev/null
    (void)::fchown(fd, uid, static_cast<gid_t>(-1));
  }
}

PreparedProgram become_user(const UserProcess& up) {
  const oci::Process& p = *up.process;
  // Before the filter that may go in below, and before rlimits may lower RLIMIT_NOFILE under
  // an open fd. Whatever is opened from here to execve is opened close-on-exec.
  mark_runtime_fds_cloexec(up);
  linux_::apply_rlimits(p.rlimits);
  ::umask(p.user.umask.value_or(022));
  give_stdio_to(p.user.uid);

  // The working directory and the program are found before any seccomp filter goes in: a
  // profile need not allow what the runtime does for itself (faccessat2 of the PATH lookup,
  // getcwd), only what the program does (runc and crun behave the same).
  bool cwd_entered = enter_cwd_privileged(p.cwd);
  PreparedProgram out;
  out.env = final_env(p);
  out.path = find_executable(p.args[0], path_from_env(out.env));

  // The AppArmor profile takes effect at execve; set while every syscall is still allowed and
  // we are still root (runc's order).
  if (!p.apparmor_profile.empty()) linux_::set_apparmor_exec_profile(p.apparmor_profile);

  // seccomp needs no_new_privs or CAP_SYS_ADMIN. Without either at the end, the filter goes in
  // now, while we still hold every capability, and so also covers the setup that follows.
  const auto caps = p.capabilities.value_or(oci::Capabilities{});
  bool late_possible = p.no_new_privileges || has_cap(caps.effective, CAP_SYS_ADMIN);
  bool notify = up.seccomp && up.seccomp->notify;
  out.seccomp_at_exec = late_possible && !notify;
  if (up.seccomp && !late_possible) load_filter(up);

  switch_user(up);
  if (p.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw_errno("process.noNewPrivileges: prctl");
  if (!cwd_entered) enter_cwd_as_user(p.cwd);
  // A notifying filter must reach the agent while the runtime is alive (runc's order too):
  // here, before the init reports Ready, and not at execve after `start`.
  if (notify && late_possible) load_filter(up);
  return out;
}

void exec_program(const UserProcess& up, const PreparedProgram& prog) {
  // Once more for what was opened since become_user, unless a filter is already in (then
  // become_user's pass is the last one the profile lets us make).
  bool filter_in = up.seccomp && !prog.seccomp_at_exec;
  if (!filter_in) mark_runtime_fds_cloexec(up);
  if (up.seccomp && prog.seccomp_at_exec) load_filter(up);

  std::vector<char*> argv, envp;
  for (const auto& a : up.process->args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : prog.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(prog.path.c_str(), argv.data(), envp.data());
  throw_errno("exec " + prog.path);
}

}  // namespace sandbox::process
