#include <gtest/gtest.h>

#include <ctime>
#include <regex>

#include "sys/clock.hpp"

namespace {

TEST(Rfc3339Now, IsUtcWithNanosecondsAndMatchesGmtime) {
  std::time_t before = std::time(nullptr);
  std::string s = sandbox::sys::rfc3339_now();
  std::time_t after = std::time(nullptr);
  ASSERT_TRUE(std::regex_match(s, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z)")))
      << s;
  // The seconds part is one of the instants around the call, as gmtime formats them.
  bool matched = false;
  for (std::time_t t = before; t <= after; ++t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    matched = matched || s.rfind(buf, 0) == 0;
  }
  EXPECT_TRUE(matched) << s;
}

}  // namespace
