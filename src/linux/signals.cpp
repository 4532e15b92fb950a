#include "linux/signals.hpp"

#include <csignal>
#include <optional>

#include "sys/error.hpp"

namespace sandbox::linux_ {
namespace {

struct SignalName {
  const char* name;  // without "SIG"
  int number;
};

// The first name of a number is the one signal_name prints; the rest are accepted aliases.
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},       {"SYS", SIGSYS},   {"IOT", SIGIOT},
    {"CLD", SIGCHLD},  {"POLL", SIGPOLL},
};

constexpr int kMaxSignal = 64;  // _NSIG - 1 on Linux

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// A decimal number made only of digits (no sign, no spaces), small enough to be a signal.
std::optional<int> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N", staying inside SIGRTMIN..SIGRTMAX.
std::optional<int> parse_realtime(std::string_view s) {
  bool from_min = s.starts_with("RTMIN");
  if (!from_min && !s.starts_with("RTMAX")) return std::nullopt;
  int base = from_min ? SIGRTMIN : SIGRTMAX;
  std::string_view rest = s.substr(5);
  if (rest.empty()) return base;
  if (rest[0] != (from_min ? '+' : '-')) return std::nullopt;
  auto offset = parse_number(rest.substr(1));
  if (!offset) return std::nullopt;
  int sig = from_min ? base + *offset : base - *offset;
  if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
  return sig;
}

std::optional<int> parse_name(std::string_view name) {
  for (const auto& s : kSignals)
    if (name == s.name) return s.number;
  return parse_realtime(name);
}

}  // namespace

int parse_signal(std::string_view s) {
  if (auto n = parse_number(s)) {
    if (*n >= 1 && *n <= kMaxSignal) return *n;
    fail("invalid signal \"{}\"", s);
  }
  std::string name = upper(s);
  std::string_view bare = name;
  if (bare.starts_with("SIG")) bare.remove_prefix(3);
  if (auto sig = parse_name(bare)) return *sig;
  fail("invalid signal \"{}\"", s);
}

std::string signal_name(int sig) {
  for (const auto& s : kSignals)
    if (s.number == sig) return std::string("SIG") + s.name;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
    // Split the range in the middle, like kill -l: the lower half counts up from SIGRTMIN.
    int from_min = sig - SIGRTMIN;
    if (from_min == 0) return "SIGRTMIN";
    if (sig == SIGRTMAX) return "SIGRTMAX";
    if (from_min <= (SIGRTMAX - SIGRTMIN) / 2) return fmt::format("SIGRTMIN+{}", from_min);
    return fmt::format("SIGRTMAX-{}", SIGRTMAX - sig);
  }
  return fmt::format("SIG{}", sig);
}

}  // namespace sandbox::linux_
