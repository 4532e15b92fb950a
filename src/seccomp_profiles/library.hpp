#pragma once
// The shipped profiles (profiles/*.json in the source tree, share/sandbox/profiles installed)
// and `sandbox spec --seccomp NAME|FILE`'s lookup: a NAME is a profile in those directories,
// anything with a '/' or ending in .json is a file, OCI linux.seccomp or docker format.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "seccomp_profiles/docker_format.hpp"

namespace sandbox::seccomp_profile {

// Where named profiles are looked for, first match wins: PREFIX/share/sandbox/profiles for an
// installed runtime (bin/ next to share/), then profiles/ next to the runtime (a staged test
// copy), then the source tree's profiles/ one level up (a build tree inside the source tree).
std::vector<std::string> profile_dirs(const std::string& exe_path);

// The profile names (file names without .json, sorted) found in DIRS.
std::vector<std::string> known_profiles(const std::vector<std::string>& dirs);

// NAME_OR_FILE as an OCI linux.seccomp document: a docker-format file is converted for
// TARGET. Errors (unknown name with the known ones listed, unreadable file, bad JSON) are
// one line.
nlohmann::json load_profile(const std::string& name_or_file, const std::vector<std::string>& dirs,
                            const DockerTarget& target);

}  // namespace sandbox::seccomp_profile
