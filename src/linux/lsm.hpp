#pragma once
// Linux security module labels in config.json: process.apparmorProfile, process.selinuxLabel,
// linux.mountLabel. What they mean depends on the host: a label for an LSM the host does not
// run cannot be applied and protects nothing, so it is dropped with a note at --debug (crun's
// behaviour; configs written for AppArmor or SELinux hosts then run anywhere). A label for an
// LSM the host does run is applied (AppArmor) or refused (SELinux: not implemented), never
// silently ignored.
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

struct HostLsm {
  bool apparmor = false;  // /sys/module/apparmor/parameters/enabled says Y
  bool selinux = false;   // selinuxfs is mounted (/sys/fs/selinux/enforce exists)
};

HostLsm detect_host_lsm();

// Settles PROCESS's labels (and MOUNT_LABEL, for create; null for exec) for HOST: what the host
// cannot enforce is cleared, and the returned notes say so (for --debug). Throws sandbox::Error,
// naming the config.json field, for a label of an LSM the host runs that sandbox cannot apply.
std::vector<std::string> settle_lsm_labels(oci::Process& process, std::string* mount_label,
                                           const HostLsm& host);

// In the container's process, before its execve: asks AppArmor to confine the program that is
// executed next with PROFILE (its "exec" attribute; the change happens at execve, as runc and
// crun do it). Throws sandbox::Error.
void set_apparmor_exec_profile(const std::string& profile);

}  // namespace sandbox::linux_
