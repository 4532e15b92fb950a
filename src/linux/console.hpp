#pragma once
// /dev/console for a container with process.terminal: the runtime spec asks for the terminal
// to be there too (runc and crun bind the pty slave onto it), and programs such as init
// systems and getty write to it.
#include "linux/pty.hpp"

namespace sandbox::linux_ {

// A pty from the container's devpts (ROOTFD/dev/pts/ptmx, else ROOTFD/dev/ptmx), with its slave
// bind-mounted on ROOTFD/dev/console (made as an empty file when missing). Every path is
// resolved inside the rootfs, so an image's symlinks cannot send the bind elsewhere. Called
// before pivot_root and before /dev or the root turn read-only.
Pty open_console(int rootfd);

}  // namespace sandbox::linux_
