#pragma once
// Finding the program to run, with the messages engines match on
// ("executable file not found in $PATH", "no such file or directory", "permission denied").
#include <string>
#include <vector>

namespace sandbox::process {

// The PATH value from an environment list, or the default one runc uses when it is unset.
std::string path_from_env(const std::vector<std::string>& env);
// Resolves ARG0 as execvp would (a name with a slash is taken as is). Checks that the result
// is a regular file we may execute. Throws sandbox::Error.
std::string find_executable(const std::string& arg0, const std::string& path);

}  // namespace sandbox::process
