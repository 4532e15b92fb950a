# Helpers for the security suites (tests/security). Load after helpers: `load helpers` then
# `load security-helpers` (run-suite.sh stages both next to the suite).
#
# Every test runs a PRIVATE copy of the runtime ($TEST_DIR/bin/sandbox, owned by whoever runs
# the tests, as a user's own installation would be): an attack that overwrites the runtime
# binary damages nothing shared, and it is just as writable for the container's root as the
# real binary would be (root's for root, the user's for a rootless user). The staged $SANDBOX
# is checked too.

: "${ATTACKER:?ATTACKER must point to sandbox-attacker (use run-suite.sh with SANDBOX_ATTACKER)}"

security_setup() {
  common_setup
  STAGED_SANDBOX=$SANDBOX
  STAGED_SUM=$(sha256sum <"$STAGED_SANDBOX")
  mkdir "$TEST_DIR/bin"
  cp "$STAGED_SANDBOX" "$TEST_DIR/bin/sandbox"
  # The systemd driver's helper is found next to the binary.
  [ ! -x "$(dirname "$STAGED_SANDBOX")/sandbox-systemd" ] ||
    cp "$(dirname "$STAGED_SANDBOX")/sandbox-systemd" "$TEST_DIR/bin/"
  SANDBOX=$TEST_DIR/bin/sandbox
  RUNTIME_SUM=$(sha256sum <"$SANDBOX")
  export SANDBOX STAGED_SANDBOX
  make_bundle
  install -m 755 "$ATTACKER" "$BUNDLE/rootfs/bin/sandbox-attacker"
  set_config '.root.readonly = false'
  # OUT: a host directory the container writes its report to (bind-mounted at /out).
  OUT=$TEST_DIR/out
  mkdir -m 777 "$OUT"
  BG_PIDS=()
}

security_teardown() {
  local p
  for p in "${BG_PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  kill_test_processes
  common_teardown
}

# kill_test_processes: processes this test started that a hanging runtime left behind (their
# command line names the test's own, unique, directory); killed by pid.
kill_test_processes() {
  local p
  [ -n "${TEST_DIR:-}" ] || return 0
  for p in $(pgrep -f -- "$TEST_DIR/" 2>/dev/null); do
    [ "$p" != "$$" ] && [ "$p" != "$BASHPID" ] && kill -9 "$p" 2>/dev/null || true
  done
}

# assert_runtime_intact: neither the runtime copy the test ran nor the staged binary changed.
assert_runtime_intact() {
  local now
  now=$(sha256sum <"$SANDBOX")
  if [ "$now" != "$RUNTIME_SUM" ]; then
    echo "THE RUNTIME BINARY WAS OVERWRITTEN from inside the container: $SANDBOX"
    echo "its tail: $(tail -c 64 "$SANDBOX" | tr -c '[:print:]\n' '.')"
    return 1
  fi
  now=$(sha256sum <"$STAGED_SANDBOX")
  [ "$now" = "$STAGED_SUM" ] || { echo "the staged binary $STAGED_SANDBOX changed"; return 1; }
}

# assert_absent PATH...: host paths that an escape would have created.
assert_absent() {
  local p rc=0
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then
      echo "ESCAPE: $p exists on the host: $(cat "$p" 2>/dev/null | head -3)"
      rc=1
    fi
  done
  return "$rc"
}

# add_out_mount: bind $OUT at /out in the container (the attacker's report goes there).
add_out_mount() { add_bind "$OUT" /out rbind rw; }

# wait_file SECONDS PATH: PATH exists within SECONDS.
wait_file() { wait_for "$1" test -e "$2"; }

# report_value KEY FILE: the value of "KEY VALUE" in an attacker report.
report_value() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# background COMMAND...: start COMMAND in the background (killed at teardown); pid in BG_PID.
background() {
  "$@" </dev/null >/dev/null 2>&1 &
  BG_PID=$!
  disown "$BG_PID" 2>/dev/null || true # no "Killed" notice at teardown
  BG_PIDS+=("$BG_PID")
}
