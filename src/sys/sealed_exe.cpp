#include "sys/sealed_exe.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/proc.hpp"
#include "sys/syscalls.hpp"

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

Fd make_memfd() {
  // MFD_EXEC says outright that the copy is to be executed (kernels from 6.3 warn otherwise,
  // and refuse it under vm.memfd_noexec=1 without the flag); older kernels reject the flag.
  Fd fd(static_cast<int>(
      ::syscall(SYS_memfd_create, "sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC)));
  if (!fd && errno == EINVAL)
    fd.reset(
        static_cast<int>(::syscall(SYS_memfd_create, "sandbox", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  return fd;
}

// On a read-only mount (an installation on a read-only /usr, or the overlay below) the file
// cannot be written through /proc/PID/exe either: EROFS comes before any permission check.
bool is_on_readonly_mount(int fd) {
  struct statvfs vfs {};
  return ::fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
}

// A caller without privileges, whose runtime binary belongs to root and may be written by no
// one else (an installation in /usr/local/bin): its containers' processes run as its own uid
// or its subordinate ids, with capabilities only inside user namespaces it owns, so none of
// them can open that file for writing, through /proc/PID/exe or otherwise. No copy is needed.
bool unwritable_for_containers(int fd) {
  if (::geteuid() == 0 || !in_initial_user_namespace()) return false;
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
         (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// For a caller with mount privileges (root, or root of a user namespace with a mount namespace
// of its own, as under rootless podman): the binary seen
// through a read-only overlayfs of its own directory, as a detached mount that no namespace
// shows. It shares the page cache of the file itself, so it costs no copy and no memory
// (runc 1.2's choice for the same reason). Returns an invalid Fd when the kernel refuses.
Fd open_through_readonly_overlay(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash + 1 >= path.size()) return Fd();
  std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  // Without an upper layer overlayfs wants two lower ones: the binary's directory over an
  // empty tmpfs (detached too, named through its fd).
  Fd empty_fs(fsopen("tmpfs", FSOPEN_CLOEXEC));
  if (!empty_fs || fsconfig(empty_fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return Fd();
  Fd empty(fsmount(empty_fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
  if (!empty) return Fd();
  std::string lower = dir + ":/proc/self/fd/" + std::to_string(empty.get());
  Fd fs(fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs) return Fd();
  if (fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) != 0 ||
      fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return Fd();
  Fd mnt(
      fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID));
  if (!mnt) return Fd();
  return Fd(::openat(mnt.get(), path.c_str() + slash + 1, O_RDONLY | O_CLOEXEC));
}

}  // namespace

void reexec_sealed(char** argv) {
  Fd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self) throw_errno("seal the runtime: open /proc/self/exe");
  if (is_sealed(self.get()) || is_on_readonly_mount(self.get()) ||
      unwritable_for_containers(self.get())) {
    if (const char* from = std::getenv(kOriginEnv)) {
      origin() = from;
      ::unsetenv(kOriginEnv);
    }
    return;
  }
  std::string from = read_self_link();
  if (!from.empty() && ::geteuid() == 0) {
    if (Fd ro = open_through_readonly_overlay(from); ro && is_on_readonly_mount(ro.get())) {
      ::setenv(kOriginEnv, from.c_str(), 1);
      self.reset();
      ::fexecve(ro.get(), argv, environ);
      // Not executable from there after all (a noexec policy): the sealed copy below.
      ::unsetenv(kOriginEnv);
      self.reset(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
      if (!self) throw_errno("seal the runtime: open /proc/self/exe");
    }
  }
  struct stat st {};
  if (::fstat(self.get(), &st) != 0) throw_errno("seal the runtime: stat /proc/self/exe");
  Fd copy = make_memfd();
  if (!copy) throw_errno("seal the runtime: memfd_create");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n =
        ::sendfile(copy.get(), self.get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("seal the runtime: copy the executable", n == 0 ? EIO : errno);
  }
  if (::fcntl(copy.get(), F_ADD_SEALS, kSeals) != 0) throw_errno("seal the runtime: add seals");
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
