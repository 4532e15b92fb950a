#include "linux/seccomp_listener.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/fd_passing.hpp"

namespace sandbox::linux_ {

std::string container_process_state(const oci::Seccomp& s, pid_t pid, const ListenerState& st) {
  nlohmann::ordered_json state = {{"ociVersion", st.oci_version},
                                  {"id", st.id},
                                  {"status", st.status},
                                  {"pid", st.init_pid},
                                  {"bundle", st.bundle}};
  if (!st.annotations.empty()) state["annotations"] = st.annotations;
  nlohmann::ordered_json doc = {{"ociVersion", st.oci_version},
                                {"fds", {"seccompFd"}},
                                {"pid", pid},
                                {"metadata", s.listener_metadata},
                                {"state", state}};
  return doc.dump();
}

void send_to_seccomp_agent(const oci::Seccomp& s, pid_t pid, const ListenerState& st,
                           int listener) {
  const std::string& path = s.listener_path;
  auto failed = [&](const char* what, int err) {
    throw_errno(fmt::format("seccomp: listenerPath {}: {}", path, what), err);
  };
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    fail("seccomp: listenerPath {}: longer than a socket address allows ({} bytes)", path,
         sizeof(addr.sun_path) - 1);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) failed("socket", errno);
  int rc;
  do {
    rc = ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) failed("connect", errno);
  std::string payload = container_process_state(s, pid, st);
  // One sendmsg: an agent reads the state and the fd as one message (a stream socket of this
  // size is never split on the local machine's socket buffer).
  long sent = sys::send_with_fd(sock.get(), payload.data(), payload.size(), listener);
  if (sent < 0) failed("send the listener", errno);
  if (static_cast<size_t>(sent) != payload.size())
    fail("seccomp: listenerPath {}: the state was sent only in part", path);
}

}  // namespace sandbox::linux_
