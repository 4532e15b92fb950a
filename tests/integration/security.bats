#!/usr/bin/env bats
# Capabilities, noNewPrivileges, seccomp, a read-only root, masked and read-only paths.

load helpers

setup() {
  common_setup
  make_bundle
}

# set_caps CAP...: the same set as bounding, effective, permitted (and no ambient/inheritable).
set_caps() {
  set_config '.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}' \
    --argjson c "$(json_array "$@")"
}

cap_line() { printf '%s\n' "${lines[@]}" | awk -v k="$1:" '$1 == k { print $2 }'; }

@test "capabilities: the template's set is what CapEff shows" {
  # CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): 0x20000420.
  expect_eq "template effective set" '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' \
    "$(jq -c '.process.capabilities.effective | sort' config.json)"
  run_in c1 grep Cap /proc/self/status
  expect_status 0
  expect_eq CapEff 0000000020000420 "$(cap_line CapEff)"
  expect_eq CapPrm 0000000020000420 "$(cap_line CapPrm)"
  expect_eq CapBnd 0000000020000420 "$(cap_line CapBnd)"
}

@test "capabilities: another configured set" {
  # CAP_CHOWN (0), CAP_DAC_OVERRIDE (1), CAP_SETUID (7), CAP_SYS_ADMIN (21): 0x200083.
  set_caps CAP_CHOWN CAP_DAC_OVERRIDE CAP_SETUID CAP_SYS_ADMIN
  run_in c1 grep Cap /proc/self/status
  expect_status 0
  expect_eq CapEff 0000000000200083 "$(cap_line CapEff)"
  expect_eq CapBnd 0000000000200083 "$(cap_line CapBnd)"
}

@test "capabilities: an empty set" {
  set_caps
  run_in c1 grep Cap /proc/self/status
  expect_status 0
  expect_eq CapEff 0000000000000000 "$(cap_line CapEff)"
  expect_eq CapBnd 0000000000000000 "$(cap_line CapBnd)"
}

@test "capabilities are enforced: without CAP_DAC_OVERRIDE root cannot read a 0000 file" {
  set_config '.root.readonly = false'
  printf secret >"$BUNDLE/rootfs/locked"
  chmod 0000 "$BUNDLE/rootfs/locked"
  set_caps CAP_DAC_OVERRIDE
  run_in c1 cat /locked
  expect_status 0
  expect_output secret
  set_caps CAP_KILL
  run_in c1 cat /locked
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "Permission denied"
}

@test "noNewPrivileges shows as NoNewPrivs" {
  set_config '.process.noNewPrivileges = true'
  run_in c1 grep NoNewPrivs /proc/self/status
  expect_status 0
  expect_eq NoNewPrivs 1 "$(awk '{ print $2 }' <<<"$output")"
  set_config '.process.noNewPrivileges = false'
  run_in c1 grep NoNewPrivs /proc/self/status
  expect_status 0
  expect_eq NoNewPrivs 0 "$(awk '{ print $2 }' <<<"$output")"
}

@test "seccomp: an errno rule is observed" {
  set_config '.root.readonly = false'
  run_in c1 sh -c 'mkdir /tmp/x && echo made; grep Seccomp: /proc/self/status'
  expect_status 0
  expect_contains made
  expect_eq "Seccomp without a profile" 0 "$(awk '$1 == "Seccomp:" { print $2 }' <<<"$output")"

  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  run_in c2 sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/y'
  expect_status 1
  expect_contains "Operation not permitted"
  expect_eq "Seccomp with a profile" 2 "$(awk '$1 == "Seccomp:" { print $2 }' <<<"$output")"
  [ ! -e "$BUNDLE/rootfs/tmp/y" ]
}

@test "seccomp: errnoRet picks the errno" {
  set_config '.root.readonly = false'
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
  run_in c1 mkdir /tmp/x
  expect_status 1
  expect_contains "Permission denied"
  # Other syscalls are allowed.
  run_in c2 sh -c 'touch /tmp/file && echo touched'
  expect_status 0
  expect_output touched
}

