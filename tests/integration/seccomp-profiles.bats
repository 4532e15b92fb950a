#!/usr/bin/env bats
# The shipped seccomp profiles (profiles/) through `sandbox spec --seccomp NAME|FILE`: each
# runs ordinary busybox work, and each denies what it says it denies; a docker-format file is
# converted for the template's capabilities and this machine's architecture.

load helpers


# profile_bundle ARG...: config.json from `spec --seccomp ARG...` (rootless as the caller
# needs), no terminal, a writable /tmp and the probe in the rootfs.
profile_bundle() {
  local flags=()
  is_root || flags+=(--rootless)
  "$SANDBOX" spec --bundle "$BUNDLE" "${flags[@]}" --seccomp "$@" || return 1
  set_config '.process.terminal = false'
  add_tmpfs /tmp
  install -m 755 "$PROBE" "$BUNDLE/rootfs/bin/sandbox-probe"
  # As root the container has a network namespace of its own, whose lo starts down.
  if is_root; then add_caps CAP_NET_ADMIN; fi
}

# A random high port, for the loopback web server.
free_port() { echo $((20000 + RANDOM % 20000)); }

# sh, ls, tar, a pipe, and a fetch from a web server on 127.0.0.1 inside the container (lo is
# brought up where the container has its own network namespace; rootless shares the host's).
WORKLOAD='set -e
ls / >/dev/null
tar -cf /tmp/etc.tar /etc && tar -tf /tmp/etc.tar | grep -q etc/passwd
echo hello >/tmp/index.html
ip link set lo up 2>/dev/null || true
httpd -p 127.0.0.1:$PORT -h /tmp
wget -q -O - http://127.0.0.1:$PORT/index.html
echo workload-done'

@test "spec --seccomp default: the profile is in config.json and a busybox workload runs" {
  profile_bundle default
  run jq -r '.linux.seccomp | .defaultAction, .defaultErrnoRet, (.syscalls | length > 0)' \
    "$BUNDLE/config.json"
  expect_output $'SCMP_ACT_ERRNO\n1\ntrue'
  set_config '.process.env += ["PORT='"$(free_port)"'"]'
  run_in c1 sh -c "$WORKLOAD"
  expect_status 0
  expect_contains hello workload-done
  # The filter is really there.
  run_in c2 sh -c 'grep Seccomp: /proc/self/status'
  expect_contains "Seccomp:	2"
}

@test "spec --seccomp strict: the workload runs; unshare is denied with EPERM, clone3 says ENOSYS" {
  profile_bundle strict
  set_config '.process.env += ["PORT='"$(free_port)"'"]'
  run_in c1 sh -c "$WORKLOAD"
  expect_status 0
  expect_contains hello workload-done
  run_in c2 unshare -U true
  expect_status 1
  expect_contains "Operation not permitted"
  # clone3 (flags in memory, not filterable) says ENOSYS so that libc falls back to clone.
  run_in c3 sandbox-probe syscall clone3
  expect_contains ENOSYS
}

@test "spec --seccomp default allows what strict denies (unshare of a user namespace)" {
  profile_bundle default
  run_in c1 sh -c 'unshare -U true && echo unshared'
  # Where the kernel allows nested user namespaces at all: not EPERM from the profile.
  [ "$status" -eq 0 ] || expect_not_contains "Operation not permitted"
}

@test "spec --seccomp no-network: AF_INET is denied, AF_UNIX works, the rest runs" {
  profile_bundle no-network
  run_in c1 sh -c 'ls / >/dev/null && tar -cf /tmp/t.tar /etc && echo files-ok
    wget -q -O - http://127.0.0.1:1/ ; echo "wget=$?"'
  expect_contains files-ok "wget=1" "Operation not permitted"
  # A Unix datagram socket: listen and send (the probe's sd_notify ends).
  run_in c2 sh -c 'sandbox-probe notify-listen /tmp/n.sock & sleep 0.5
    NOTIFY_SOCKET=/tmp/n.sock sandbox-probe notify-send READY=1; wait; echo unix-ok'
  expect_status 0
  expect_contains READY=1 unix-ok
}

@test "spec --seccomp FILE: a docker-format profile is converted for the template's caps" {
  # mkdir is denied unless CAP_SYS_ADMIN (not in the template's set) is there: the rule
  # applies; chmod's rule needs CAP_SYS_ADMIN: dropped; arch_prctl's rule is for another arch.
  cat >"$TEST_DIR/docker.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "archMap": [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
  ],
  "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
     "excludes": {"caps": ["CAP_SYS_ADMIN"]}, "comment": "no directories"},
    {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO",
     "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": ["s390x"]}}
  ]
}
JSON
  profile_bundle "$TEST_DIR/docker.json"
  run jq -c '.linux.seccomp | [.architectures[0], (.syscalls | map(.names[0]))]' \
    "$BUNDLE/config.json"
  expect_output "[\"$(uname -m | sed 's/x86_64/SCMP_ARCH_X86_64/; s/aarch64/SCMP_ARCH_AARCH64/')\",[\"mkdir\"]]"
  run_in c1 sh -c 'touch /tmp/f && chmod 600 /tmp/f && echo chmod-ok; echo "getppid=$(sandbox-probe syscall getppid)"; mkdir /tmp/d'
  expect_status 1
  expect_contains chmod-ok getppid=ok "Permission denied"
}

@test "spec --seccomp FILE: an OCI linux.seccomp document is taken as it is" {
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"],
    "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' >"$TEST_DIR/oci.json"
  profile_bundle "$TEST_DIR/oci.json"
  run_in c1 sh -c 'mkdir /tmp/d'
  expect_status 1
  expect_contains "Operation not permitted"
}

@test "spec --seccomp: an unknown name or a bad file is one line, exit 1, no config.json" {
  run "$SANDBOX" spec --bundle "$BUNDLE" --seccomp nosuch
  expect_status 1
  expect_one_line
  expect_contains 'seccomp profile "nosuch": no such profile' default no-network strict
  [ ! -e "$BUNDLE/config.json" ]

  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
    "action": "SCMP_ACT_BOGUS"}]}' >"$TEST_DIR/bad.json"
  run "$SANDBOX" spec --bundle "$BUNDLE" --seccomp "$TEST_DIR/bad.json"
  expect_status 1
  expect_one_line
  expect_contains "bad.json" "SCMP_ACT_BOGUS"
  [ ! -e "$BUNDLE/config.json" ]

  echo '{' >"$TEST_DIR/broken.json"
  run "$SANDBOX" spec --bundle "$BUNDLE" --seccomp "$TEST_DIR/broken.json"
  expect_status 1
  expect_one_line
  expect_contains "not valid JSON"
  [ ! -e "$BUNDLE/config.json" ]
}
