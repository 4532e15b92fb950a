#pragma once
// Symlink-safe paths inside a container rootfs. Every path config.json names inside the
// container is resolved with openat2(RESOLVE_IN_ROOT) relative to an fd of the rootfs, so a
// symlink in the image ("/evil -> /etc") is followed as if the rootfs were "/" and can never
// send a mount or a device outside it (the CVE-2021-30465 class).
#include <sys/types.h>

#include <string>
#include <string_view>

#include "sys/fd.hpp"

namespace sandbox::linux_ {

enum class Create { No, Dir, File };

// "/a/./b/../c" -> "a/c": the lexical form, relative to the root, ".." clamped at the root.
std::string clean_relative(std::string_view path);

// Opens PATH (absolute, as seen in the container) below ROOTFD as an O_PATH fd. With Create::Dir
// or Create::File the missing components are made (directories 0755, a final file 0644 for
// bind mounts of files). Returns an invalid Fd with errno set on failure.
Fd open_in_root(int rootfd, std::string_view path, Create create);

// Like open_in_root but opened for reading and writing files' contents (not O_PATH).
Fd open_in_root_flags(int rootfd, std::string_view path, int flags);

}  // namespace sandbox::linux_
