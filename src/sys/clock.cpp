#include "sys/clock.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace sandbox::sys {

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  // The calendar date by std::chrono rather than gmtime_r/strftime: glibc loads the time zone
  // database (/etc/localtime) on their first call, even for UTC.
  using namespace std::chrono;
  const sys_seconds secs{seconds{ts.tv_sec}};
  const sys_days day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> tod{secs - day};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:09d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), ts.tv_nsec);
}

}  // namespace sandbox::sys
