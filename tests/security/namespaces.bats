#!/usr/bin/env bats
# Escapes 5, 6 and 8: namespaces the config leaves out or joins by path.
#  5. No mount namespace: the init's pivot_root re-roots the CALLER's mount namespace.
#     Expected: a clear one-line error, exit 1, nothing left behind, the caller's / unchanged.
#     As root this runs only inside a throw-away mount namespace (unshare -m).
#  6. linux.sysctl while the network namespace is the host's (joined by path, or none at all),
#     and sysctls no namespace scopes: written into the host. Expected: refused, host unchanged.
#  8. Namespaces given by path are joined by the runtime process itself (setns), which then
#     lives in them. Expected: the runtime stays in the caller's namespaces.

load helpers
load security-helpers

setup() {
  security_setup
  SYSCTL_RESTORE=()
}

teardown() {
  local kv
  for kv in "${SYSCTL_RESTORE[@]}"; do
    [ "$(cat "/proc/sys/${kv%%=*}")" = "${kv#*=}" ] || echo "${kv#*=}" >"/proc/sys/${kv%%=*}" || true
  done
  security_teardown
}

# no_mount_ns_case COMMAND: COMMAND (create or run) of a config without a mount namespace.
no_mount_ns_case() {
  local cmd=$1
  remove_namespace mount
  set_args true
  local marker=$TEST_DIR/only-on-the-host
  touch "$marker"
  local script='
    before=$(stat -c %d:%i /)
    timeout -k 5 20 "$SANDBOX" --root "$ROOT" "$1" --bundle "$BUNDLE" c1 </dev/null >"$TEST_DIR/out.txt" 2>&1
    echo "rc=$?"
    echo "root-before=$before"
    echo "root-after=$(stat -c %d:%i /)"
    [ -e "$2" ] && echo marker-visible
    true'
  if is_root; then
    # A throw-away mount namespace: today the runtime re-roots the namespace it runs in.
    run unshare -m --propagation private bash -c "$script" bash "$cmd" "$marker"
  else
    run bash -c "$script" bash "$cmd" "$marker"
  fi
  echo "$output"
  echo "runtime said: $(cat "$TEST_DIR/out.txt")"
  kill_test_processes
  local rc=0 before after
  before=$(sed -n 's/^root-before=//p' <<<"$output")
  after=$(sed -n 's/^root-after=//p' <<<"$output")
  [ -n "$before" ] || { echo "the check did not run"; return 1; }
  [ "$before" = "$after" ] || { echo "ESCAPE: the caller's / changed ($before -> $after)"; rc=1; }
  [[ "$output" == *marker-visible* ]] || { echo "ESCAPE: the caller no longer sees the host's files"; rc=1; }
  [[ "$output" != *"rc=124"* && "$output" != *"rc=137"* ]] || { echo "the runtime hung"; rc=1; }
  grep -qx "rc=1" <<<"$output" || { echo "expected exit status 1"; rc=1; }
  [ "$(wc -l <"$TEST_DIR/out.txt")" -eq 1 ] || { echo "expected a one-line error"; rc=1; }
  assert_no_leftovers c1 || rc=1
  return "$rc"
}

@test "no-mount-ns: create without a mount namespace fails cleanly, the caller's root unchanged" {
  no_mount_ns_case create
}

@test "no-mount-ns: run without a mount namespace fails cleanly, the caller's root unchanged" {
  no_mount_ns_case run
}

