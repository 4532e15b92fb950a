# Shared helpers for the end-to-end suites. run-e2e.sh provides the environment:
#   PODMAN  podman with the staged storage, configuration and --runtime sandbox (podman suites)
#   CTR     ctr against the private containerd, in a namespace of its own (containerd suite)
#   SANDBOX the staged sandbox binary;  E2E_STAGE the staging directory;  E2E_MODE the mode

bats_require_minimum_version 1.5.0

# Time limit for one engine command: a hang fails the test instead of the suite.
E2E_TIMEOUT=${E2E_TIMEOUT:-120}

pm() { timeout -k 10 "$E2E_TIMEOUT" "$PODMAN" "$@"; }
ct() { timeout -k 10 "$E2E_TIMEOUT" "$CTR" "$@"; }

# in_pty ROWS COLS COMMAND: COMMAND under script(1) on a pty of ROWS x COLS; prints what the pty
# showed, without \r. script's stdin stays open (at end of file it would type an end-of-file
# into the pty): it reads a fifo that a sleep holds open, which is ended afterwards.
in_pty() {
  local rows=$1 cols=$2 out fifo keeper
  shift 2
  out=$(mktemp "$BATS_TEST_TMPDIR/pty.XXXXXX")
  fifo=$out.in
  mkfifo "$fifo"
  sleep 130 >"$fifo" 3>&- 2>/dev/null &
  keeper=$!
  timeout -k 5 120 script -qec "stty rows $rows cols $cols; $*" /dev/null <"$fifo" >"$out" 3>&- || true
  kill "$keeper" 2>/dev/null || true
  wait "$keeper" 2>/dev/null || true
  tr -d '\r' <"$out"
}

# WAIT_SIZE: shell code (for sh -c '...') printing "size=ROWS COLS" once the terminal has a size.
# Engines may resize the pty only after the process has started (ctr 1.6 puts no
# process.consoleSize in the spec), so the first moments can see 0x0; wait up to 5 s. (busybox
# `stty size` on a 0x0 terminal prints nothing and still exits 0.)
WAIT_SIZE='for i in $(seq 50); do s=$(stty size 2>/dev/null); case "$s" in [1-9]*" "[1-9]*) break ;; esac; sleep 0.1; done; echo size=$s'

# tmux_start WIDTH HEIGHT COMMAND: a detached tmux session of its own ($TMUX_SOCK, a server the
# teardown ends) running COMMAND in a pane of WIDTH x HEIGHT; the pane stays after COMMAND exits
# (remain-on-exit), so what it showed can still be captured, and no process waits in it.
tmux_start() {
  TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
  echo 'set-option -g remain-on-exit on' >"$BATS_TEST_TMPDIR/tmux.conf"
  tmux -f "$BATS_TEST_TMPDIR/tmux.conf" -S "$TMUX_SOCK" new-session -d -x "$1" -y "$2" "$3"
}
pane() { tmux -S "$TMUX_SOCK" capture-pane -p; }
tmux_stop() {
  [ ! -S "$BATS_TEST_TMPDIR/tmux.sock" ] ||
    tmux -S "$BATS_TEST_TMPDIR/tmux.sock" kill-server 2>/dev/null || true
}

# pane_shows SECONDS PATTERN...: wait until a line of the pane matches one of the (grep)
# PATTERNs; on a timeout, show the pane.
pane_shows() {
  local secs=$1 args=() p
  shift
  for p in "$@"; do args+=(-e "$p"); done
  wait_for "$secs" bash -c 'tmux -S "$0" capture-pane -p | grep -q "${@}"' "$TMUX_SOCK" "${args[@]}" ||
    { echo "the pane:"; pane; return 1; }
}

show_output() {
  echo "status: $status"
  echo "output:"
  printf '%s\n' "$output"
}

expect_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected exit status $1"
    show_output
    return 1
  fi
}

expect_output() {
  if [ "$output" != "$1" ]; then
    echo "expected output: $1"
    show_output
    return 1
  fi
}

expect_contains() {
  local s
  for s in "$@"; do
    if [[ "$output" != *"$s"* ]]; then
      echo "expected the output to contain: $s"
      show_output
      return 1
    fi
  done
}

expect_eq() {
  if [ "$2" != "$3" ]; then
    echo "$1: expected '$2', got '$3'"
    return 1
  fi
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.2 s until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for: $*"
      return 1
    fi
    sleep 0.2
  done
}

# both CHECK: CHECK runc, then CHECK sandbox (a failure's output ends with the runtime's name).
both() {
  local rt
  for rt in runc sandbox; do
    echo "=== $1 with $rt"
    "$1" "$rt"
  done
}
