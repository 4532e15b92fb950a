#pragma once
// tmpcopyup: a tmpfs mounted over a directory of the image starts with a copy of what that
// directory held (podman asks for it on /tmp, /run, ... with --read-only).

namespace sandbox::linux_ {

// Copies the contents of directory FROM into directory TO (both fds, O_PATH will do): files,
// directories, symlinks and device nodes, with modes and owners. Nothing is followed; a node
// the caller may not make (mknod without privilege) is skipped. Throws sandbox::Error.
void copy_tree(int from, int to);

}  // namespace sandbox::linux_