# sysctl_case KEY VALUE: run a container with linux.sysctl KEY=VALUE (VALUE differs from the
# host's); expect exit 1, the host's value unchanged (restored at teardown if it was not).
sysctl_case() {
  local key=$1 value=$2 file=/proc/sys/${1//.//} before after
  before=$(cat "$file")
  [ "$before" != "$value" ] || { echo "pick another value than the host's"; return 1; }
  SYSCTL_RESTORE+=("${file#/proc/sys/}=$before")
  set_config '.linux.sysctl = {($k): $v}' --arg k "$key" --arg v "$value"
  set_args cat "$file"
  run sb run --bundle "$BUNDLE" c1
  show_output
  after=$(cat "$file")
  if [ "$after" != "$before" ]; then
    echo "ESCAPE: the host's $key changed: $before -> $after"
    return 1
  fi
  expect_status 1
  expect_one_line
  assert_no_leftovers c1
}

# port_start_other: a value of net.ipv4.ip_unprivileged_port_start other than the host's.
port_start_other() {
  local v
  v=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
  [ "$v" = 1000 ] && echo 1001 || echo 1000
}

@test "sysctl: a net sysctl with the network namespace joined as /proc/self/ns/net is refused" {
  set_config '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network", "path": "/proc/self/ns/net"}])'
  sysctl_case net.ipv4.ip_unprivileged_port_start "$(port_start_other)"
  expect_contains "network namespace"
}

@test "sysctl: a net sysctl with the host's network namespace joined through another process is refused" {
  # The caller's network namespace under another name: this shell's /proc/PID/ns/net.
  set_config '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network", "path": $p}])' \
    --arg p "/proc/$$/ns/net"
  sysctl_case net.ipv4.ip_unprivileged_port_start "$(port_start_other)"
  expect_contains "network namespace"
}

@test "sysctl: a net sysctl without a network namespace is refused" {
  remove_namespace network
  sysctl_case net.ipv4.ip_unprivileged_port_start "$(port_start_other)"
  expect_contains "network namespace"
}

@test "sysctl: a sysctl no namespace scopes (vm.swappiness) is refused" {
  local v
  v=$(cat /proc/sys/vm/swappiness)
  sysctl_case vm.swappiness "$([ "$v" = 11 ] && echo 12 || echo 11)"
}

@test "sysctl: a sysctl no namespace scopes (fs.protected_regular) is refused" {
  local v
  v=$(cat /proc/sys/fs/protected_regular)
  sysctl_case fs.protected_regular "$([ "$v" = 0 ] && echo 1 || echo 0)"
}

# ns_differs PID NS: PID (unshare, once it exec'd sleep) is in a namespace of type NS of its own.
ns_differs() { [ "$(readlink "/proc/$1/ns/$2")" != "$(readlink "/proc/$$/ns/$2")" ]; }

@test "setns: the runtime of a foreground run stays in the caller's namespaces when the container joins some by path" {
  local holder
  if is_root; then
    background unshare --net sleep 1000
    holder=$BG_PID
    wait_for 5 ns_differs "$holder" net
    set_config '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network", "path": $p}])' \
      --arg p "/proc/$holder/ns/net"
  else
    background unshare --user --map-root-user --net sleep 1000
    holder=$BG_PID
    wait_for 5 ns_differs "$holder" user
    set_config 'del(.linux.uidMappings, .linux.gidMappings)
      | .linux.namespaces |= (map(select(.type != "network" and .type != "user"))
        + [{"type": "user", "path": $u}, {"type": "network", "path": $n}])' \
      --arg u "/proc/$holder/ns/user" --arg n "/proc/$holder/ns/net"
    # Only uid 0 (the user) is mapped in that namespace.
    set_config '.process.user = {"uid": 0, "gid": 0}'
  fi
  set_args sleep 30
  timeout -k 5 40 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >"$TEST_DIR/run.out" 2>&1 &
  local rt=$!
  BG_PIDS+=("$rt")
  # $rt is timeout; the runtime is its child.
  local runtime
  wait_for 10 status_is c1 running || { cat "$TEST_DIR/run.out"; false; }
  runtime=$(pgrep -P "$rt" | head -1)
  local init ns rc=0
  init=$(pid_of c1)
  for ns in net user; do
    local mine theirs rts
    mine=$(readlink "/proc/self/ns/$ns")
    theirs=$(readlink "/proc/$holder/ns/$ns")
    rts=$(readlink "/proc/$runtime/ns/$ns")
    echo "$ns: caller $mine, runtime $rts, joined $theirs, container $(readlink "/proc/$init/ns/$ns")"
    [ "$rts" = "$mine" ] || { echo "THE RUNTIME (pid $runtime) LIVES IN THE JOINED $ns NAMESPACE"; rc=1; }
  done
  # Not vacuous: the container did join the namespace.
  expect_eq "container net ns" "$(readlink "/proc/$holder/ns/net")" "$(readlink "/proc/$init/ns/net")"
  sb kill c1 KILL || true
  wait "$rt" || true
  return "$rc"
}
