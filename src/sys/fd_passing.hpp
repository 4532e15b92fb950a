#pragma once
// Passing an fd over a unix socket (SCM_RIGHTS), as the sync protocol and --console-socket do.
#include <cstddef>

namespace sandbox::sys {

// One sendmsg of DATA (LEN bytes) carrying FD (none when negative); retries EINTR, never raises
// SIGPIPE. Returns sendmsg's result (-1 with errno on failure).
long send_with_fd(int sock, const void* data, size_t len, int fd);

}  // namespace sandbox::sys
