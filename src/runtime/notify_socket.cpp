#include "runtime/notify_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {
namespace {

constexpr const char* kNotifyDir = "notify";
constexpr const char* kSocketName = "notify.sock";
constexpr const char* kInContainerDir = "/run/notify";

// "@name" is an abstract socket, as systemd writes it.
bool make_address(const std::string& path, sockaddr_un& addr, socklen_t& len) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  return true;
}

const char* caller_socket() {
  const char* p = std::getenv("NOTIFY_SOCKET");
  return p != nullptr && *p != '\0' ? p : nullptr;
}

}  // namespace

void prepare_notify_socket(oci::Spec& spec, int container_dirfd, const std::string& container_dir) {
  if (caller_socket() == nullptr || !spec.process) return;
  if (::mkdirat(container_dirfd, kNotifyDir, 0755) != 0) throw_errno("notify socket: mkdir");
  oci::Mount m;
  m.destination = kInContainerDir;
  m.type = "bind";
  m.source = container_dir + "/" + kNotifyDir;
  m.options = {"bind", "nosuid", "noexec", "nodev", "ro"};
  spec.mounts.push_back(m);
  auto& env = spec.process->env;
  std::erase_if(env, [](const std::string& e) { return e.rfind("NOTIFY_SOCKET=", 0) == 0; });
  env.push_back(std::string("NOTIFY_SOCKET=") + kInContainerDir + "/" + kSocketName);
}

std::optional<NotifyRelay> NotifyRelay::open(int container_dirfd) {
  const char* host = caller_socket();
  if (host == nullptr) return std::nullopt;
  Fd dir(::openat(container_dirfd, kNotifyDir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return std::nullopt;  // created without NOTIFY_SOCKET

  NotifyRelay r;
  r.sock_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!r.sock_) throw_errno("notify socket: socket");
  // Bound through the directory's fd, so the state root's length never hits sun_path's limit.
  std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/" + kSocketName;
  ::unlinkat(dir.get(), kSocketName, 0);
  sockaddr_un addr;
  socklen_t len;
  if (!make_address(path, addr, len)) fail("notify socket: path too long");
  if (::bind(r.sock_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
    throw_errno("notify socket: bind");
  // The container's process may run as any uid.
  if (::fchmodat(dir.get(), kSocketName, 0777, 0) != 0) throw_errno("notify socket: chmod");

  if (!make_address(host, addr, len)) fail("NOTIFY_SOCKET {}: not a usable socket path", host);
  r.host_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!r.host_ || ::connect(r.host_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
    throw_errno(std::string("NOTIFY_SOCKET: connect ") + host);
  return r;
}

bool NotifyRelay::relay_one(pid_t main_pid) {
  return relay_next(main_pid).value_or(false);
}

std::optional<bool> NotifyRelay::relay_next(pid_t main_pid) {
  char buf[4096];
  ssize_t n = ::recv(sock_.get(), buf, sizeof(buf), 0);
  if (n <= 0) return std::nullopt;
  std::string msg(buf, static_cast<size_t>(n));
  bool ready = false;
  for (size_t pos = 0; pos < msg.size();) {
    size_t end = msg.find('\n', pos);
    if (end == std::string::npos) end = msg.size();
    if (msg.compare(pos, 6, "READY=") == 0) ready = true;
    pos = end + 1;
  }
  if (ready) {
    if (!msg.empty() && msg.back() != '\n') msg += '\n';
    msg += "MAINPID=" + std::to_string(main_pid) + "\n";
  }
  if (::send(host_.get(), msg.data(), msg.size(), MSG_NOSIGNAL) < 0)
    log::warning("NOTIFY_SOCKET: relay: " + errno_text(errno));
  return ready;
}

void NotifyRelay::relay_queued(pid_t main_pid) {
  while (relay_next(main_pid)) {
  }
}

void NotifyRelay::relay_until_ready(pid_t main_pid, int pidfd) {
  for (;;) {
    pollfd fds[2] = {{sock_.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("notify socket: poll");
    }
    if ((fds[0].revents & POLLIN) && relay_one(main_pid)) return;
    if (fds[1].revents) {  // the container exited before it was ready (or as it sent it)
      relay_queued(main_pid);
      return;
    }
  }
}

}  // namespace sandbox::runtime
