#pragma once
// /dev inside the container: the default devices every runtime provides, linux.devices,
// and the /dev/fd, stdio and ptmx links.
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

// null, zero, full, random, urandom, tty as character devices.
std::vector<oci::Device> default_devices();

// Creates DEVICES below ROOTFD. With CAN_MKNOD (real root, no user namespace) nodes are made
// with mknod; otherwise the host's node with the same major:minor is bind-mounted onto an empty
// file, since a user namespace may not create device nodes. Throws sandbox::Error.
void create_devices(int rootfd, const std::vector<oci::Device>& devices, bool can_mknod);

// Whether D is /dev/ptmx (however the path is spelled).
bool is_ptmx(const oci::Device& d);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, and /dev/ptmx -> pts/ptmx when WITH_PTMX.
void create_dev_links(int rootfd, bool with_ptmx);

}  // namespace sandbox::linux_
