#!/usr/bin/env bats
# Namespaces: pid 1, hostname/domainname, the configured set, joining by path, the automatic
# user namespace, sysctls.

load helpers

setup() {
  common_setup
  make_bundle
}

@test "the process is pid 1 in its own pid namespace" {
  run_in c1 sh -c 'echo $$'
  expect_status 0
  expect_output 1
  run_in c1 readlink /proc/self/ns/pid
  expect_status 0
  [ "$output" != "$(readlink /proc/self/ns/pid)" ] || { echo "same pid namespace as the host"; false; }
  # Only the container's processes are visible in its /proc.
  run_in c1 sh -c 'ls -d /proc/[0-9]* | wc -l'
  expect_status 0
  [ "$output" -le 3 ] || { show_output; false; }
}

@test "hostname is set" {
  run_in c1 hostname
  expect_status 0
  expect_output sandbox
  set_config '.hostname = "box-test-1"'
  run_in c1 hostname
  expect_status 0
  expect_output box-test-1
  [ "$(hostname)" != box-test-1 ]
}

@test "domainname is set" {
  set_config '.domainname = "example.test"'
  run_in c1 cat /proc/sys/kernel/domainname
  expect_status 0
  expect_output example.test
  [ "$(cat /proc/sys/kernel/domainname)" != example.test ]
}

@test "each configured namespace is new, the others are the host's" {
  local -A type=([pid]=pid [net]=network [mnt]=mount [ipc]=ipc [uts]=uts [user]=user [cgroup]=cgroup)
  run_in c1 sh -c 'for n in pid net mnt ipc uts user cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
  expect_status 0
  local n inside host
  for n in pid net mnt ipc uts user cgroup; do
    inside=$(printf '%s\n' "${lines[@]}" | awk -v n="$n" '$1 == n { print $2 }')
    host=$(readlink "/proc/self/ns/$n")
    [ -n "$inside" ] || { show_output; false; }
    if has_namespace "${type[$n]}"; then
      [ "$inside" != "$host" ] || { echo "$n: configured but shared with the host ($host)"; false; }
    else
      expect_eq "$n namespace (not configured)" "$host" "$inside"
    fi
  done
}

@test "network and cgroup namespaces can be added" {
  ensure_namespace network
  ensure_namespace cgroup
  run_in c1 sh -c 'for n in net cgroup; do readlink /proc/self/ns/$n; done'
  expect_status 0
  [ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ] || { show_output; false; }
  [ "${lines[1]}" != "$(readlink /proc/self/ns/cgroup)" ] || { show_output; false; }
  # A new network namespace holds only a loopback device.
  run_in c2 sh -c "awk -F: 'NR > 2 { print \$1 }' /proc/net/dev | xargs"
  expect_status 0
  expect_output lo
}

@test "a namespace given by path is joined" {
  ensure_namespace network
  local other
  other=$(new_bundle a)
  CONFIG=$other/config.json set_args sleep 100
  CONFIG=$other/config.json ensure_namespace network
  sbd run -d --bundle "$other" a
  local apid
  apid=$(pid_of a)
  local ans
  ans=$(readlink "/proc/$apid/ns/net")
  [ -n "$ans" ]
  [ "$ans" != "$(readlink /proc/self/ns/net)" ]

  # B joins A's network namespace (and, rootless, A's user namespace, which owns it).
  set_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/proc/$apid/ns/net"
  if ! is_root; then
    set_config '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)
                | del(.linux.uidMappings) | del(.linux.gidMappings)' --arg p "/proc/$apid/ns/user"
  fi
  run_in b readlink /proc/self/ns/net
  expect_status 0
  expect_output "$ans"
}

@test "a mount namespace given by path is joined: the container sees the other's mounts" {
  local other
  other=$(new_bundle a)
  CONFIG=$other/config.json add_tmpfs /tmp
  CONFIG=$other/config.json set_args sh -c 'echo made-by-a >/tmp/shared && sleep 100'
  sbd run -d --bundle "$other" a
  local apid
  apid=$(pid_of a)
  wait_for 10 sb exec a test -f /tmp/shared
  local ans
  ans=$(readlink "/proc/$apid/ns/mnt")
  # B joins A's mount namespace and takes A's root as its own ("/" there): no mounts, masks
  # or devices of its own, which would land on A's. It joins A's pid namespace too, so that
  # A's /proc shows B's processes.
  set_config '.linux.namespaces |= map(if .type == "mount" then .path = "/proc/\($p)/ns/mnt"
                                       elif .type == "pid" then .path = "/proc/\($p)/ns/pid"
                                       else . end)
              | .root.path = "/" | .mounts = [] | .linux.maskedPaths = []
              | .linux.readonlyPaths = []' --arg p "$apid"
  if ! is_root; then
    set_config '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)
                | del(.linux.uidMappings) | del(.linux.gidMappings)' --arg p "/proc/$apid/ns/user"
  fi
  run_in b sh -c 'readlink /proc/self/ns/mnt; cat /tmp/shared'
  expect_status 0
  expect_eq "mount namespace" "$ans" "${lines[0]}"
  expect_eq "A's file" made-by-a "${lines[1]}"
  # A is undisturbed: same root, same file.
  run sb exec a sh -c 'cat /tmp/shared; ls /'
  expect_status 0
  expect_contains made-by-a
}

@test "the caller's own mount namespace given by path is refused" {
  set_config '.linux.namespaces |= map(if .type == "mount" then .path = "/proc/self/ns/mnt" else . end)'
  run_in c1 true
  expect_failure "a mount namespace is required"
  assert_no_leftovers c1
}

@test "a namespace path that is not a namespace fails with one line and no leftovers" {
  ensure_namespace network
  set_config '.linux.namespaces |= map(if .type == "network" then .path = "/etc/passwd" else . end)'
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 1
  expect_one_line
  assert_no_leftovers c1
}

@test "a user namespace is added for a non-root user whose config has none" {
  rm -f "$BUNDLE/config.json"
  "$SANDBOX" spec --bundle "$BUNDLE"
  set_config '.process.terminal = false'
  set_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings) | del(.linux.gidMappings)'
  run_in c1 sh -c 'id -u; readlink /proc/self/ns/user; cat /proc/self/uid_map'
  expect_status 0
  expect_eq "uid inside" 0 "${lines[0]}"
  if is_root; then
    # Root needs no user namespace and gets none.
    expect_eq "user namespace" "$(readlink /proc/self/ns/user)" "${lines[1]}"
  else
    [ "${lines[1]}" != "$(readlink /proc/self/ns/user)" ] || { show_output; false; }
    [[ "${lines[2]}" =~ ^\ *0\ +$(id -u)\ +1$ ]] || { show_output; false; }
  fi
}

@test "linux.sysctl is applied inside the container's namespaces" {
  ensure_namespace network
  local before
  before=$(cat /proc/sys/net/ipv4/ip_forward)
  local want=1
  [ "$before" != 1 ] || want=0
  set_config '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$want"
  run_in c1 cat /proc/sys/net/ipv4/ip_forward
  expect_status 0
  expect_output "$want"
  expect_eq "host ip_forward untouched" "$before" "$(cat /proc/sys/net/ipv4/ip_forward)"
}

@test "an IPC-namespace sysctl is applied" {
  set_config '.linux.sysctl = {"kernel.shmmni": "1234"}'
  run_in c1 cat /proc/sys/kernel/shmmni
  expect_status 0
  expect_output 1234
  [ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}
