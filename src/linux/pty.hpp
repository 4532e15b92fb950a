#pragma once
// Terminals for container processes (process.terminal). The pty comes from the devpts instance
// the caller sees at /dev/pts, which inside the container is the container's own: the slave
// then has a name and owner that make sense inside, and nothing of the host's devpts is used.
#include <string>

#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::linux_ {

struct Pty {
  Fd master;
  Fd slave;
};

// A new, unlocked pty pair from /dev/pts/ptmx (or /dev/ptmx). Both fds are O_CLOEXEC; the
// slave is opened through the master (TIOCGPTPEER), never by path.
Pty open_pty();
// The pair for an open ptmx: unlocked, the slave opened through the master (TIOCGPTPEER).
Pty pty_from_master(Fd master);

// Makes SLAVE the controlling terminal of the calling process, which must be a session leader,
// and its stdin, stdout and stderr.
void attach_terminal(int slave);

// "/dev/pts/N" for a pty master.
std::string pty_name(int master);

// Window size of a terminal; false when FD is not one.
bool get_window_size(int fd, unsigned& rows, unsigned& cols);
void set_window_size(int fd, unsigned rows, unsigned cols);

}  // namespace sandbox::linux_
