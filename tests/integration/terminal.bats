#!/usr/bin/env bats
# process.terminal: a pty from the container's devpts; the foreground proxy under a real
# terminal (script(1)); --console-socket for create, run -d and exec -d; runc's flag errors.

load helpers

setup() {
  common_setup
  make_bundle
  set_config '.process.terminal = true'
}

# in_pty ROWS COLS COMMAND: COMMAND under script(1), on a pty of ROWS x COLS; the exit status is
# COMMAND's (script -e). Output is the pty's, with \r removed. script's stdin stays open (at
# EOF, script would type an end-of-file character into the pty).
in_pty() {
  local rows=$1 cols=$2
  shift 2
  run bash -c "timeout 60 script -qec 'stty rows $rows cols $cols; $*' /dev/null \
    >'$TEST_DIR/pty.out' < <(exec sleep 60 2>/dev/null 3>&-); rc=\$?; tr -d '\r' <'$TEST_DIR/pty.out'; exit \$rc"
}

# recv_console SOCKET OUT [INPUT]: the probe listening on SOCKET in the background, writing what
# the container prints to OUT (and the payload report to OUT.err).
recv_console() {
  local args=(recvtty)
  [ -z "${3:-}" ] || args+=(--input "$3")
  timeout 60 "$PROBE" "${args[@]}" "$1" >"$2" 2>"$2.err" </dev/null 3>&- &
  RECV_PID=$!
  wait_for 10 test -S "$1"
}

@test "run -t in the foreground: a terminal of the caller's size, exit code passed on" {
  set_args sh -c "tty; stty size; exit 3"
  in_pty 21 51 "$SANDBOX --root $ROOT run --bundle $BUNDLE c1"
  expect_status 3
  expect_contains "/dev/pts/0" "21 51"
  assert_no_leftovers c1
}

@test "terminal: /dev/console is the process's pty (written to, same device)" {
  # The spec (and runc, crun) bind the pty slave on /dev/console; nothing in the image has one.
  rm -f "$BUNDLE/rootfs/dev/console"
  set_args sh -c 'echo to-console >/dev/console && echo wrote; stat -c "%t:%T" /dev/console "$(tty)"'
  in_pty 24 80 "$SANDBOX --root $ROOT run --bundle $BUNDLE c1"
  expect_status 0
  expect_contains "to-console" "wrote"
  expect_eq "device lines" 2 "$(grep -c '^[0-9a-f]*:[0-9a-f]*$' <<<"$output")"
  local devs
  devs=$(grep '^[0-9a-f]*:[0-9a-f]*$' <<<"$output")
  expect_eq "/dev/console and the tty" "$(head -1 <<<"$devs")" "$(tail -1 <<<"$devs")"
  assert_no_leftovers c1
}

@test "run -t: the caller's terminal modes come back afterwards" {
  set_args true
  in_pty 20 40 "stty -g; $SANDBOX --root $ROOT run --bundle $BUNDLE c1; stty -g"
  expect_status 0
  expect_eq "stty -g before and after" "${lines[0]}" "${lines[1]}"
}

@test "run -t: typed input reaches the container through the pty" {
  set_args sh -c 'read line; echo "got:$line"'
  run bash -c "timeout 60 script -qec '$SANDBOX --root $ROOT run --bundle $BUNDLE c1' /dev/null < <(sleep 1; echo typed-in) | tr -d '\r'"
  expect_status 0
  expect_contains "got:typed-in"
}

@test "run -t: a window size change reaches the container (SIGWINCH)" {
  # The resize comes once the container has shown the first size; the container then waits
  # (up to 20 s) for its size to change.
  # The container reads its first size, then waits until the size changes.
  set_args sh -c "stty size"'
    i=0; while [ "$(stty size 2>/dev/null)" != "30 90" ] && [ $i -lt 200 ]; do
    sleep 0.1; i=$((i + 1)); done; stty size'
  in_pty 10 40 "(until grep -q \"10 40\" $TEST_DIR/pty.out; do sleep 0.1; done; stty rows 30 cols 90 </dev/tty) & $SANDBOX --root $ROOT run --bundle $BUNDLE c1"
  expect_status 0
  expect_contains "10 40" "30 90"
}

