#include "sys/sealed_exe.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "sys/error.hpp"
#include "sys/fd.hpp"

extern char** environ;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace sandbox::sys {
namespace {

// Where the sealed copy was made from, handed across the re-exec in the environment (our own
// environment only: a container's process gets process.env, never ours).
constexpr const char* kOriginEnv = "_SANDBOX_SEALED_FROM";
constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

std::string& origin() {
  static std::string path;
  return path;
}

std::string read_self_link() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n < 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

bool is_sealed(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

int make_memfd() {
  // MFD_EXEC says outright that the copy is to be executed (kernels from 6.3 warn otherwise,
  // and refuse it under vm.memfd_noexec=1 without the flag); older kernels reject the flag.
  int fd = static_cast<int>(
      ::syscall(SYS_memfd_create, "sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (fd < 0 && errno == EINVAL)
    fd = static_cast<int>(::syscall(SYS_memfd_create, "sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  return fd;
}

}  // namespace

void reexec_sealed(char** argv) {
  Fd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self) throw_errno("seal the runtime: open /proc/self/exe");
  if (is_sealed(self.get())) {
    if (const char* from = std::getenv(kOriginEnv)) {
      origin() = from;
      ::unsetenv(kOriginEnv);
    }
    return;
  }
  struct stat st {};
  if (::fstat(self.get(), &st) != 0) throw_errno("seal the runtime: stat /proc/self/exe");
  Fd copy(make_memfd());
  if (!copy) throw_errno("seal the runtime: memfd_create");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(copy.get(), self.get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("seal the runtime: copy the executable", n == 0 ? EIO : errno);
  }
  if (::fcntl(copy.get(), F_ADD_SEALS, kSeals) != 0) throw_errno("seal the runtime: add seals");
  std::string from = read_self_link();
  if (!from.empty()) ::setenv(kOriginEnv, from.c_str(), 1);
  self.reset();
  ::fexecve(copy.get(), argv, environ);
  throw_errno("seal the runtime: execute the sealed copy");
}

std::string original_exe() {
  if (!origin().empty()) return origin();
  return read_self_link();
}

}  // namespace sandbox::sys
