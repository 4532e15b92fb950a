// sandbox-seccomp: the seccomp notification agent behind `sandbox seccomp record|check`.
//
//   sandbox-seccomp record --socket PATH [--output FILE] [--report FILE] [--format oci|docker]
//   sandbox-seccomp check  --socket PATH --profile FILE [--enforce] [--report FILE]
//   both: [--ready-fd N] (our pid written to N once we listen) [--result FILE] (the exit status)
//
// It listens on PATH for the runtime-spec's seccomp listener protocol: one message per
// connection, the container process state JSON, with the fds its "fds" array names in
// SCM_RIGHTS ("seccompFd" is the notify fd). Every notification from every fd received is
// answered until the last fd hangs up (every process under those filters is gone) or SIGTERM /
// SIGINT arrives; then the results are written. A separate binary so that the runtime stays
// lean (installed to libexec, like sandbox-systemd).
//
// record: each call is counted (syscall, arch from seccomp_data, first pid and comm) and
// continued (SECCOMP_USER_NOTIF_FLAG_CONTINUE). check: each call the profile would deny is
// reported (name, args, pid, comm) and continued (complain, the default) or answered with the
// profile's action (--enforce: errno -> that errno; kill -> SIGKILL to the process, since a
// notification cannot answer "kill"; trap -> SIGSYS and ENOSYS; trace -> ENOSYS, as with no
// tracer). Exit status: 0, or for check 2 when the profile would deny something; 1 on error.
//
// Limits: CONTINUE is not a security boundary (the kernel runs the call with the arguments as
// they are then, which another thread may have changed since: TOCTOU); a call made before the
// filter is loaded, or answered in user space by the vDSO, is never seen.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "runtime/seccomp_record.hpp"
#include "seccomp_profiles/docker_format.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file_io.hpp"

using namespace sandbox;
using sandbox::runtime::Recording;
using sandbox::runtime::SeenCall;

namespace {

struct Options {
  std::string mode;  // record | check
  std::string socket, output, report, format = "oci", profile;
  std::string result;  // --result: the exit status, written last (for a caller not our parent)
  int ready_fd = -1;   // --ready-fd: our pid written there once we listen, then closed
  bool enforce = false;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: sandbox-seccomp record --socket PATH [--output FILE] [--report FILE] "
               "[--format oci|docker]\n"
               "       sandbox-seccomp check --socket PATH --profile FILE [--enforce] "
               "[--report FILE]\n");
  std::exit(1);
}

Options parse_args(int argc, char** argv) {
  if (argc < 2) usage();
  Options o;
  o.mode = argv[1];
  if (o.mode != "record" && o.mode != "check") usage();
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--socket")
      o.socket = value();
    else if (a == "--output")
      o.output = value();
    else if (a == "--report")
      o.report = value();
    else if (a == "--format")
      o.format = value();
    else if (a == "--profile")
      o.profile = value();
    else if (a == "--result")
      o.result = value();
    else if (a == "--ready-fd")
      o.ready_fd = std::atoi(value().c_str());
    else if (a == "--enforce")
      o.enforce = true;
    else if (a == "--complain")
      o.enforce = false;
    else
      usage();
  }
  if (o.socket.empty() || (o.mode == "check" && o.profile.empty())) usage();
  if (o.format != "oci" && o.format != "docker") fail("--format: {}: not oci or docker", o.format);
  return o;
}

Fd listen_on(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) fail("--socket {}: path too long", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) throw_errno("socket");
  // Only the caller may hand us its containers' filters.
  mode_t old = ::umask(077);
  int rc = ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::umask(old);
  if (rc != 0) throw_errno("bind " + path);
  if (::listen(s.get(), 16) != 0) throw_errno("listen " + path);
  return s;
}

