#pragma once
// Runtime logging with runc's contract: `--log FILE` (appended), `--log-format text|json`,
// `--debug`. The final error of a failed command is one `error` record and is also printed on
// stderr, because conmon and CRI-O only read stderr while podman and containerd read the file.
#include <fmt/format.h>

#include <string>

namespace sandbox::log {

enum class Format { Text, Json };

// Called once by main, before any command runs. An empty path logs to stderr.
void configure(const std::string& path, Format format, bool debug);
bool debug_enabled();

void write(const char* level, const std::string& msg);
// The final error: once to the log, and to stderr when the log is elsewhere.
void error(const std::string& msg);
void warning(const std::string& msg);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (debug_enabled()) write("debug", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sandbox::log
