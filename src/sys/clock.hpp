#pragma once
#include <string>

namespace sandbox::sys {
// The current time as RFC3339 with nanoseconds in UTC ("2026-11-22T10:11:12.123456789Z"):
// what containerd's and podman's decoders accept for log records and `created`.
std::string rfc3339_now();
}  // namespace sandbox::sys
