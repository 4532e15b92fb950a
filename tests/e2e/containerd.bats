#!/usr/bin/env bats
# containerd 1.6's stock runc shim (io.containerd.runc.v2) drives sandbox as its runc binary,
# the way a Kubernetes RuntimeClass with BinaryName would. Root only.

load helpers

IMAGE=localhost/busybox:latest

teardown() {
  tmux_stop
  local c
  for c in $(ct containers list -q 2>/dev/null); do
    ct task kill -s KILL "$c" >/dev/null 2>&1 || true
    sleep 0.2
    ct task delete "$c" >/dev/null 2>&1 || true
    ct containers delete "$c" >/dev/null 2>&1 || true
  done
}

crun_() { ct run --runc-binary "$SANDBOX" "$@"; }

@test "run --rm: output and exit code; nothing left afterwards" {
  run crun_ --rm "$IMAGE" e2e-r1 sh -c 'echo hello-containerd; exit 3'
  expect_status 3
  expect_output hello-containerd
  run ct containers list -q
  expect_output ""
  # The shim's delete and delete --force left no state behind.
  [ -z "$(ls -A "$SANDBOX_STATE" 2>/dev/null)" ]
}

@test "run -d, task exec passes the exit code, task ps, task kill, delete" {
  run crun_ -d "$IMAGE" e2e-d1 sleep 300
  expect_status 0
  run ct task exec --exec-id x1 e2e-d1 sh -c 'echo in-exec; exit 9'
  expect_status 9
  expect_output in-exec
  run ct task ps e2e-d1
  expect_status 0
  local pid
  pid=$(ct task list | awk '$1 == "e2e-d1" { print $2 }')
  expect_contains "$pid"
  run ct task kill -s KILL e2e-d1
  expect_status 0
  wait_for 20 bash -c '"$CTR" task list | grep -q "e2e-d1.*STOPPED"'
  run ct task delete e2e-d1
  expect_status 0
  run ct containers delete e2e-d1
  expect_status 0
  [ -z "$(ls -A "$SANDBOX_STATE" 2>/dev/null)" ]
}

@test "run -t: a terminal of the caller's size" {
  # ctr 1.6 puts no process.consoleSize in the spec: it resizes the pty after the task has
  # started (runc gets the same), so the first moments may see 0x0 (WAIT_SIZE waits).
  run in_pty 33 99 "$CTR run -t --rm --runc-binary $SANDBOX $IMAGE e2e-t1 sh -c 'tty; $WAIT_SIZE'"
  expect_contains "/dev/pts/0" "size=33 99"
}

@test "run -t in a tmux pane: typed keys reach the shell, its exit code comes back" {
  tmux_start 100 30 "$CTR run -t --rm --runc-binary $SANDBOX $IMAGE e2e-t2 sh; echo exit=\$?"
  # The shell's prompt, or exit= when ctr gave up.
  pane_shows 60 '^/ #' '^exit='
  pane_shows 0 '^/ #'
  tmux -S "$TMUX_SOCK" send-keys 'echo typed-$((6*7)); exit 6' Enter
  pane_shows 60 '^exit='
  run pane
  expect_contains "typed-42" "exit=6"
}
