#pragma once
// --no-pivot: the rootfs is moved onto "/" and chrooted into, so the old root's mounts stay in
// the container's mount namespace, out of reach by path but not for the kernel. A procfs or
// sysfs may be mounted afresh in a user namespace only when one of the same type is already
// fully visible in the mount namespace (no locked mount over any of it); the host's /proc and
// /sys are, so a container process could `unshare -mr` and mount an unmasked /proc. runc
// (msMoveRoot) removes them first, and so do we.
#include <string>
#include <string_view>
#include <vector>

namespace sandbox::linux_ {

// The mount points in MOUNTINFO (a /proc/PID/mountinfo text) of whole proc and sysfs
// filesystems (their root is the filesystem's root) outside ROOTFS, in mountinfo order.
std::vector<std::string> revealing_mounts(std::string_view mountinfo, const std::string& rootfs);

// Detaches each of those mounts, or, where that is refused (a mount locked by a user
// namespace), covers it with an empty read-only tmpfs: a copy of the namespace made by a
// nested user namespace then holds it locked under the cover, so it no longer counts as
// visible. Call before the rootfs is moved onto "/", after the host's /proc was last used.
void hide_revealing_mounts(const std::string& rootfs);

}  // namespace sandbox::linux_
