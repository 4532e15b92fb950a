#include "runtime/ps_table.hpp"

#include <algorithm>
#include <sstream>

#include "sys/error.hpp"

namespace sandbox::runtime {
namespace {

std::vector<std::string> fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

}  // namespace

std::string filter_ps_output(const std::string& ps_output, const std::vector<pid_t>& pids) {
  std::istringstream in(ps_output);
  std::string header;
  if (!std::getline(in, header)) fail("ps printed nothing");
  auto names = fields(header);
  auto at = std::find(names.begin(), names.end(), "PID");
  if (at == names.end()) fail("ps: its output has no PID column (add -o pid)");
  size_t column = static_cast<size_t>(at - names.begin());
  std::string out = header + "\n";
  for (std::string line; std::getline(in, line);) {
    auto f = fields(line);
    if (f.size() <= column) continue;
    pid_t pid = static_cast<pid_t>(std::atol(f[column].c_str()));
    if (std::find(pids.begin(), pids.end(), pid) != pids.end()) out += line + "\n";
  }
  return out;
}

}  // namespace sandbox::runtime
