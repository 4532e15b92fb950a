#!/usr/bin/env bats
# Load (issue 14): many runtimes at once in one state root. Nothing is lost, no lock is stuck
# (every command finishes within `timeout 30`), two creates of one id give exactly one
# container, and `list` is right afterwards. Rootless, run-suite.sh gives this suite a systemd
# user session, so the containers are scopes of the user manager.

load helpers

setup() {
  common_setup
  make_bundle
  # A marker no other process carries: leftovers are found in /proc/*/cmdline by it.
  MARK=6$(((RANDOM % 90000) + 10000))$((RANDOM % 10))
  printf '%s\n' "$MARK" >"$TEST_DIR/patterns"
  set_args sleep "$MARK"
  export MARK
}

# cycle N: create, start and delete -f of container ld-N, each within 30 s; a failure is one
# line in $TEST_DIR/fail/N.
cycle() {
  local id=ld$MARK-$1 step rc
  for step in "create --bundle $BUNDLE $id" "start $id" "delete -f $id"; do
    rc=0
    # shellcheck disable=SC2086 # the step's words
    timeout -k 5 30 "$SANDBOX" --root "$ROOT" $step </dev/null >"$TEST_DIR/out/$1" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "$step: exit $rc: $(head -c 300 "$TEST_DIR/out/$1")" >"$TEST_DIR/fail/$1"
      return 0
    fi
  done
}

# no_leftovers: no state directory, nothing listed, no process with the marker, no cgroup
# directory (in any hierarchy) named after a container of this test.
no_leftovers() {
  local left
  run sb list -q
  expect_status 0
  expect_output ""
  left=$(find "$ROOT" -mindepth 1 -maxdepth 1)
  [ -z "$left" ] || { echo "state left: $left"; return 1; }
  wait_for 5 sh -c "! grep -lqaFf $TEST_DIR/patterns /proc/[0-9]*/cmdline 2>/dev/null" || {
    echo "processes left:"
    grep -laFf "$TEST_DIR/patterns" /proc/[0-9]*/cmdline
    return 1
  }
  left=$(for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET | grep '^/sys/fs/cgroup'); do
    find "$m" -type d \( -name "*ld$MARK-*" -o -name "*same$MARK*" \) 2>/dev/null
  done)
  [ -z "$left" ] || { echo "cgroups left: $left"; return 1; }
}

@test "load: 100 create/start/delete cycles, 20 at a time, in one state root" {
  mkdir "$TEST_DIR/fail" "$TEST_DIR/out"
  export -f cycle
  export SANDBOX ROOT BUNDLE TEST_DIR
  local t0=$SECONDS
  seq 1 100 | xargs -P 20 -n 1 bash -c 'cycle "$1"' _ 3>&-
  echo "# 100 cycles in $((SECONDS - t0))s" >&3
  local fails
  fails=$(cat "$TEST_DIR"/fail/* 2>/dev/null || true)
  [ -z "$fails" ] || { echo "$(wc -l <<<"$fails") cycles failed:"; echo "$fails"; return 1; }
  no_leftovers
}

@test "load: list during 60 parallel create/start/delete cycles always succeeds" {
  mkdir "$TEST_DIR/fail" "$TEST_DIR/out"
  export -f cycle
  export SANDBOX ROOT BUNDLE TEST_DIR
  seq 1 60 | xargs -P 20 -n 1 bash -c 'cycle "$1"' _ 3>&- &
  local churn=$! lists=0 bad=()
  while kill -0 "$churn" 2>/dev/null; do
    run sb list
    lists=$((lists + 1))
    [ "$status" -eq 0 ] || bad+=("exit $status: $output")
  done
  wait "$churn"
  echo "# $lists lists during the churn" >&3
  [ "${#bad[@]}" -eq 0 ] || { echo "${#bad[@]} of $lists lists failed:"; printf '%s\n' "${bad[@]}"; return 1; }
  local fails
  fails=$(cat "$TEST_DIR"/fail/* 2>/dev/null || true)
  [ -z "$fails" ] || { echo "$(wc -l <<<"$fails") cycles failed:"; echo "$fails"; return 1; }
  no_leftovers
}

@test "load: two creates of one id at once, 20 times: exactly one wins, the other says already exists" {
  local i a b ra rb id=same$MARK
  for i in $(seq 1 20); do
    a=$TEST_DIR/a.$i b=$TEST_DIR/b.$i
    ra=0 rb=0
    timeout -k 5 30 "$SANDBOX" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$a" 2>&1 3>&- &
    local pa=$!
    timeout -k 5 30 "$SANDBOX" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$b" 2>&1 3>&- &
    local pb=$!
    wait "$pa" || ra=$?
    wait "$pb" || rb=$?
    # exactly one 0 and one 1; the loser's error is one line
    if [ "$ra" -eq 0 ]; then
      expect_eq "round $i: second create's exit status" 1 "$rb"
      status=$rb output=$(cat "$b")
    else
      expect_eq "round $i: first create's exit status (the second's: $rb)" 1 "$ra"
      expect_eq "round $i: second create's exit status" 0 "$rb"
      status=$ra output=$(cat "$a")
    fi
    lines=()
    mapfile -t lines <<<"$output"
    expect_failure "container \"$id\" already exists"
    # the winner's container is there, created, and listed once
    run sb list -q
    expect_status 0
    expect_output "$id"
    expect_is "$(status_of "$id")" created
    run sb delete -f "$id"
    expect_status 0
  done
  no_leftovers
}
