#pragma once
// One error type for everything a user can cause. The message is the whole
// one-line story ("config.json: process.cwd: must be an absolute path");
// context is prepended on the way up with `wrap`, and it is printed once, by main.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

// CONTEXT put in front of E's message on its way up ("maskedPaths: /proc/kcore: " + what), its
// errno kept, so callers further up can still tell ENOENT from EPERM.
[[noreturn]] inline void rethrow_with(const Error& e, std::string_view context) {
  throw Error(fmt::format("{}: {}", context, e.what()), e.code());
}

// Runs F and returns what it returns; an Error it throws comes back with CONTEXT in front (see
// rethrow_with). Other exceptions pass unchanged.
template <typename F>
decltype(auto) wrap(std::string_view context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const Error& e) {
    rethrow_with(e, context);
  }
}

}  // namespace sandbox
