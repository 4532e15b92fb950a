#pragma once
// `ps --format table`: the host's ps output, cut down to a container's processes.
#include <sys/types.h>

#include <string>
#include <vector>

namespace sandbox::runtime {

// Keeps the header line of PS_OUTPUT and the lines whose PID column holds one of PIDS. The PID
// column is found by its header (ps -ef puts it second, ps -o pid,args first). Throws
// sandbox::Error when the header has no PID column.
std::string filter_ps_output(const std::string& ps_output, const std::vector<pid_t>& pids);

}  // namespace sandbox::runtime
