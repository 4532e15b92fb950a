#!/usr/bin/env bats
# Escapes 2 and 3 (CVE-2024-21626 class): a directory fd of the host reaches a process in the
# container, which walks `..` from it out to the host's root (or makes it its cwd) and writes
# there. 2: fds the init holds while it waits in `created` (the runtime's own, or the create
# caller's). 3: fds of the `exec` caller, open in the exec'd process until its execve.
# Expected: only stdio (and what --preserve-fds names) ever reaches a process in the container,
# and a cwd outside the container's root is refused.

load helpers
load security-helpers

setup() {
  security_setup
  add_out_mount
}
teardown() { security_teardown; }

# assert_no_markers PREFIX: no file named PREFIX* was created in $HOSTDIR.
assert_no_markers() {
  local found
  found=$(find "$HOSTDIR" -maxdepth 1 -name "$1*" 2>/dev/null)
  if [ -n "$found" ]; then
    echo "ESCAPE: files created on the host through a leaked fd:"
    echo "$found"
    return 1
  fi
}

@test "created-fds: no fd of a created init leads out to the host (also with a create caller's extra fd)" {
  mkdir "$TEST_DIR/callerdir"
  set_args true
  # The caller holds fd 5 on a host directory, without --preserve-fds.
  run sbd create --bundle "$BUNDLE" c1 5<"$TEST_DIR/callerdir"
  expect_status 0
  local init
  init=$(pid_of c1)
  echo "init $init holds: $(ls -l /proc/"$init"/fd | awk 'NR > 1 { print $9 $10 $11 }' | tr '\n' ' ')"
  run sb exec c1 sandbox-attacker fd-escape "$HOSTDIR" leak
  printf '%s\n' "$output"
  assert_no_markers leak
  # Not vacuous: the attacker went through its own fds and pid 1's (or was refused pid 1's,
  # as a non-dumpable init refuses them).
  expect_contains "fds-tried"
  [ "$(awk '$1 == "fds-tried" { print $2 }' <<<"$output")" -ge 3 ]
  [[ "$output" == *"fd 1 0 "* || "$output" == *"fd 1: cannot list"* ]]
}

@test "created-fds: exec --cwd /proc/1/fd/N of a created init does not give a host cwd" {
  mkdir "$TEST_DIR/callerdir"
  set_args true
  run sbd create --bundle "$BUNDLE" c1 5<"$TEST_DIR/callerdir"
  expect_status 0
  local init n tried=0
  init=$(pid_of c1)
  for n in $(ls "/proc/$init/fd"); do
    run sb exec --cwd "/proc/1/fd/$n" c1 sandbox-attacker cwd-escape "$HOSTDIR" cwd-$n
    echo "fd $n ($(readlink "/proc/$init/fd/$n")): status $status: $(echo $output)"
    tried=$((tried + 1))
  done
  assert_no_markers cwd-
  [ "$tried" -ge 3 ] # at least stdio were tried
}

@test "init-cwd: process.cwd /proc/self/fd/N does not give the init a host cwd" {
  local n
  for n in 3 4 5 6 7 8 9 10; do
    CONFIG=$BUNDLE/config.json set_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
    set_args sandbox-attacker cwd-escape "$HOSTDIR" proc-cwd-$n
    run sb run --bundle "$BUNDLE" "c$n" 5<"$HOSTDIR"
    echo "cwd /proc/self/fd/$n: status $status: $(echo $output)"
    sb delete -f "c$n" >/dev/null 2>&1 || true
  done
  assert_no_markers proc-cwd-
}

@test "exec-caller-fds: a container process cannot use the exec caller's fds before execve" {
  set_args sh -c "sandbox-attacker race 60 --fd 7 --stop-file /out/stop >/out/report.tmp 2>&1; mv /out/report.tmp /out/report"
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  wait_for 10 grep -q watching "$OUT/report.tmp"
  local i
  for i in $(seq 1 150); do
    [ ! -e "$OUT/report" ] && [ ! -e "$HOSTDIR/GRABBED" ] || break
    sb exec c1 /bin/true 7<"$HOSTDIR" >/dev/null 2>&1 || true
  done
  touch "$OUT/stop"
  wait_file 20 "$OUT/report"
  echo "attacker report:"
  cat "$OUT/report"
  assert_absent "$HOSTDIR/GRABBED"
  # Not vacuous: the attacker saw the exec'd processes come.
  [ "$(report_value saw-pids "$OUT/report")" -ge 10 ]
}
