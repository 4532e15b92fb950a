#include "linux/lsm.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace sandbox::linux_ {
namespace {

bool file_starts_with(const char* path, char c) {
  Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  char first = 0;
  return fd && ::read(fd.get(), &first, 1) == 1 && first == c;
}

}  // namespace

HostLsm detect_host_lsm() {
  HostLsm h;
  h.apparmor = file_starts_with("/sys/module/apparmor/parameters/enabled", 'Y');
  h.selinux = ::access("/sys/fs/selinux/enforce", F_OK) == 0;
  return h;
}

std::vector<std::string> settle_lsm_labels(oci::Process& process, std::string* mount_label,
                                           const HostLsm& host) {
  std::vector<std::string> notes;
  if (!process.apparmor_profile.empty() && !host.apparmor) {
    notes.push_back("process.apparmorProfile \"" + process.apparmor_profile +
                    "\" ignored: AppArmor is not enabled on this host");
    process.apparmor_profile.clear();
  }
  // SELinux labels: the exec attribute and context= mount options would have to go together
  // with the host's policy; sandbox does neither yet, so a host that enforces labels is told.
  auto settle_selinux = [&](std::string& label, const char* field) {
    if (label.empty()) return;
    if (host.selinux) {
      fail("config.json: {}: SELinux labels are not supported yet (this host runs SELinux)", field);
    }
    notes.push_back(std::string(field) + " \"" + label +
                    "\" ignored: SELinux is not enabled on this host");
    label.clear();
  };
  settle_selinux(process.selinux_label, "process.selinuxLabel");
  if (mount_label) settle_selinux(*mount_label, "linux.mountLabel");
  return notes;
}

void set_apparmor_exec_profile(const std::string& profile) {
  // Since Linux 5.8 each LSM has its own attr directory; the shared file is the older place.
  Fd fd(::open("/proc/thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) fd = Fd(::open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno("process.apparmorProfile: open the exec attribute");
  std::string command = "exec " + profile;
  if (::write(fd.get(), command.data(), command.size()) != static_cast<ssize_t>(command.size()))
    throw_errno("process.apparmorProfile: set profile \"" + profile + "\"");
}

}  // namespace sandbox::linux_
