#pragma once
// One error type for everything a user can cause. The message is the whole
// one-line story ("config.json: process.cwd: must be an absolute path");
// context is prepended on the way up with `wrap`, and it is printed once, by main.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sandbox {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string msg, int code = 0) : std::runtime_error(std::move(msg)), code_(code) {}
  // The errno behind the error, 0 when there is none.
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// Lowercase strerror, the way runc and crun print errno text ("no such file or directory");
// engines match these words.
std::string errno_text(int err);

// "what: strerror(errno)" with the errno kept, for failed syscalls.
[[noreturn]] inline void throw_errno(const std::string& what, int err = errno) {
  throw Error(fmt::format("{}: {}", what, errno_text(err)), err);
}

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sandbox