@test "seccomp: a rule with an argument condition" {
  # kill(pid, SIGUSR1) is refused; kill(pid, 0) is not.
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                  "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}'
  run_in c1 sh -c 'kill -0 $$ && echo signal-0-ok; kill -USR1 $$'
  expect_status 1
  expect_contains signal-0-ok "Operation not permitted"
}

@test "seccomp: an unknown syscall name or action is an error" {
  set_args true
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOPE", "syscalls": []}'
  run sb run --bundle "$BUNDLE" c1
  expect_status 1
  expect_one_line
  assert_no_leftovers c1
}

@test "a read-only root refuses writes" {
  expect_eq "template root.readonly" true "$(jq -r .root.readonly config.json)"
  run_in c1 touch /x
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "Read-only file system"
  [ ! -e "$BUNDLE/rootfs/x" ]
  run_in c2 sh -c 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
  expect_status 0
  local ro_re=' / ro[, ]'
  [[ "$output" =~ $ro_re ]] || { show_output; false; }

  set_config '.root.readonly = false'
  run_in c3 touch /x
  expect_status 0
  [ -e "$BUNDLE/rootfs/x" ]
}

@test "a read-only root still has writable mounts on it (/dev, /dev/shm)" {
  run_in c1 sh -c 'echo hi >/dev/shm/f && cat /dev/shm/f'
  expect_status 0
  expect_output hi
}

@test "masked paths are unreadable: files read empty, directories are empty" {
  # /proc/kcore and friends may not exist on every kernel; /proc/version and /proc/sysvipc do.
  set_config '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/version", "/proc/sysvipc", "/proc/acpi"]'
  run_in c1 sh -c 'for p in /proc/kcore /proc/keys /proc/timer_list /proc/version; do
      [ -e $p ] || continue; echo "$p: $(cat $p 2>/dev/null | wc -c)"; done
    for d in /proc/sysvipc /proc/acpi; do [ -e $d ] && echo "$d: $(ls -A $d | wc -l)"; done; true'
  expect_status 0
  expect_contains "/proc/version: 0" "/proc/sysvipc: 0"
  local line
  for line in "${lines[@]}"; do
    [[ "$line" == *": 0" ]] || { echo "not masked: $line"; show_output; false; }
  done
  # Their contents do not show.
  run_in c2 sh -c 'cat /proc/version; echo; ls /proc/sysvipc'
  expect_status 0
  expect_not_contains "Linux version"
  expect_not_contains shm
}

@test "without masking the same paths show their contents" {
  set_config '.linux.maskedPaths = []'
  run_in c1 sh -c 'cat /proc/version; ls /proc/sysvipc'
  expect_status 0
  expect_contains "Linux version" shm
}

@test "the template's masked paths are masked" {
  local paths
  paths=$(jq -r '.linux.maskedPaths // [] | .[]' config.json | xargs)
  [ -n "$paths" ] || skip "the template masks nothing"
  set_args sh -c 'for p in "$@"; do
      if [ -d $p ]; then echo "$p: $(ls -A $p 2>/dev/null | wc -l)";
      elif [ -e $p ]; then echo "$p: $(head -c 100 $p 2>/dev/null | wc -c)"; fi; done; true' sh $paths
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  local line
  for line in "${lines[@]}"; do
    [[ "$line" == *": 0" ]] || { echo "not masked: $line"; show_output; false; }
  done
}

# /proc/sys files a container's root may write even rootless: the sysctls of a network namespace
# its user namespace owns.
@test "read-only paths refuse writes (/proc/sys)" {
  ensure_namespace network
  set_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger"]'
  run_in c1 sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "Read-only file system"
  # Reading still works.
  run_in c2 cat /proc/sys/kernel/hostname
  expect_status 0
  expect_output sandbox
}

@test "without readonlyPaths the same /proc/sys file is writable" {
  ensure_namespace network
  set_config '.linux.readonlyPaths = []'
  add_caps CAP_NET_ADMIN # net sysctls are writable with CAP_NET_ADMIN over the namespace
  run_in c1 sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward'
  expect_status 0
  expect_output 1
}

@test "the template's readonly paths include /proc/sys" {
  ensure_namespace network
  jq -e '.linux.readonlyPaths | index("/proc/sys")' config.json >/dev/null
  run_in c1 sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "Read-only file system"
}

