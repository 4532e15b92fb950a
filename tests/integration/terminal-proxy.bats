#!/usr/bin/env bats
# The foreground terminal proxy never blocks on one direction (issue 14): input the container
# does not read is buffered up to a cap and then stdin pauses, while the container's output
# keeps flowing; signals are still forwarded while the caller's stdout is not read.

load helpers

setup() {
  common_setup
  make_bundle
  set_config '.process.terminal = true'
}

# feed_and_run OUT COMMAND...: 3 MB of lines ("y", from yes) piped into COMMAND, its stdout in
# OUT. Whole lines matter: they fill the pty's line buffer until it takes no more (a line with
# no end would be cut and discarded by the line discipline instead). A hang fails as status 124
# or 137.
feed_and_run() {
  local out=$1
  shift
  run bash -c 'yes | head -c 3000000 | timeout -k 5 60 "$@" >"'"$out"'" 2>&1' _ "$@"
}

# The numbers the container printed (the pty's \r dropped; the echoed "y" lines left out, and
# the echo of the last, unfinished one that the first number follows), one per line.
numbers_in() { tr -d '\r' <"$1" | sed 's/^y*//' | grep -xE '[0-9]+'; }

@test "run -t: 3 MB of stdin the container never reads, 20,000 lines out: no deadlock" {
  set_args sh -c 'sleep 1; seq 20000'
  SECONDS=0
  feed_and_run "$TEST_DIR/out" "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1
  expect_status 0
  local took=$SECONDS
  expect_eq "lines printed" 20000 "$(numbers_in "$TEST_DIR/out" | wc -l)"
  expect_eq "last line" 20000 "$(numbers_in "$TEST_DIR/out" | tail -1)"
  [ "$took" -lt 30 ] || { echo "took ${took}s"; false; }
  assert_no_leftovers c1
}

@test "exec -t: 3 MB of stdin the process never reads, 20,000 lines out: no deadlock" {
  set_config '.process.terminal = false'
  set_args sleep 600
  sbd run -d c1
  feed_and_run "$TEST_DIR/out" "$SANDBOX" --root "$ROOT" exec -t c1 sh -c 'sleep 1; seq 20000'
  expect_status 0
  expect_eq "lines printed" 20000 "$(numbers_in "$TEST_DIR/out" | wc -l)"
  sb delete -f c1
}

@test "run -t: input the container does read still arrives whole" {
  # Lines of input, read back and counted inside: the buffered path loses nothing.
  set_args sh -c 'stty -echo; n=0; while read -r l; do n=$((n + 1)); [ "$l" = end ] && break; done; echo "got $n"'
  run bash -c '{ sleep 1; seq 5000; echo end; sleep 5; } | timeout -k 5 60 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1 2>&1 | tr -d "\r"'
  expect_status 0
  expect_contains "got 5001"
}

@test "run -t: a signal is forwarded while the caller does not read the output" {
  # The container writes far more than a pipe holds while nobody reads our stdout; the runtime
  # must stay free to forward SIGTERM (it used to sit in write() to stdout, the signal queued).
  # The init traps TERM (a pid namespace's init ignores signals it has no handler for); a
  # child does the writing, so the trap runs as soon as the signal arrives.
  set_args sh -c 'trap "exit 7" TERM; yes 0123456789 & wait'
  local fifo=$TEST_DIR/out.fifo
  mkfifo "$fifo"
  timeout -k 30 60 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1 </dev/null >"$fifo" 2>&1 &
  local pid=$!
  exec 4<"$fifo" # opened, not read until the container is gone
  wait_status c1 running 10
  local init
  init=$(pid_of c1)
  sleep 1
  kill -TERM "$pid"
  local gone=0
  wait_for 10 pid_gone "$init" || gone=$?
  cat <&4 >/dev/null &
  local rc=0
  wait "$pid" || rc=$?
  exec 4<&-
  expect_eq "the init ended by the forwarded signal while stdout was full (0: yes)" 0 "$gone"
  expect_eq "exit status" 7 "$rc"
}
