#pragma once
// maskedPaths and readonlyPaths, applied once the container's /proc and /sys are in place.
#include <string>
#include <vector>

namespace sandbox::linux_ {

// Opens the host's /dev/null as O_PATH and checks that it is the real null device (1:3), so a
// masked file is always covered by the true /dev/null and never by something an image or a
// racing process put in its place (the CVE-2025-31133 lesson). Throws sandbox::Error.
int open_verified_dev_null();

// Covers each path (resolved inside ROOTFD): a directory by an empty read-only tmpfs, anything
// else by DEV_NULL_FD. Paths that do not exist are skipped, as runc does.
void mask_paths(int rootfd, const std::vector<std::string>& paths, int dev_null_fd);

// Makes each path (resolved inside ROOTFD) a read-only bind of itself; missing paths are skipped.
void make_readonly(int rootfd, const std::vector<std::string>& paths);

}  // namespace sandbox::linux_
