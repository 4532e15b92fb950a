#!/usr/bin/env bats
# NOTIFY_SOCKET: the container's sd_notify messages reach the caller's socket, READY=1 with
# MAINPID set to the container's init; `start` returns once the container is ready.

load helpers

setup() {
  common_setup
  make_bundle
  install -m 755 "$PROBE" "$BUNDLE/rootfs/bin/sandbox-probe"
}

# listen_notify OUT: the probe on $TEST_DIR/notify.sock, printing messages to OUT until READY=1.
listen_notify() {
  timeout 60 "$PROBE" notify-listen "$TEST_DIR/notify.sock" >"$1" 2>&1 </dev/null 3>&- &
  LISTENER=$!
  wait_for 10 test -S "$TEST_DIR/notify.sock"
}

@test "create + start: messages are relayed, start returns after READY=1 with MAINPID" {
  set_args sh -c 'echo "$NOTIFY_SOCKET" >/tmp/notify-path; sandbox-probe notify-send STATUS=warming;
    sleep 1; sandbox-probe notify-send READY=1; sleep 300'
  set_config '.root.readonly = false'
  listen_notify "$TEST_DIR/got"
  NOTIFY_SOCKET=$TEST_DIR/notify.sock sbd create --bundle "$BUNDLE" c1
  NOTIFY_SOCKET=$TEST_DIR/notify.sock sbd start c1
  # start has returned: READY=1 has already been relayed.
  grep -q "READY=1" "$TEST_DIR/got" || { cat "$TEST_DIR/got"; return 1; }
  wait "$LISTENER"
  run cat "$TEST_DIR/got"
  expect_contains "STATUS=warming" "READY=1" "MAINPID=$(pid_of c1)"
  expect_eq "NOTIFY_SOCKET inside" /run/notify/notify.sock "$(cat "$BUNDLE/rootfs/tmp/notify-path")"
  # The socket's directory goes with the container.
  sb delete -f c1
  assert_no_leftovers c1
}

@test "run in the foreground relays READY=1 while it waits for the container" {
  set_args sh -c 'sandbox-probe notify-send READY=1; echo done'
  listen_notify "$TEST_DIR/got"
  NOTIFY_SOCKET=$TEST_DIR/notify.sock run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains done
  wait "$LISTENER"
  grep -q "READY=1" "$TEST_DIR/got"
}

@test "start does not hang when the container exits without READY" {
  set_args true
  listen_notify "$TEST_DIR/got"
  NOTIFY_SOCKET=$TEST_DIR/notify.sock sbd create --bundle "$BUNDLE" c1
  NOTIFY_SOCKET=$TEST_DIR/notify.sock run sbd start c1
  expect_status 0
  kill "$LISTENER" 2>/dev/null || true
}

@test "without NOTIFY_SOCKET the container gets none" {
  set_args sh -c 'echo "[$NOTIFY_SOCKET]"; ls /run/notify 2>&1 | head -1'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "[]" "No such file"
}
