#include "linux/console.hpp"

#include <fcntl.h>

#include "linux/mounts.hpp"
#include "linux/rootpath.hpp"
#include "sys/error.hpp"

namespace sandbox::linux_ {

Pty open_console(int rootfd) {
  Fd master = open_in_root_flags(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  if (!master) master = open_in_root_flags(rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY);
  if (!master) throw_errno("process.terminal: open /dev/pts/ptmx");
  Pty pty = pty_from_master(std::move(master));
  Fd console = open_in_root(rootfd, "/dev/console", Create::File);
  if (!console) throw_errno("process.terminal: create /dev/console");
  wrap("process.terminal: bind the pty on /dev/console", [&] {
    // A bind of the slave itself (the fd names its devpts entry), not of a path to it.
    Fd tree = clone_tree(pty.slave.get(), "", false);
    attach(tree.get(), console.get());
  });
  return pty;
}

}  // namespace sandbox::linux_
