#!/usr/bin/env bats
# ps: a container's processes as host pids (json) or through the host's ps (table).

load helpers

setup() {
  common_setup
  make_bundle
}

@test "ps --format json lists the init and its children as host pids; table shows them" {
  set_args sh -c 'sleep 200 & sleep 300 & wait'
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  local init
  init=$(pid_of c1)
  wait_for 10 bash -c '[ "$(timeout 10 "$SANDBOX" --root "$ROOT" ps --format json c1 | jq length)" -eq 3 ]'
  run sb ps --format json c1
  expect_status 0
  local pids
  pids=$(jq -r '.[]' <<<"$output")
  grep -qx "$init" <<<"$pids"
  local p
  for p in $pids; do
    pid_alive "$p"
    # Each is in the container's pid namespace.
    expect_eq "pid namespace of $p" "$(readlink "/proc/$init/ns/pid")" "$(readlink "/proc/$p/ns/pid")"
  done
  run sb ps c1
  expect_status 0
  expect_contains PID "sleep 200" "sleep 300"
  [ "${#lines[@]}" -eq 4 ]
  [[ "$output" != *" $$ "* ]]
  run sb ps c1 -o pid,comm
  expect_status 0
  expect_eq "header" "PID COMMAND" "$(echo ${lines[0]})"
  [ "${#lines[@]}" -eq 4 ]
}

@test "ps of a container sharing our pid namespace: the init and its descendants" {
  is_root || skip "a rootless container always has a pid namespace of its own here"
  remove_namespace pid
  set_args sh -c 'sleep 200 & wait'
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  wait_for 10 bash -c '[ "$(timeout 10 "$SANDBOX" --root "$ROOT" ps --format json c1 | jq length)" -eq 2 ]'
  run sb ps --format json c1
  expect_contains "$(pid_of c1)"
}

@test "ps of an unknown id: does not exist; of a stopped container: container not running" {
  run sb ps nope-id
  expect_failure "does not exist"
  set_args true
  run sbd create --bundle "$BUNDLE" c1
  sb start c1
  wait_status c1 stopped
  run sb ps --format json c1
  expect_failure "container not running"
}
