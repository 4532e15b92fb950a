#include "process/exec_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/error.hpp"

namespace sandbox::process {
namespace {

// 0 when PATH names an executable regular file, else the errno that says why not.
int check_executable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EACCES;
  if (!S_ISREG(st.st_mode)) return EACCES;
  if (::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) != 0) return errno;
  return 0;
}

}  // namespace

std::string path_from_env(const std::vector<std::string>& env) {
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

std::string find_executable(const std::string& arg0, const std::string& path) {
  if (arg0.empty()) fail("process.args[0]: empty program name");
  if (arg0.find('/') != std::string::npos) {
    int err = check_executable(arg0);
    if (err == ENOENT) fail("exec: \"{}\": stat {}: no such file or directory", arg0, arg0);
    if (err != 0) fail("exec: \"{}\": {}", arg0, errno_text(err));
    return arg0;
  }
  int first_error = 0;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + arg0;
    int err = check_executable(candidate);
    if (err == 0) return candidate;
    if (err != ENOENT && err != ENOTDIR && first_error == 0) first_error = err;
    start = end + 1;
  }
  if (first_error != 0) fail("exec: \"{}\": {}", arg0, errno_text(first_error));
  fail("exec: \"{}\": executable file not found in $PATH", arg0);
}

}  // namespace sandbox::process
