#include "sys/proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::sys {
namespace {

// Reads /proc/PID/stat and returns the fields after the command name, which may contain
// spaces and parentheses: everything after the LAST ')' is the rest of the fields.
std::optional<std::string> stat_tail(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd.get(), buf, sizeof(buf) - 1);
  if (n <= 0) return std::nullopt;
  std::string s(buf, static_cast<size_t>(n));
  auto close = s.rfind(')');
  if (close == std::string::npos || close + 2 >= s.size()) return std::nullopt;
  return s.substr(close + 2);  // starts at field 3 (state)
}

}  // namespace

std::optional<uint64_t> process_start_time(pid_t pid) {
  auto tail = stat_tail(pid);
  if (!tail) return std::nullopt;
  // Field 3 is at index 0 of the tail, so field 22 is at index 19.
  size_t pos = 0;
  for (int i = 0; i < 19; i++) {
    pos = tail->find(' ', pos);
    if (pos == std::string::npos) return std::nullopt;
    pos++;
  }
  return std::strtoull(tail->c_str() + pos, nullptr, 10);
}

std::optional<pid_t> process_parent(pid_t pid) {
  auto tail = stat_tail(pid);
  if (!tail) return std::nullopt;
  // The tail starts at field 3 (state, one character), then a space, then field 4.
  if (tail->size() < 3) return std::nullopt;
  return static_cast<pid_t>(std::strtol(tail->c_str() + 2, nullptr, 10));
}

bool process_is(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto tail = stat_tail(pid);
  if (!tail || tail->empty()) return false;
  char state = (*tail)[0];
  if (state == 'Z' || state == 'X') return false;
  auto st = process_start_time(pid);
  return st && *st == start_time;
}

bool in_initial_user_namespace() {
  try {
    std::string map = read_file("/proc/self/uid_map");
    unsigned long a = 1, b = 1, c = 0;
    if (std::sscanf(map.c_str(), "%lu %lu %lu", &a, &b, &c) != 3) return false;
    return a == 0 && b == 0 && c == 4294967295UL;
  } catch (const Error&) {
    return true;  // no /proc: assume the common case
  }
}

Fd open_process(pid_t pid, uint64_t start_time) {
  Fd fd(pidfd_open(pid));
  if (!fd || !process_is(pid, start_time)) return Fd();
  return fd;
}

bool setgroups_denied(pid_t pid) {
  try {
    std::string who = pid == 0 ? "self" : std::to_string(pid);
    return read_file("/proc/" + who + "/setgroups").rfind("deny", 0) == 0;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace sandbox::sys
