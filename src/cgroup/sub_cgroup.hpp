#pragma once
// exec --cgroup: the process goes into an existing sub-cgroup of the container instead of the
// container's own cgroups, as runc 1.1 does it. "PATH" names one sub-cgroup for every
// hierarchy (the only form cgroup2 has); "CONTROLLER[,CONTROLLER...]:PATH" one per v1
// controller, the others staying in the container's own.
#include <map>
#include <string>
#include <vector>

#include "cgroup/record.hpp"

namespace sandbox::cgroup {

// The --cgroup words as a map controller -> sub path; "" is the key of the PATH form, which
// must then be the only word. Throws sandbox::Error with runc's reasons.
std::map<std::string, std::string> parse_sub_cgroup_args(const std::vector<std::string>& args);

// R with its directories moved to the sub-cgroups SUB asks for. A path may not leave the
// container's cgroup ("..") and a controller must be one of the container's v1 hierarchies;
// a container without a cgroup of its own has no sub-cgroup. Nothing is checked on disk.
Record sub_cgroup(const Record& r, const std::map<std::string, std::string>& sub);

// The directories of R that do not exist (for an error naming them before anything starts).
std::vector<std::string> missing_dirs(const Record& r);

}  // namespace sandbox::cgroup
