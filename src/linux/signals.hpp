#pragma once
// Signal names for `sandbox kill` and for messages about how a process died.
#include <string>
#include <string_view>

namespace sandbox::linux_ {

// "TERM", "SIGTERM", "term", "15", "RTMIN", "RTMIN+3", "SIGRTMAX-2" -> the signal number.
// Case is ignored (runc uppercases too); numbers must be 1..64; the real-time names follow the C
// library's SIGRTMIN/SIGRTMAX (34..64 with glibc). Throws Error("invalid signal \"X\"").
int parse_signal(std::string_view s);

// 15 -> "SIGTERM", 36 -> "SIGRTMIN+2", 62 -> "SIGRTMAX-2" (as kill -l names them); "SIG33" for a
// number with no name.
std::string signal_name(int sig);

}  // namespace sandbox::linux_
