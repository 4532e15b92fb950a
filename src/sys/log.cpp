#include "sys/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "sys/clock.hpp"

namespace sandbox::log {
namespace {

struct Config {
  int fd = STDERR_FILENO;  // the log file, or stderr
  bool to_stderr = true;
  Format format = Format::Text;
  bool debug = false;
};
Config g;

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report a logging failure
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void configure(const std::string& path, Format format, bool debug) {
  g.format = format;
  g.debug = debug;
  if (path.empty()) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    write_all(STDERR_FILENO,
              fmt::format("sandbox: open log file {}: {}\n", path, std::strerror(errno)));
    return;  // keep logging to stderr rather than fail every command
  }
  g.fd = fd;
  g.to_stderr = false;
}

bool debug_enabled() {
  return g.debug;
}

void write(const char* level, const std::string& msg) {
  std::string line;
  if (g.to_stderr && g.format == Format::Text) {
    // On a terminal an error reads "sandbox: <msg>", anything else "sandbox: debug: <msg>".
    bool is_error = std::string_view(level) == "error";
    line =
        is_error ? fmt::format("sandbox: {}\n", msg) : fmt::format("sandbox: {}: {}\n", level, msg);
  } else if (g.format == Format::Json) {
    nlohmann::json j = {{"level", level}, {"msg", msg}, {"time", sys::rfc3339_now()}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    nlohmann::json quoted = msg;
    line = fmt::format("time=\"{}\" level={} msg={}\n", sys::rfc3339_now(), level,
                       quoted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  write_all(g.fd, line);
}

void error(const std::string& msg) {
  write("error", msg);
  if (!g.to_stderr) write_all(STDERR_FILENO, "sandbox: " + msg + "\n");
}

void warning(const std::string& msg) {
  // In JSON mode warnings stay out of the file unless --debug: podman parses the whole file
  // as one JSON object, so the only record of a failed command must be its error.
  if (g.format == Format::Json && !g.debug && !g.to_stderr) return;
  write("warning", msg);
}

}  // namespace sandbox::log
