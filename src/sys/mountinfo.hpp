#pragma once
// /proc/PID/mountinfo read into its fields, the escapes in paths undone. Shared by the cgroup
// layout (where the hierarchies are) and --no-pivot (which host mounts to hide).
#include <string>
#include <string_view>
#include <vector>

namespace sandbox::sys {

struct MountInfo {
  std::string root;         // the mount's root within its file system
  std::string mount_point;  // as the reading process sees it
  std::string fstype;
  std::string source;
  std::string super_options;  // comma-separated
};

// "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS" per line;
// malformed lines are skipped.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape_mountinfo(std::string_view s);

}  // namespace sandbox::sys
