// sandbox-seccomp-loader: stands in for the runtime's side of the seccomp listener protocol in
// tests/integration/seccomp-record.bats, so that the agent (helpers/sandbox_seccomp.cpp) is
// tested without a runtime that loads SCMP_ACT_NOTIFY filters.
//
//   sandbox-seccomp-loader --socket PATH [--notify NAME,...] [--i386-getpid] -- CMD [ARG...]
//
// It connects to PATH, loads a filter with SECCOMP_FILTER_FLAG_NEW_LISTENER that notifies every
// syscall (or only the named ones), sends the container process state JSON with the notify fd
// in SCM_RIGHTS as the runtime-spec's "seccomp listener" section describes, then execs CMD.
// Everything after the load is seen by the agent but the one sendmsg that hands the fd over.
// --i386-getpid makes one 32-bit getpid (int 0x80) first, for the agent's arch handling.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "sandbox-seccomp-loader: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

int connect_agent(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  for (int tries = 0; tries < 100; ++tries) {  // the agent may still be starting: 10 s at most
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket");
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return s;
    ::close(s);
    if (errno != ENOENT && errno != ECONNREFUSED) die("connect " + path);
    ::usleep(100000);
  }
  die("connect " + path);
}

sock_filter stmt(uint16_t code, uint32_t k) {
  return BPF_STMT(code, k);
}
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

// Notify all but the hand-off: sendmsg(SOCK, ...) in x86_64 mode.
std::vector<sock_filter> notify_all_but_handoff(int sock) {
  return {
      stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
      stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 0, 2),
      stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      jump(BPF_JMP | BPF_JEQ | BPF_K, uint32_t(sock), 1, 0),
      stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
}

// Notify only NRS (x86_64 numbers), allow the rest.
std::vector<sock_filter> notify_only(const std::vector<int>& nrs) {
  std::vector<sock_filter> f = {
      stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  for (size_t i = 0; i < nrs.size(); ++i) {
    // Jump to the notify return after the allow at the end.
    uint8_t to_notify = uint8_t(nrs.size() - i);
    f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, uint32_t(nrs[i]), to_notify, 0));
  }
  f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path;
  std::vector<int> only;
  bool i386_getpid = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--socket" && i + 1 < argc) {
      socket_path = argv[++i];
    } else if (a == "--notify" && i + 1 < argc) {
      std::string list = argv[++i];
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        std::string name = list.substr(pos, comma - pos);
        int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.c_str());
        if (nr < 0) {
          std::fprintf(stderr, "sandbox-seccomp-loader: unknown syscall %s\n", name.c_str());
          return 1;
        }
        only.push_back(nr);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else if (a == "--i386-getpid") {
      i386_getpid = true;
    } else {
      std::fprintf(stderr,
                   "usage: sandbox-seccomp-loader --socket PATH [--notify NAME,...] "
                   "[--i386-getpid] -- CMD [ARG...]\n");
      return 1;
    }
  }
  if (socket_path.empty() || i >= argc) {
    std::fprintf(stderr, "sandbox-seccomp-loader: --socket and a command are needed\n");
    return 1;
  }

  int sock = connect_agent(socket_path);
  // The state JSON is made before the filter, so that the allocations are not notified.
  std::string pid = std::to_string(::getpid());
  std::string state = R"({"ociVersion":"1.0.2","fds":["seccompFd"],"pid":)" + pid +
                      R"(,"metadata":"loader","state":{"ociVersion":"1.0.2","id":"loader",)"
                      R"("status":"creating","pid":)" +
                      pid + R"(,"bundle":"/"}})";
  auto filter = only.empty() ? notify_all_but_handoff(sock) : notify_only(only);
  sock_fprog prog{uint16_t(filter.size()), filter.data()};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("prctl(PR_SET_NO_NEW_PRIVS)");
  long notify_fd =
      ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (notify_fd < 0) die("seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");

  // From here on every syscall but this sendmsg waits for the agent's answer.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{state.data(), state.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  int nfd = int(notify_fd);
  std::memcpy(CMSG_DATA(c), &nfd, sizeof(int));
  if (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) die("sendmsg");
  ::close(nfd);
  ::close(sock);
  if (i386_getpid) {
    long ret;
    asm volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");  // i386 getpid is 20
  }
  ::execvp(argv[i], argv + i);
  die(std::string("exec ") + argv[i]);
}