// One connection of the listener protocol: the state JSON and its fds. Returns the seccompFd
// (or an empty Fd when the message has none); the other fds are closed.
Fd receive_listener_message(int conn, pid_t& container_pid) {
  std::vector<char> buf(1 << 16);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("recvmsg");
  std::vector<Fd> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
  auto state = nlohmann::json::parse(std::string(buf.data(), size_t(n)), nullptr, false);
  if (state.is_discarded() || !state.is_object())
    fail("listener message: not the container process state JSON");
  container_pid = state.value("pid", 0);
  auto names = state.value("fds", std::vector<std::string>{});
  for (size_t i = 0; i < names.size() && i < fds.size(); ++i)
    if (names[i] == "seccompFd") return std::move(fds[i]);
  fail("listener message: no seccompFd among its fds");
}

// PATH replaced whole (write_file_atomic in PATH's directory).
void write_out(const std::string& path, const std::string& data) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid()) throw_errno("open " + dir);
  sys::write_file_atomic(d.get(), name, data, 0644, "write " + path);
}

std::string comm_of(pid_t pid) {
  try {
    std::string c = sys::read_file("/proc/" + std::to_string(pid) + "/comm");
    while (!c.empty() && c.back() == '\n') c.pop_back();
    return c;
  } catch (const Error&) {
    return "?";
  }
}

SeenCall name_call(uint32_t arch, int nr) {
  SeenCall c;
  uint32_t token = arch;
  if (arch == AUDIT_ARCH_X86_64 && (nr & 0x40000000)) token = SCMP_ARCH_X32;
  switch (token) {
    case SCMP_ARCH_X86_64:
      c.arch = "SCMP_ARCH_X86_64";
      break;
    case SCMP_ARCH_X86:
      c.arch = "SCMP_ARCH_X86";
      break;
    case SCMP_ARCH_X32:
      c.arch = "SCMP_ARCH_X32";
      break;
    default:
      c.arch = "arch:" + std::to_string(arch);
  }
  char* name = seccomp_syscall_resolve_num_arch(token, nr);
  c.name = name ? name : "nr:" + std::to_string(nr);
  std::free(name);
  return c;
}

std::string format_args(const std::array<uint64_t, 6>& a) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), "0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx",
                (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
                (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5]);
  return buf;
}

