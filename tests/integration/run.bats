#!/usr/bin/env bats
# run in the foreground (stdio, exit codes, clean-up), run -d, --pid-file.

load helpers

setup() {
  common_setup
  make_bundle
}

@test "run passes stdout and stderr through and exits 0" {
  run_in c1 sh -c 'echo to-stdout; echo to-stderr >&2'
  expect_status 0
  expect_contains to-stdout to-stderr
  run --separate-stderr sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq stdout to-stdout "$output"
  expect_eq stderr to-stderr "$stderr"
}

@test "run with the template's args (sh) reads its script from stdin" {
  run sb run --bundle "$BUNDLE" c1 <<<'echo from-stdin; exit 5'
  expect_status 5
  expect_output from-stdin
}

@test "run passes stdin through" {
  set_args sh -c 'read line; echo "got: $line"'
  run bash -c 'echo piped-in | timeout 60 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1'
  expect_status 0
  expect_output "got: piped-in"
}

@test "run exits with the process's status: 42" {
  run_in c1 sh -c 'exit 42'
  expect_status 42
  run_in c2 false
  expect_status 1
}

@test "run exits with 128+signal when the process is killed by a signal" {
  # pid 1 of a pid namespace cannot be killed from inside it (the kernel drops signals it has
  # no handler for), so the process kills itself in a container without a pid namespace.
  # /proc then cannot be mounted by a user namespace: bind the host's instead.
  remove_namespace pid
  set_config '.mounts |= map(if .destination == "/proc"
      then {"destination": "/proc", "type": "bind", "source": "/proc", "options": ["rbind", "nosuid", "noexec", "nodev"]}
      else . end)'
  set_config '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
  run_in c1 sh -c 'kill -9 $$'
  expect_status 137
  run_in c2 sh -c 'kill -TERM $$'
  expect_status 143
}

@test "run exits with 128+signal when the container is killed with sandbox kill" {
  set_args sleep 100
  "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1 >"$TEST_DIR/out" 2>&1 3>&- &
  local runtime=$!
  wait_status c1 running
  sb kill c1 KILL
  local rc=0
  wait "$runtime" || rc=$?
  expect_eq "exit status of run" 137 "$rc"
}

@test "run forwards signals it receives to the container" {
  set_args sh -c 'trap "echo got-TERM; exit 7" TERM; sleep 100 & wait'
  "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1 >"$TEST_DIR/out" 2>&1 3>&- &
  local runtime=$!
  wait_status c1 running
  sleep 0.3 # let the shell install its trap
  kill -TERM "$runtime"
  local rc=0
  wait "$runtime" || rc=$?
  expect_eq "exit status of run" 7 "$rc"
  grep -q got-TERM "$TEST_DIR/out" || { cat "$TEST_DIR/out"; false; }
}

@test "after run the container is gone; with --keep it stays stopped" {
  run_in c1 true
  expect_status 0
  assert_no_leftovers c1

  run sb run --keep --bundle "$BUNDLE" c2
  expect_status 0
  expect_eq "status" stopped "$(status_of c2)"
  run sb list -q
  expect_output c2
  run sb delete c2
  expect_status 0
  assert_no_leftovers c2
}

@test "run the same id again after it finished" {
  run_in c1 echo first
  expect_output first
  run_in c1 echo second
  expect_status 0
  expect_output second
}

@test "run -d returns while the container runs on" {
  set_args sleep 100
  local start=$SECONDS
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  [ $((SECONDS - start)) -lt 50 ] || { echo "run -d waited for the container"; false; }
  expect_eq status running "$(status_of c1)"
  local pid
  pid=$(pid_of c1)
  pid_alive "$pid"
  sleep 1
  expect_eq "still running" running "$(status_of c1)"
  sb kill c1 KILL
  wait_status c1 stopped
  sb delete c1
}

@test "run --detach: the container's output goes to the runtime's stdout" {
  set_args sh -c 'echo early-output; sleep 100'
  local out=$TEST_DIR/detached.out
  sb run --detach --bundle "$BUNDLE" c1 </dev/null >"$out" 2>&1
  expect_eq status running "$(status_of c1)"
  wait_for 10 grep -q early-output "$out"
}

# check_pid_file FILE ID: FILE holds the init's host pid as in state, without a newline.
check_pid_file() {
  local file=$1 id=$2 content pid
  [ -f "$file" ] || { echo "no pid file $file"; return 1; }
  content=$(cat "$file")
  pid=$(pid_of "$id")
  expect_eq "pid file content" "$pid" "$content"
  [[ "$content" =~ ^[1-9][0-9]*$ ]] || { echo "not a pid: $content"; od -c "$file"; return 1; }
  expect_eq "pid file size (no newline)" "${#pid}" "$(stat -c %s "$file")"
  pid_alive "$pid"
  # Written atomically: nothing else (no temporary file) is left next to it.
  expect_eq "pid file directory" "$(basename "$file")" "$(ls -A "$(dirname "$file")" | xargs)"
}

@test "create --pid-file writes the init's host pid with no newline" {
  set_args sleep 100
  mkdir "$TEST_DIR/pids"
  run sbd create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pids/init.pid" c1
  expect_status 0
  check_pid_file "$TEST_DIR/pids/init.pid" c1
  sb start c1
  check_pid_file "$TEST_DIR/pids/init.pid" c1
}

@test "run -d --pid-file writes the init's host pid with no newline" {
  set_args sleep 100
  mkdir "$TEST_DIR/pids"
  run sbd run -d --pid-file "$TEST_DIR/pids/init.pid" --bundle "$BUNDLE" c1
  expect_status 0
  check_pid_file "$TEST_DIR/pids/init.pid" c1
  expect_eq "status" running "$(status_of c1)"
}

@test "a relative --pid-file is relative to the current directory" {
  mkdir "$TEST_DIR/pids"
  cd "$TEST_DIR/pids"
  run sbd create --bundle "$BUNDLE" --pid-file init.pid c1
  expect_status 0
  check_pid_file "$TEST_DIR/pids/init.pid" c1
}

@test "no pid file when create fails" {
  set_args /nope
  mkdir "$TEST_DIR/pids"
  run sbd create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pids/init.pid" c1
  expect_status 1
  [ -z "$(ls -A "$TEST_DIR/pids")" ] || { ls -la "$TEST_DIR/pids"; false; }
}

@test "run --no-subreaper still reports the exit status" {
  run sb run --no-subreaper --bundle "$BUNDLE" c1 <<<"exit 3"
  expect_status 3
}

@test "two containers run in parallel" {
  local other
  other=$(new_bundle other)
  set_args sh -c 'sleep 1; echo one'
  CONFIG=$other/config.json set_args sh -c 'sleep 1; echo two'
  local rc1=0 rc2=0
  sb run --bundle "$BUNDLE" p1 >"$TEST_DIR/p1.out" 2>&1 3>&- &
  local j1=$!
  sb run --bundle "$other" p2 >"$TEST_DIR/p2.out" 2>&1 3>&- &
  local j2=$!
  wait "$j1" || rc1=$?
  wait "$j2" || rc2=$?
  expect_eq "p1 status" 0 "$rc1"
  expect_eq "p2 status" 0 "$rc2"
  expect_eq "p1 output" one "$(cat "$TEST_DIR/p1.out")"
  expect_eq "p2 output" two "$(cat "$TEST_DIR/p2.out")"
  assert_no_leftovers p1
  assert_no_leftovers p2
}
