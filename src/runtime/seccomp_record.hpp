#pragma once
// `sandbox seccomp record|check`: the pure half. What the agent (helpers/sandbox_seccomp.cpp)
// saw becomes a profile and a report here; the derived linux.seccomp documents the runtime
// runs the workload under are made here; and check's question "what would the profile do with
// this call?" is answered here. No file or kernel access, so it is all unit-tested.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sandbox::runtime {

// One syscall as the agent saw it: libseccomp's names for the syscall and its architecture.
struct SeenCall {
  std::string arch;  // "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", ...
  std::string name;  // "openat"; "nr:N" when libseccomp has no name for it
};

// What a recording collected: per (arch, syscall) the count and the first process that made it.
class Recording {
 public:
  struct Entry {
    uint64_t count = 0;
    pid_t first_pid = 0;
    std::string first_comm;
  };
  void add(const SeenCall& call, pid_t pid, const std::string& comm);
  // True once CALL was added: the agent then skips reading the caller's comm.
  bool seen(const SeenCall& call) const { return seen_.count({call.arch, call.name}) != 0; }
  const std::map<std::pair<std::string, std::string>, Entry>& entries() const { return seen_; }
  uint64_t total() const;

 private:
  std::map<std::pair<std::string, std::string>, Entry> seen_;  // key: (arch, name)
};

// Syscalls a recorded profile allows although the recording cannot see them: the vDSO's
// (clock_gettime, gettimeofday, time, getcpu, clock_getres answer in user space and reach
// seccomp only on fallback) and those the record filter leaves out (kRecordUnnotified).
const std::vector<std::string>& always_allowed_syscalls();

// Syscalls the record filter allows instead of notifying: the runtime needs them after the
// filter is loaded and before the agent holds the notify fd (handing the fd over), so a
// notification then would wait for an agent that cannot answer yet.
const std::vector<std::string>& record_unnotified_syscalls();

// The minimal OCI linux.seccomp for what was recorded: every seen syscall (plus
// always_allowed_syscalls()) allowed, everything else EPERM, the architectures seen.
nlohmann::ordered_json recorded_profile(const Recording& r);
// (Its docker/podman form: seccomp_profile::to_docker, seccomp_profiles/docker_format.hpp.)
// The report: one line per syscall "NAME ARCH COUNT PID COMM", most frequent first, and a
// total line.
std::string recording_report(const Recording& r);

// linux.seccomp for `record`: every syscall notified (x86_64 and 32-bit x86), but
// record_unnotified_syscalls(); the notify fd goes to LISTENER_PATH.
nlohmann::ordered_json record_seccomp(const std::string& listener_path);
// linux.seccomp for `check`: PROFILE with each action that would deny (errno, kill, trap,
// trace) turned into SCMP_ACT_NOTIFY, its other rules kept; the notify fd to LISTENER_PATH.
// Throws sandbox::Error when PROFILE is not a linux.seccomp object.
nlohmann::ordered_json check_seccomp(const nlohmann::json& profile,
                                     const std::string& listener_path);

// True for an action that lets the syscall run (ALLOW, LOG, NOTIFY's CONTINUE is not one).
bool action_allows(const std::string& action);

// What PROFILE does with NAME called with ARGS: the first rule naming it whose argument
// conditions hold, else the default. errno_ret is the errno for SCMP_ACT_ERRNO (EPERM unless
// the profile says otherwise).
struct Verdict {
  std::string action;
  uint32_t errno_ret = 1;
};
Verdict profile_verdict(const nlohmann::json& profile, const std::string& name,
                        const std::array<uint64_t, 6>& args);

}  // namespace sandbox::runtime