class Agent {
 public:
  explicit Agent(Options o) : o_(std::move(o)) {
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes_) != 0)
      throw_errno("seccomp(SECCOMP_GET_NOTIF_SIZES)");
    if (o_.mode == "check") profile_ = nlohmann::json::parse(sys::read_file(o_.profile));
  }

  int run() {
    Fd listener = listen_on(o_.socket);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    Fd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC));
    if (sigfd.get() < 0) throw_errno("signalfd");
    if (o_.ready_fd >= 0) {
      std::string pid = std::to_string(::getpid()) + "\n";
      if (::write(o_.ready_fd, pid.data(), pid.size()) < 0) throw_errno("--ready-fd");
      ::close(o_.ready_fd);
    }
    bool seen_any = false;
    while (!(seen_any && notify_fds_.empty())) {
      std::vector<pollfd> pfds = {{listener.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
      for (const Fd& f : notify_fds_) pfds.push_back({f.get(), POLLIN, 0});
      if (::poll(pfds.data(), pfds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll");
      }
      if (pfds[1].revents) break;
      if (pfds[0].revents & POLLIN) {
        Fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (conn.get() >= 0) {
          pid_t pid = 0;
          try {
            Fd notify = receive_listener_message(conn.get(), pid);
            notify_fds_.push_back(std::move(notify));
            seen_any = true;
          } catch (const Error& e) {
            // A stray connection must not end a recording.
            std::fprintf(stderr, "sandbox-seccomp: %s\n", e.what());
          }
        }
      }
      // Back to front, so that erasing keeps the indexes of those not yet looked at.
      for (size_t i = pfds.size(); i-- > 2;) {
        if (pfds[i].revents & POLLIN)
          handle_one(pfds[i].fd);
        else if (pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
          notify_fds_.erase(notify_fds_.begin() + long(i - 2));
      }
    }
    ::unlink(o_.socket.c_str());
    int rc = finish();
    if (!o_.result.empty()) write_out(o_.result, std::to_string(rc) + "\n");
    return rc;
  }

 private:
  void handle_one(int fd) {
    std::vector<char> req_buf(std::max<size_t>(sizes_.seccomp_notif, sizeof(seccomp_notif)), 0);
    std::vector<char> resp_buf(
        std::max<size_t>(sizes_.seccomp_notif_resp, sizeof(seccomp_notif_resp)), 0);
    auto* req = reinterpret_cast<seccomp_notif*>(req_buf.data());
    auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_buf.data());
    if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) return;  // ENOENT: the caller died
    pid_t pid = pid_t(req->pid);
    SeenCall call = name_call(req->data.arch, req->data.nr);
    // /proc is read only when the name is needed: a first call (record), a denial (check).
    bool recorded_before = o_.mode == "record" && recording_.seen(call);
    std::string comm = recorded_before ? std::string() : comm_of(pid);
    std::array<uint64_t, 6> args;
    for (int i = 0; i < 6; ++i) args[i] = req->data.args[i];
    resp->id = req->id;
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    if (o_.mode == "record") {
      recording_.add(call, pid, comm);
    } else {
      auto v = runtime::profile_verdict(profile_, call.name, args);
      if (!runtime::action_allows(v.action) && v.action != "SCMP_ACT_NOTIFY") {
        ++denied_[call.name];
        std::string line = "deny " + call.name + "(" + format_args(args) +
                           ") pid=" + std::to_string(pid) + " comm=" + comm +
                           " action=" + v.action +
                           (o_.enforce ? " (enforced)" : " (allowed: complain)") + "\n";
        check_report_ += line;
        std::fputs(("sandbox-seccomp: " + line).c_str(), stderr);
        if (o_.enforce) enforce(*resp, v, pid);
      }
    }
    // ENOENT: the task went away (killed, or its syscall interrupted); nothing to answer.
    ::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
  }

  void enforce(seccomp_notif_resp& resp, const runtime::Verdict& v, pid_t pid) {
    resp.flags = 0;
    resp.val = 0;
    if (v.action == "SCMP_ACT_ERRNO") {
      resp.error = -int(v.errno_ret);
    } else if (v.action == "SCMP_ACT_TRAP") {
      ::kill(pid, SIGSYS);
      resp.error = -ENOSYS;
    } else if (v.action.starts_with("SCMP_ACT_KILL")) {
      ::kill(pid, SIGKILL);  // a thread's SIGKILL takes its whole process, as KILL_PROCESS
      resp.error = -EPERM;
    } else {
      resp.error = -ENOSYS;  // SCMP_ACT_TRACE with no tracer
    }
  }

  int finish() {
    if (o_.mode == "record") {
      auto profile = runtime::recorded_profile(recording_);
      if (o_.format == "docker") profile = seccomp_profile::to_docker(nlohmann::json(profile));
      std::string text = profile.dump(2) + "\n";
      if (o_.output.empty())
        std::fputs(text.c_str(), stdout);
      else
        write_out(o_.output, text);
      std::string report = runtime::recording_report(recording_);
      if (!o_.report.empty()) write_out(o_.report, report);
      std::fprintf(stderr, "sandbox-seccomp: recorded %llu calls of %zu syscalls\n",
                   (unsigned long long)recording_.total(), recording_.entries().size());
      return 0;
    }
    std::string summary;
    if (denied_.empty()) {
      summary = "profile holds: no call would be denied\n";
    } else {
      summary = "profile would deny " + std::to_string(denied_.size()) + " syscall(s):";
      for (const auto& [name, n] : denied_) summary += " " + name + "(" + std::to_string(n) + ")";
      summary += "\n";
    }
    if (!o_.report.empty()) write_out(o_.report, check_report_ + summary);
    std::fputs(("sandbox-seccomp: " + summary).c_str(), stderr);
    return denied_.empty() ? 0 : 2;
  }

  Options o_;
  seccomp_notif_sizes sizes_{};
  std::vector<Fd> notify_fds_;
  Recording recording_;
  nlohmann::json profile_;
  std::map<std::string, uint64_t> denied_;
  std::string check_report_;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    return Agent(parse_args(argc, argv)).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sandbox-seccomp: %s\n", e.what());
    return 1;
  }
}
