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
# showed, without \r. script's stdin stays open (at EOF it would type an end-of-file).
in_pty() {
  local rows=$1 cols=$2 out
  shift 2
  out=$(mktemp "$BATS_TEST_TMPDIR/pty.XXXXXX")
  timeout 120 script -qec "stty rows $rows cols $cols; $*" /dev/null >"$out" \
    < <(exec sleep 120 2>/dev/null 3>&-) || true
  tr -d '\r' <"$out"
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