@test "seccomp: a profile without what the runtime itself needs still runs the program" {
  # The PATH lookup (faccessat2) and the cwd check (getcwd) happen before the filter goes in:
  # without noNewPrivileges and CAP_SYS_ADMIN the filter is loaded early, and runc and crun run
  # the program under such a profile.
  set_config '.process.noNewPrivileges = false |
    .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names":
      ["faccessat", "faccessat2", "access", "getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  run_in c1 echo ran-under-the-profile
  expect_status 0
  expect_output ran-under-the-profile
}

@test "capabilities: ambient caps outside the inheritable set are dropped silently" {
  # buildah asks for eleven; runc drops them without a word (--debug says it here).
  set_config '.process.capabilities.ambient = ["CAP_KILL", "CAP_CHOWN"]'
  run_in c1 echo ok
  expect_status 0
  expect_output ok
  run sb --debug run --bundle "$BUNDLE" c2
  expect_contains "ambient CAP_KILL skipped"
}

@test "seccomp: syscalls newer than the profile get ENOSYS, older unlisted ones the default errno" {
  # runc's rule: a deny-by-default profile written before clone3/faccessat2 existed must let
  # the C library fall back (ENOSYS), while what it leaves out on purpose stays EPERM.
  install -m 755 "$PROBE" "$BUNDLE/rootfs/bin/sandbox-probe"
  # What busybox sh and the static probe need; the newest named is rseq (334), below clone3
  # (435) and faccessat2 (439); getppid (110) is left out.
  local allowed
  allowed=$(json_array read write open openat close stat fstat lstat newfstatat statx poll lseek \
    mmap mprotect munmap brk rt_sigaction rt_sigprocmask rt_sigreturn ioctl readv writev access \
    faccessat pipe pipe2 dup dup2 dup3 getpid clone fork vfork execve exit exit_group wait4 kill \
    uname fcntl getcwd chdir readlink readlinkat umask getrlimit prlimit64 getuid getgid geteuid \
    getegid setpgid getpgrp getpgid arch_prctl gettid futex set_tid_address set_robust_list \
    getrandom rseq sigaltstack getdents64 tgkill rt_sigsuspend)
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls":
    [{"names": $a, "action": "SCMP_ACT_ALLOW"}]}' --argjson a "$allowed"
  run_in c1 sh -c 'for s in clone3 faccessat2 getppid; do echo "$s $(sandbox-probe syscall $s)"; done'
  expect_status 0
  expect_eq clone3 "clone3 ENOSYS" "${lines[0]}"
  expect_eq faccessat2 "faccessat2 ENOSYS" "${lines[1]}"
  expect_eq getppid "getppid EPERM" "${lines[2]}"
}

@test "LSM labels for a module the host does not run are ignored, noted at --debug" {
  # crun's behaviour: configs written for AppArmor or SELinux hosts run here too.
  if grep -qs Y /sys/module/apparmor/parameters/enabled || [ -e /sys/fs/selinux/enforce ]; then
    skip "this host runs AppArmor or SELinux"
  fi
  set_config '.process.apparmorProfile = "docker-default" |
    .process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" |
    .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
  set_args echo labelled
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_output labelled
  run sb --debug run --bundle "$BUNDLE" c2
  expect_status 0
  expect_contains 'process.apparmorProfile'
  expect_contains 'ignored: AppArmor is not enabled on this host'
  expect_contains 'process.selinuxLabel'
  expect_contains 'linux.mountLabel'
  expect_contains 'ignored: SELinux is not enabled on this host'
  # exec settles the process's labels too.
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c3
  expect_status 0
  run sb --debug exec c3 echo exec-labelled
  expect_status 0
  expect_contains exec-labelled
  expect_contains 'ignored: AppArmor is not enabled on this host'
  # runc's exec flags for the labels go the same way (they were refused).
  run sb --debug exec --apparmor other-profile --process-label "system_u:system_r:spc_t:s0" \
    c3 echo flag-labelled
  expect_status 0
  expect_contains flag-labelled
  expect_contains 'ignored: AppArmor is not enabled on this host'
  expect_contains 'ignored: SELinux is not enabled on this host'
}
