#include "process/single_thread.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "sys/error.hpp"

namespace sandbox::process {

long threads_in_stat(const char* stat, long len) {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const char* end = stat + len;
  const char* p = end;
  while (p > stat && p[-1] != ')') p--;
  if (p == stat) return -1;
  // p is after ')': fields 3.. follow, each after one space.
  for (int field = 2; field < 20; field++) {
    p = static_cast<const char*>(std::memchr(p, ' ', static_cast<size_t>(end - p)));
    if (!p) return -1;
    p++;
  }
  char* num_end = nullptr;
  long n = std::strtol(p, &num_end, 10);
  return num_end == p ? -1 : n;
}

void require_single_thread(const char* where) {
  int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return;
  buf[n] = '\0';
  long threads = threads_in_stat(buf, n);
  if (threads > 1)
    fail(
        "internal error: {}: the runtime has {} threads, and the child of a clone may only "
        "allocate while it has one",
        where, threads);
}

}  // namespace sandbox::process
