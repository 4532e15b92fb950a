#include "linux/copy_tree.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "sys/dir_stream.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace sandbox::linux_ {
namespace {

void copy_file(int from, int to, const char* name, const struct stat& st) {
  Fd in(::openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) throw_errno(std::string("tmpcopyup: open ") + name);
  Fd out(
      ::openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
  if (!out) throw_errno(std::string("tmpcopyup: create ") + name);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno(std::string("tmpcopyup: copy ") + name);
    left -= n;
  }
  (void)::fchown(out.get(), st.st_uid, st.st_gid);
  ::fchmod(out.get(), st.st_mode & 07777);  // the umask must not narrow it
}

void copy_entries(int from, int to, int depth) {
  if (depth > 64) fail("tmpcopyup: directories nested too deep");
  sys::DirStream d = sys::DirStream::reopen(from);
  if (!d) throw_errno("tmpcopyup: open directory");
  while (const dirent* e = d.next()) {
    const char* name = e->d_name;
    struct stat st {};
    if (::fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno(std::string("tmpcopyup: stat ") + name);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(to, name, st.st_mode & 07777) != 0)
        throw_errno(std::string("tmpcopyup: mkdir ") + name);
      Fd sub_from(::openat(from, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      Fd sub_to(::openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub_from || !sub_to) throw_errno(std::string("tmpcopyup: open ") + name);
      copy_entries(sub_from.get(), sub_to.get(), depth + 1);
      (void)::fchown(sub_to.get(), st.st_uid, st.st_gid);
      ::fchmod(sub_to.get(), st.st_mode & 07777);
    } else if (S_ISREG(st.st_mode)) {
      copy_file(from, to, name, st);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(from, name, target.data(), target.size());
      if (n < 0) throw_errno(std::string("tmpcopyup: readlink ") + name);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), to, name) != 0)
        throw_errno(std::string("tmpcopyup: symlink ") + name);
      (void)::fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    } else if (::mknodat(to, name, st.st_mode, st.st_rdev) == 0) {
      (void)::fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
  }
}

}  // namespace

void copy_tree(int from, int to) {
  // The new tmpfs root: an O_PATH fd from fsmount is fine for the *at calls, but fchown and
  // fchmod of the directories need it opened for real.
  Fd root(::openat(to, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("tmpcopyup: open the new tmpfs");
  copy_entries(from, root.get(), 0);
}

}  // namespace sandbox::linux_
