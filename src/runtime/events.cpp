#include "runtime/events.hpp"

#include <poll.h>

#include <cstdio>

#include "cgroup/container_cgroup.hpp"
#include "runtime/operations.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {
namespace {

void print(const nlohmann::ordered_json& event) {
  std::string line = event.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& text) {
  if (text.empty()) fail("--interval: empty duration");
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i) fail("--interval {}: not a duration (e.g. 5s, 100ms)", text);
    double n = std::stod(text.substr(start, i - start));
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(ustart, i - ustart);
    if (unit == "h")
      total_ms += n * 3'600'000;
    else if (unit == "m")
      total_ms += n * 60'000;
    else if (unit == "s")
      total_ms += n * 1000;
    else if (unit == "ms")
      total_ms += n;
    else if (unit == "us" || unit == "µs")
      total_ms += n / 1000;
    else if (unit == "ns")
      total_ms += n / 1'000'000;
    else
      fail("--interval {}: unknown unit \"{}\" (use h, m, s, ms, us, ns)", text, unit);
  }
  if (total_ms < 1) fail("--interval {}: must be at least 1ms", text);
  return std::chrono::milliseconds(static_cast<int64_t>(total_ms));
}

int container_events(const GlobalOptions& g, const std::string& id, bool stats_once,
                     std::chrono::milliseconds interval) {
  state::ContainerState st;
  std::unique_ptr<cgroup::ContainerCgroup> cgroups;
  {
    auto root = open_existing_root(g);
    auto dir = state::ContainerDir::open(root, id);
    auto loaded = dir.load();
    if (!loaded || dir.status(loaded) == state::Status::Stopped)
      fail("events: container \"{}\" is not running", id);
    st = *loaded;
    cgroups = cgroup::open_cgroup(cgroup::record_from_json(st.cgroup));
  }  // the state lock is not held while events runs
  if (cgroups->none())
    fail("events: container \"{}\" runs without a cgroup of its own, so there are no stats", id);

  auto stats_event = [&] {
    return nlohmann::ordered_json{{"type", "stats"}, {"id", id}, {"data", cgroups->stats()}};
  };
  if (stats_once) {
    print(stats_event());
    return 0;
  }
  Fd init = sys::open_process(st.pid, st.pid_start_time);
  if (!init) fail("events: container \"{}\" is not running", id);
  // OOM kills are counted by the kernel; a growing counter is an event. Polled every 100 ms:
  // cheap, and it works the same on v1 and cgroup2.
  auto ooms = cgroups->oom_kill_count().value_or(0);
  auto next_stats = std::chrono::steady_clock::now() + interval;
  for (;;) {
    pollfd p{init.get(), POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) throw_errno("events: poll");
    auto now_ooms = cgroups->oom_kill_count().value_or(0);
    if (now_ooms > ooms) print({{"type", "oom"}, {"id", id}});
    ooms = now_ooms;
    if (r > 0) return 0;  // the init exited: the container stopped
    if (std::chrono::steady_clock::now() >= next_stats) {
      print(stats_event());
      next_stats += interval;
    }
  }
}

}  // namespace sandbox::runtime
