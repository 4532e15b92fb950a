#!/usr/bin/env bats
# The fds a container's process gets: stdio, then LISTEN_FDS (socket activation) and
# --preserve-fds, and nothing else of the runtime or its caller. Checked from inside with the
# static probe, which lists its own open fds.

load helpers

setup() {
  common_setup
  make_bundle
  install -m 755 "$PROBE" "$BUNDLE/rootfs/bin/sandbox-probe"
}

@test "only stdio reaches the container, whatever the caller had open" {
  set_args sandbox-probe fds
  run sb run --bundle "$BUNDLE" c1 5<"$BUNDLE/config.json" 7>"$TEST_DIR/scratch" 9<&0
  expect_status 0
  expect_output "0 1 2"
}

@test "only stdio reaches an exec'd process" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 sandbox-probe fds 5<"$BUNDLE/config.json" 7>"$TEST_DIR/scratch"
  expect_status 0
  expect_output "0 1 2"
}

@test "--preserve-fds N passes fds 3 .. 3+N-1 at their numbers, and no more" {
  echo first >"$TEST_DIR/f3"
  echo second >"$TEST_DIR/f4"
  set_args sh -c 'sandbox-probe fds; cat <&3; cat <&4'
  run sb run --preserve-fds 2 --bundle "$BUNDLE" c1 3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f4"
  expect_status 0
  expect_eq "lines" "0 1 2 3 4 first second" "$(echo $output)"
}

@test "exec --preserve-fds passes fds too" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  echo via-exec >"$TEST_DIR/f3"
  run sb exec --preserve-fds 1 c1 sh -c 'sandbox-probe fds; cat <&3' 3<"$TEST_DIR/f3"
  expect_status 0
  expect_eq "lines" "0 1 2 3 via-exec" "$(echo $output)"
}

@test "--preserve-fds naming a closed fd fails, nothing left behind" {
  set_args true
  # Only fd 3 open beyond stdio (bats keeps others of its own).
  run bash -c 'for fd in $(ls /proc/$$/fd); do [ "$fd" -le 3 ] || eval "exec $fd>&-"; done
    exec timeout 60 "$SANDBOX" --root "$ROOT" run --preserve-fds 3 --bundle "$BUNDLE" c1' \
    3<"$BUNDLE/config.json"
  expect_failure "--preserve-fds 3: fd 4 is not open"
  assert_no_leftovers c1
}

@test "socket activation: LISTEN_FDS fds pass with LISTEN_FDS=n and LISTEN_PID=1" {
  echo activated >"$TEST_DIR/f3"
  set_args sandbox-probe fds
  # LISTEN_PID must name the runtime itself, as systemd sets it. Here bash exec's timeout,
  # which forks the runtime: LISTEN_PID names timeout, and the fds must NOT pass.
  run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec timeout -k 5 60 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1' 3<"$TEST_DIR/f3"
  expect_status 0
  expect_output "0 1 2"
  # env exec's the runtime, which keeps the pid LISTEN_PID names.
  set_args sh -c 'sandbox-probe fds; echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
  run bash -c 'export LISTEN_FDS=1; exec env LISTEN_PID=$$ "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c2' 3<"$TEST_DIR/f3"
  expect_status 0
  expect_eq "lines" "0 1 2 3 1 1 activated" "$(echo $output)"
}

# Profiles that deny close_range (default allow). The runtime may not rely on close_range once
# the filter is in: every fd not passed on must be closed or close-on-exec before, and a
# profile that kills for close_range must not kill the runtime's own setup (runc runs both).
deny_close_range() {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["close_range"], "action": $a}]}' --arg a "$1"
}

# Both places the filter goes in: at execve (noNewPrivileges) and early, before the user
# switch (neither noNewPrivileges nor CAP_SYS_ADMIN).
@test "seccomp denying close_range (errno): the caller's fds do not reach the container" {
  echo secret >"$TEST_DIR/secret"
  set_args sh -c 'sandbox-probe fds; cat /proc/self/fd/4 2>/dev/null || echo no-fd-4'
  for nnp in true false; do
    deny_close_range SCMP_ACT_ERRNO
    set_config '.process.noNewPrivileges = $n' --argjson n "$nnp"
    run sb run --bundle "$BUNDLE" c1 4<"$TEST_DIR/secret" 5<"$BUNDLE/config.json" 9<&0
    expect_status 0
    expect_eq "noNewPrivileges=$nnp" "0 1 2 no-fd-4" "$(echo $output)"
  done
}

@test "seccomp killing for close_range: run works and passes only stdio" {
  echo secret >"$TEST_DIR/secret"
  set_args sh -c 'sandbox-probe fds; cat /proc/self/fd/4 2>/dev/null || echo no-fd-4'
  for nnp in true false; do
    deny_close_range SCMP_ACT_KILL
    set_config '.process.noNewPrivileges = $n' --argjson n "$nnp"
    run sb run --bundle "$BUNDLE" c1 4<"$TEST_DIR/secret" 5<"$BUNDLE/config.json"
    expect_status 0
    expect_eq "noNewPrivileges=$nnp" "0 1 2 no-fd-4" "$(echo $output)"
  done
}

@test "seccomp killing for close_range: exec works and passes only stdio" {
  echo secret >"$TEST_DIR/secret"
  deny_close_range SCMP_ACT_KILL
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 sh -c 'sandbox-probe fds; cat /proc/self/fd/4 2>/dev/null || echo no-fd-4' \
    4<"$TEST_DIR/secret" 5<"$BUNDLE/config.json"
  expect_status 0
  expect_eq "lines" "0 1 2 no-fd-4" "$(echo $output)"
}

@test "seccomp killing for close_range: --preserve-fds still passes what it names, and no more" {
  echo passed >"$TEST_DIR/f3"
  echo secret >"$TEST_DIR/secret"
  deny_close_range SCMP_ACT_KILL
  set_args sh -c 'sandbox-probe fds; cat <&3'
  run sb run --preserve-fds 1 --bundle "$BUNDLE" c1 3<"$TEST_DIR/f3" 4<"$TEST_DIR/secret"
  expect_status 0
  expect_eq "run" "0 1 2 3 passed" "$(echo $output)"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c2
  expect_status 0
  run sb exec --preserve-fds 1 c2 sh -c 'sandbox-probe fds; cat <&3' 3<"$TEST_DIR/f3" 4<"$TEST_DIR/secret"
  expect_status 0
  expect_eq "exec" "0 1 2 3 passed" "$(echo $output)"
}
