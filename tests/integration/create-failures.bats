#!/usr/bin/env bats
# The create path never loses a container (issue 14): a failure after the init is cloned
# fails `create` at once and leaves nothing; a runtime killed during create leaves a record
# that `list` shows honestly and `delete` cleans up (init, cgroups, state directory); one
# corrupt or unreadable state.json does not break `list` and is never taken for "no state";
# later commands read the state directory's copy of config.json, never the bundle.

load helpers

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
  set_args sleep 1000
  # Every process started by a create of this test carries this variable (the init is a
  # clone of the runtime): marked_procs finds an init that no state leads to.
  MARK=SBMARK=$TEST_DIR
  SB_TIMEOUT=20
}

teardown() {
  [ -z "${SMALL_ROOT:-}" ] || { umount "$SMALL_ROOT" 2>/dev/null || true; }
  common_teardown
}

# marked_procs: the live processes that a create of this test started.
marked_procs() {
  local f p
  for f in /proc/[0-9]*/environ; do
    p=${f#/proc/}
    p=${p%/environ}
    grep -qzx "$MARK" "$f" 2>/dev/null && pid_alive "$p" && echo "$p"
  done
  return 0
}
no_marked_procs() { [ -z "$(marked_procs)" ]; }

# mcreate ARGS...: sb create with the marker, detached.
mcreate() { env "$MARK" timeout -k 5 "$SB_TIMEOUT" "$SANDBOX" --root "$ROOT" create "$@" </dev/null >"$TEST_DIR/create.out" 2>&1 3>&-; }

# expect_nothing_left ID: no process of the create, no state directory.
expect_nothing_left() {
  wait_for 10 no_marked_procs || { echo "processes left: $(marked_procs)"; return 1; }
  if [ -e "$ROOT/$1" ]; then
    echo "state directory left: $(ls -la "$ROOT/$1")"
    return 1
  fi
}

# root: a cgroupsPath below the suite's cgroup, so the test can look for it afterwards.
use_own_cgroup() {
  CG=
  is_root || return 0
  set_config '.linux.cgroupsPath = $p' --arg p "$SANDBOX_IT_CGROUP/$1"
  CG=$CGROUP2$SANDBOX_IT_CGROUP/$1
}
expect_cgroup_gone() {
  [ -z "$CG" ] && return 0
  if [ -e "$CG" ]; then
    echo "cgroup left: $CG"
    return 1
  fi
}

# a prestart hook (run by the runtime, as its child) running SCRIPT with sh -c
prestart_hook() {
  set_config '.hooks.prestart += [{"path": "/bin/sh", "args": ["sh", "-c", $s]}]' --arg s "$1"
}

# ------------------------------------------------------------ item 1: failures after clone

@test "create: a pid file in a missing directory fails at once, one line, nothing left" {
  use_own_cgroup pidfile
  run mcreate --bundle "$BUNDLE" --pid-file /no/such/dir/pid c1
  output=$(cat "$TEST_DIR/create.out")
  expect_status 1
  expect_contains "/no/such/dir"
  expect_eq "lines" 1 "$(printf '%s\n' "$output" | wc -l)"
  expect_nothing_left c1
  expect_cgroup_gone
  run sb list -q
  expect_output ""
}

@test "create: a missing console socket fails at once, one line, nothing left" {
  set_config '.process.terminal = true'
  run mcreate --bundle "$BUNDLE" --console-socket "$TEST_DIR/missing.sock" c1
  output=$(cat "$TEST_DIR/create.out")
  expect_status 1
  expect_contains "missing.sock"
  expect_eq "lines" 1 "$(printf '%s\n' "$output" | wc -l)"
  expect_nothing_left c1
}

@test "create: ENOSPC under the state root fails at once and leaves nothing" {
  is_root || skip "root only: mounts a small tmpfs as --root"
  SMALL_ROOT=$TEST_DIR/small
  mkdir "$SMALL_ROOT"
  mount -t tmpfs -o size=8k,mode=0700 tmpfs "$SMALL_ROOT"
  EXTRA_ROOTS+=("$SMALL_ROOT")
  local i ok=0 failed=0
  for i in 1 2 3 4 5 6; do
    # detached: a created init holds no pipe of ours
    run detached env "$MARK" timeout -k 5 20 "$SANDBOX" --root "$SMALL_ROOT" create --bundle "$BUNDLE" "s$i"
    [ "$status" -ne 124 ] && [ "$status" -ne 137 ] || { echo "create s$i hung"; return 1; }
    if [ "$status" -eq 0 ]; then
      ok=$((ok + 1))
    else
      failed=$((failed + 1))
      expect_eq "lines of s$i's error" 1 "$(printf '%s\n' "$output" | wc -l)"
      [ ! -e "$SMALL_ROOT/s$i" ] || { echo "s$i's state left: $(ls -la "$SMALL_ROOT/s$i")"; return 1; }
    fi
  done
  [ "$failed" -gt 0 ] || { echo "no create ran out of space"; return 1; }
  for i in $("$SANDBOX" --root "$SMALL_ROOT" list -q); do
    "$SANDBOX" --root "$SMALL_ROOT" delete -f "$i"
  done
  wait_for 10 no_marked_procs || { echo "processes left: $(marked_procs)"; return 1; }
  expect_eq "state root" "" "$(ls -A "$SMALL_ROOT")"
}

# ------------------------------------------------------------ item 2: the runtime killed

@test "create: killed in a prestart hook: listed as stopped, delete removes init, cgroup, state" {
  use_own_cgroup killed
  prestart_hook 'kill -KILL $PPID; sleep 5'
  run mcreate --bundle "$BUNDLE" c1
  expect_status 137
  wait_for 10 no_marked_procs
  run sb list
  expect_status 0
  expect_contains c1 stopped
  run sb delete c1
  expect_status 0
  expect_nothing_left c1
  expect_cgroup_gone
}

@test "create: stopped mid-create: state and list answer 'creating' at once; killed, delete -f cleans" {
  use_own_cgroup stopped
  prestart_hook "echo \$PPID >$HOSTDIR/runtime; kill -STOP \$PPID"
  mcreate --bundle "$BUNDLE" c1 &
  local bg=$!
  wait_for 10 test -s "$HOSTDIR/runtime"
  local rt
  rt=$(cat "$HOSTDIR/runtime")
  wait_for 10 sh -c "grep -q '^State:.*T' /proc/$rt/status"
  SB_TIMEOUT=5
  run sb state c1
  expect_status 0
  expect_eq "status" creating "$(jq -r .status <<<"$output")"
  local pid
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" -gt 0 ] || { echo "no init pid in: $output"; return 1; }
  run sb list
  expect_status 0
  expect_contains c1 creating
  SB_TIMEOUT=20
  kill -KILL "$rt"
  wait "$bg" || true
  # Its sync socket closed, the init ends by itself.
  wait_for 10 pid_gone "$pid"
  wait_status c1 stopped
  run sb delete -f c1
  expect_status 0
  expect_nothing_left c1
  expect_cgroup_gone
}

@test "create: killed after the init is ready (pid file blocked): the init does not outlive it" {
  use_own_cgroup ready
  mkdir "$TEST_DIR/pf"
  mkfifo "$TEST_DIR/pf/.pid.tmp"  # create's write of pid opens .pid.tmp first: it blocks here
  env "$MARK" "$SANDBOX" --root "$ROOT" create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pf/pid" c1 \
    </dev/null >"$TEST_DIR/create.out" 2>&1 3>&- &
  local bg=$! rt=$!
  # The runtime waits in open(.pid.tmp) once the init is ready.
  # (openat is syscall 257 on x86_64; elsewhere the sleep has to do)
  wait_for 10 sh -c "grep -q '^257 ' /proc/$rt/syscall 2>/dev/null" || sleep 3
  kill -KILL "$rt"
  wait "$bg" || true
  wait_for 10 no_marked_procs || { echo "init outlived its create: $(marked_procs)"; return 1; }
  wait_status c1 stopped
  run sb delete c1
  expect_status 0
  expect_nothing_left c1
  expect_cgroup_gone
}

# ------------------------------------------------------------ item 4: corrupt, unreadable

@test "state.json corrupt: list skips it with a warning, state fails, delete -f cleans up" {
  use_own_cgroup corrupt
  run mcreate --bundle "$BUNDLE" c1
  expect_status 0
  local pid
  pid=$(pid_of c1)
  CONFIG=$BUNDLE/config.json set_config '.linux.cgroupsPath = ""'
  run sbd create --bundle "$BUNDLE" c2
  expect_status 0
  echo '{"id": "c1", "pid": ' >"$ROOT/c1/state.json"
  run --separate-stderr sb list -q
  expect_status 0
  expect_output c2
  [[ "$stderr" == *level=warning*c1* ]] || { echo "no warning: $stderr"; return 1; }
  run sb state c1
  expect_status 1
  expect_contains corrupt
  expect_eq "lines" 1 "$(printf '%s\n' "$output" | wc -l)"
  run sb delete c1
  expect_status 1
  [ -d "$ROOT/c1" ] || { echo "a non-forced delete removed a corrupt container"; return 1; }
  pid_alive "$pid"
  run sb delete -f c1
  expect_status 0
  wait_for 10 pid_gone "$pid"
  expect_nothing_left c1
  expect_cgroup_gone
}

@test "state.json unreadable (EACCES): an error, never 'no state'" {
  is_root && skip "as the owner, not root: root reads a mode 000 file"
  run mcreate --bundle "$BUNDLE" c1
  expect_status 0
  local pid
  pid=$(pid_of c1)
  chmod 000 "$ROOT/c1/state.json"
  run sb state c1
  expect_status 1
  expect_contains "ermission denied"
  run sb delete c1
  expect_status 1
  [ -e "$ROOT/c1/state.json" ] || { echo "a non-forced delete removed it"; return 1; }
  pid_alive "$pid"
  run sb delete -f c1
  expect_status 0
  wait_for 10 pid_gone "$pid"
  expect_nothing_left c1
}

# ------------------------------------------------------------ the config copy

@test "create copies config.json: exec, start and delete work with the bundle's changed or gone" {
  set_config '.process.env += ["FROM_CONFIG=original"] | .process.cwd = "/tmp"'
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  set_config '.process.env = ["FROM_CONFIG=changed"] | .process.cwd = "/"'
  run sb exec c1 sh -c 'echo $FROM_CONFIG $(pwd)'
  expect_status 0
  expect_output "original /tmp"
  rm "$BUNDLE/config.json"
  run sb exec c1 sh -c 'echo $FROM_CONFIG'
  expect_status 0
  expect_output "original"
  run sb start c1
  expect_status 0
  wait_status c1 running
  run sb delete -f c1
  expect_status 0
  [ ! -e "$ROOT/c1" ]
}