@test "the terminal comes from the container's own devpts" {
  set_args sh -c 'tty; echo $(ls /dev/pts)'
  in_pty 24 80 "$SANDBOX --root $ROOT run --bundle $BUNDLE c1"
  expect_status 0
  # A fresh devpts instance: pty 0 is ours and no host pty is visible.
  expect_eq "tty" "/dev/pts/0" "${lines[0]}"
  expect_eq "ptys in the container" "0 ptmx" "${lines[1]}"
}

@test "create --console-socket: the pty master goes to the socket, consoleSize is applied" {
  set_config '.process.consoleSize = {"height": 25, "width": 81}'
  set_args sh -c "tty; stty size; echo done"
  recv_console "$TEST_DIR/console.sock" "$TEST_DIR/out"
  run sbd create --console-socket "$TEST_DIR/console.sock" --bundle "$BUNDLE" c1
  expect_status 0
  sb start c1
  wait "$RECV_PID"
  run tr -d '\r' <"$TEST_DIR/out"
  expect_contains "/dev/pts/0" "25 81" done
  grep -q "payload /dev/pts/0" "$TEST_DIR/out.err"
}

@test "run -d --console-socket: input through the master reaches the container" {
  set_args sh -c 'read line; echo "got:$line"'
  recv_console "$TEST_DIR/console.sock" "$TEST_DIR/out" $'hello-tty\n'
  run sbd run -d --console-socket "$TEST_DIR/console.sock" --bundle "$BUNDLE" c1
  expect_status 0
  wait "$RECV_PID"
  grep -q "got:hello-tty" "$TEST_DIR/out"
}

@test "a terminal while detached without a console socket: runc's error, nothing left" {
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "cannot allocate tty if sandbox will detach without setting console socket"
  assert_no_leftovers c1
  run sbd run -d --bundle "$BUNDLE" c2
  expect_failure "cannot allocate tty if sandbox will detach without setting console socket"
  assert_no_leftovers c2
}

@test "a console socket without a terminal: runc's error, nothing left" {
  set_config '.process.terminal = false'
  run sbd create --console-socket "$TEST_DIR/none.sock" --bundle "$BUNDLE" c1
  expect_failure "cannot use console socket if sandbox will not detach or allocate tty"
  assert_no_leftovers c1
}

# The pty has the caller's size before the process runs (not only once the proxy copies it):
# a `stty size` at once used to fail now and then with busybox's "standard input: No child
# processes" (its errno left over from a 0x0 size).
@test "run -t and exec -t: the caller's terminal size is there before the process runs" {
  set_config '.process.terminal = false'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  local i
  for i in 1 2 3 4 5 6 7 8; do
    in_pty 23 77 "$SANDBOX --root $ROOT exec -t c1 stty size"
    expect_status 0
    expect_contains "23 77"
  done
  set_config '.process.terminal = true'
  set_args stty size
  for i in 1 2 3 4; do
    in_pty 31 101 "$SANDBOX --root $ROOT run --bundle $BUNDLE r$i"
    expect_status 0
    expect_contains "31 101"
  done
}

@test "exec -t under a real terminal; exec -t -d --console-socket" {
  set_config '.process.terminal = false'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  in_pty 23 77 "$SANDBOX --root $ROOT exec -t c1 sh -c \"tty; stty size; exit 4\""
  expect_status 4
  expect_contains "/dev/pts/" "23 77"

  recv_console "$TEST_DIR/console.sock" "$TEST_DIR/out"
  run sbd exec -t -d --console-socket "$TEST_DIR/console.sock" c1 sh -c 'tty; echo exec-detached'
  expect_status 0
  wait "$RECV_PID"
  grep -q exec-detached "$TEST_DIR/out"
  run sbd exec -t -d c1 true
  expect_failure "cannot allocate tty"
}
