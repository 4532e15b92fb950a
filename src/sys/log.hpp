#pragma once
// Runtime logging with runc's contract: `--log FILE` (appended), `--log-format text|json`,
// `--debug`. The final error of a failed command is one `error` record and is also printed on
// stderr, because conmon and CRI-O only read stderr while podman and containerd read the file.
#include <fmt/format.h>

#include <string>

namespace sandbox::log {

enum class Format { Text, Json };

// Called once by main, before any command runs. An empty path logs to stderr; a file that
// cannot be opened is an error (sandbox::Error), as in runc.
void configure(const std::string& path, Format format, bool debug);
bool debug_enabled();

void write(const char* level, const std::string& msg);

// One record in runc's (logrus') forms: text `time="..." level=debug msg="..."` and JSON
// {"level":..,"msg":..,"time":..} (logrus sorts the keys). Exposed for the tests.
std::string text_record(const std::string& time, const char* level, const std::string& msg);
std::string json_record(const std::string& time, const char* level, const std::string& msg);
// A value as logrus' text formatter writes it: bare when it is only letters, digits and
// -._/@^+ (empty too), else quoted the way Go's %q does.
std::string text_value(const std::string& value);
// MSG with its control characters escaped (\n, \r, \t, \xNN), so that an error quoting an id
// or a mount option with a newline in it stays one line on stderr.
std::string one_line(const std::string& msg);
// The final error: once to the log, and to stderr when the log is elsewhere.
void error(const std::string& msg);
void warning(const std::string& msg);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (debug_enabled()) write("debug", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sandbox::log
