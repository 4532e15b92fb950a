#!/usr/bin/env bats
# Escape 1 (CVE-2019-5736 class): a container process overwrites the runtime binary through
# /proc/PID/exe of a process that runs it. The processes that enter the container (the init,
# exec'd processes) are clones of the runtime: until their execve, /proc/PID/exe is the host's
# runtime binary. Expected: they run from a sealed copy and are non-dumpable until execve, so
# /proc/PID/exe cannot be opened or names a copy that refuses writes.

load helpers
load security-helpers

setup() {
  security_setup
  add_out_mount
}
teardown() { security_teardown; }

# start_watcher SECONDS: the container's init is the attacker, watching for new processes
# and keeping their runtime-binary fds; its report goes to $OUT/report when it is done.
start_watcher() {
  set_args sh -c "sandbox-attacker race $1 --exe --stop-file /out/stop >/out/report.tmp 2>&1; mv /out/report.tmp /out/report"
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
}

# stop_watcher: tells the attacker that no runtime runs any more (one last write attempt) and
# waits for its report.
stop_watcher() {
  touch "$OUT/stop"
  wait_file 20 "$OUT/report"
  echo "attacker report:"
  cat "$OUT/report"
}

@test "exe-race: a container process cannot overwrite the runtime through /proc/PID/exe of an exec'd process" {
  start_watcher 60
  wait_for 10 grep -q watching "$OUT/report.tmp"
  local i
  # Many short execs: each one is a clone of the runtime in the container's pid namespace
  # until its execve. The attacker stops early once it has written.
  for i in $(seq 1 150); do
    [ ! -e "$OUT/report" ] || break
    sb exec c1 /bin/true >/dev/null 2>&1 || true
  done
  stop_watcher
  assert_runtime_intact
  # Not vacuous: the attacker saw the exec'd processes come.
  [ "$(report_value saw-pids "$OUT/report")" -ge 10 ] || { echo "the attacker saw too few processes"; false; }
  ! grep -q wrote-exe "$OUT/report"
}

@test "exe-script: a '#!/proc/self/exe' program run by exec does not give the runtime binary away" {
  # The exec'd process execve's /evil; the kernel runs its interpreter, /proc/self/exe of the
  # exec'ing process: the runtime binary, now a plain process inside the container. It fails
  # on its arguments and writes the error to stderr, which is a pipe the test keeps full, so
  # it stays there until the attacker has its exe. Then the test lets it go and, once no
  # runtime runs any more, the attacker writes.
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
  chmod 755 "$BUNDLE/rootfs/evil"
  start_watcher 60
  wait_for 10 grep -q watching "$OUT/report.tmp"
  mkfifo "$TEST_DIR/stderr"
  exec 9<>"$TEST_DIR/stderr"
  dd if=/dev/zero bs=65536 count=1 2>/dev/null >&9 # a pipe holds 64 KiB: now full
  sb exec c1 /evil </dev/null >/dev/null 2>&9 &
  local exec_pid=$!
  BG_PIDS+=("$exec_pid")
  wait_for 10 grep -q foreign-exe-pid "$OUT/report.tmp" || true
  timeout 10 head -c 65536 <&9 >/dev/null || true # let the blocked runtime finish
  exec 9>&-
  wait "$exec_pid" || true
  stop_watcher
  assert_runtime_intact
  [ "$(report_value saw-pids "$OUT/report")" -ge 1 ] || { echo "the attacker saw no process"; false; }
  grep -q foreign-exe-pid "$OUT/report" || { echo "the script's interpreter never ran in the container"; false; }
  ! grep -q wrote-exe "$OUT/report"
}

@test "exe-created: exec into a created container cannot read or write the runtime binary as /proc/1/exe" {
  local host_id
  host_id=$(stat -L -c '%d:%i' "$SANDBOX")
  set_args true
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 sandbox-attacker proc1-exe
  echo "exec: status $status"
  printf '%s\n' "$output"
  # Not vacuous: the attacker ran in the container.
  expect_contains "read-open" "write-open"
  assert_runtime_intact
  expect_not_contains wrote-exe
  expect_not_contains "write-open ok"
  # Reading it is refused, or what it reads is not the host's binary file but a sealed copy or
  # the binary through a read-only mount (the same bytes, so a checksum cannot tell; the
  # file's identity, seals and mount can).
  if grep -q "read-open ok" <<<"$output"; then
    expect_contains "exe-id "
    expect_not_contains "exe-id $host_id"
    grep -qE "exe-sealed yes|exe-readonly yes" <<<"$output" ||
      { echo "/proc/1/exe is neither sealed nor on a read-only mount"; false; }
  fi
}

@test "exe-created-seccomp: a created init whose seccomp filter waits for execve stays closed" {
  # With noNewPrivileges the filter goes in at execve, so until start the init is the one
  # process of the container not under it: it stays non-dumpable (nothing can write code
  # into it through /proc/1/mem that would run unfiltered).
  set_args true
  set_config '.process.noNewPrivileges = true | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW"}'
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 sandbox-attacker proc1-exe
  echo "exec: status $status"
  printf '%s\n' "$output"
  assert_runtime_intact
  expect_not_contains wrote-exe
  expect_not_contains "write-open ok"
  expect_not_contains "read-open ok"
  if is_root; then
    # Root may enter it; what it finds is closed.
    expect_status 0
    expect_contains "read-open Permission denied"
  else
    # A rootless caller cannot inspect it either, and says why.
    expect_status 255
    expect_contains "can be entered once started"
  fi
  run sb start c1
  expect_status 0
}
