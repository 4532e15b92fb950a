#include "sys/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "sys/clock.hpp"
#include "sys/error.hpp"

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
  // runc fails when its --log cannot be opened; going on with stderr would hide every record
  // from an engine that reads only the file.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) throw_errno("open " + path);
  g.fd = fd;
  g.to_stderr = false;
}

bool debug_enabled() {
  return g.debug;
}

std::string text_value(const std::string& value) {
  auto bare = [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' ||
           c == '^' || c == '+';
  };
  if (std::all_of(value.begin(), value.end(), [&](char c) { return bare(c); })) return value;
  // Quoted as Go's %q would: quotes and backslashes escaped first, then control bytes as
  // one_line does (its escapes must not be escaped again).
  std::string escaped;
  for (char c : value) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "\"" + one_line(escaped) + "\"";
}

std::string one_line(const std::string& msg) {
  std::string out;
  out.reserve(msg.size());
  for (unsigned char c : msg) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", c);
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string text_record(const std::string& time, const char* level, const std::string& msg) {
  return fmt::format("time=\"{}\" level={} msg={}\n", time, level, text_value(msg));
}

std::string json_record(const std::string& time, const char* level, const std::string& msg) {
  nlohmann::json j = {{"level", level}, {"msg", msg}, {"time", time}};  // sorted, as logrus
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write(const char* level, const std::string& msg) {
  std::string line;
  if (g.to_stderr && g.format == Format::Text && std::string_view(level) == "error") {
    // The final error on a terminal stays one plain line, "sandbox: <msg>"; every other record
    // (--debug, warnings) is in runc's form there too.
    line = fmt::format("sandbox: {}\n", one_line(msg));
  } else if (g.format == Format::Json) {
    line = json_record(sys::rfc3339_now(), level, msg);
  } else {
    line = text_record(sys::rfc3339_now(), level, msg);
  }
  write_all(g.fd, line);
}

void error(const std::string& msg) {
  write("error", msg);
  if (!g.to_stderr) write_all(STDERR_FILENO, "sandbox: " + one_line(msg) + "\n");
}

void warning(const std::string& msg) {
  // In JSON mode warnings stay out of the file unless --debug: podman parses the whole file
  // as one JSON object, so the only record of a failed command must be its error.
  if (g.format == Format::Json && !g.debug && !g.to_stderr) return;
  write("warning", msg);
}

}  // namespace sandbox::log
