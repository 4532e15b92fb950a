#include "linux/rlimits.hpp"

#include <sys/resource.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>

#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::linux_ {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 16> kRlimits{{
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
}};

// RLIM_INFINITY is how config.json asks for "no limit"; print it the way ulimit does.
std::string limit_text(uint64_t v) {
  return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
}

// Why the kernel said EPERM, when we can tell: raising a hard limit needs CAP_SYS_RESOURCE
// (which a rootless container does not have towards the host), and RLIMIT_NOFILE can never go
// above fs.nr_open, whoever asks.
std::string eperm_reason(const oci::Rlimit& l) {
  struct rlimit cur {};
  if (::getrlimit(l.resource, &cur) == 0 && l.hard > cur.rlim_max) {
    return fmt::format(": the hard limit is above the caller's hard limit ({})",
                       limit_text(cur.rlim_max));
  }
  if (l.resource == RLIMIT_NOFILE) {
    try {
      std::string nr_open = sys::read_file("/proc/sys/fs/nr_open");
      while (!nr_open.empty() && nr_open.back() == '\n') nr_open.pop_back();
      return fmt::format(": the hard limit is above fs.nr_open ({})", nr_open);
    } catch (const Error&) {
      // No /proc to explain it with; the errno text alone has to do.
    }
  }
  return "";
}

void apply_one(const oci::Rlimit& l) {
  struct rlimit r {};
  r.rlim_cur = l.soft;
  r.rlim_max = l.hard;
  if (::setrlimit(l.resource, &r) == 0) return;
  int err = errno;
  std::string reason = err == EPERM ? eperm_reason(l) : "";
  throw Error(fmt::format("rlimit {} (soft {}, hard {}): {}{}", l.type, limit_text(l.soft),
                          limit_text(l.hard), errno_text(err), reason),
              err);
}

}  // namespace

int rlimit_from_name(std::string_view name) {
  for (const auto& [n, resource] : kRlimits)
    if (n == name) return resource;
  return -1;
}

void apply_rlimits(const std::vector<oci::Rlimit>& limits) {
  for (const auto& l : limits) apply_one(l);
}

}  // namespace sandbox::linux_
