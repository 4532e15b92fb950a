#include "runtime/passed_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "sys/error.hpp"

namespace sandbox::runtime {

int socket_activation_fds() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (pid == nullptr || fds == nullptr) return 0;
  if (std::atol(pid) != static_cast<long>(::getpid())) return 0;
  int n = std::atoi(fds);
  return n > 0 ? n : 0;
}

int check_passed_fds(int listen, int preserve) {
  if (preserve < 0) fail("--preserve-fds: must not be negative");
  int total = listen + preserve;
  for (int i = 0; i < total; i++) {
    int fd = 3 + i;
    // An fd inherited from the caller cannot be close-on-exec (it survived the exec of the
    // runtime); one that is was opened by the runtime itself and is not the caller's to pass.
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC) != 0) {
      if (i < listen) fail("LISTEN_FDS={}: fd {} is not open", listen, fd);
      fail("--preserve-fds {}: fd {} is not open", preserve, fd);
    }
  }
  return total;
}

void set_listen_env(std::vector<std::string>& env, int listen) {
  if (listen <= 0) return;
  std::erase_if(env, [](const std::string& e) {
    return e.rfind("LISTEN_FDS=", 0) == 0 || e.rfind("LISTEN_PID=", 0) == 0;
  });
  env.push_back("LISTEN_FDS=" + std::to_string(listen));
  env.push_back("LISTEN_PID=1");
}

}  // namespace sandbox::runtime
