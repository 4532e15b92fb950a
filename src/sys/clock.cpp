#include "sys/clock.hpp"

#include <fmt/format.h>

#include <ctime>

namespace sandbox::sys {

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09d}Z", std::string_view(buf, n), ts.tv_nsec);
}

}  // namespace sandbox::sys
