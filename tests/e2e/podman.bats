#!/usr/bin/env bats
# Podman (4.3, through conmon) drives sandbox: run, exec, logs, stop/start/kill/wait/rm,
# terminals, preserved fds, --cgroups=disabled. run-e2e.sh runs this as root and as the
# unprivileged test user (rootless podman: sandbox runs inside podman's user namespace).

load helpers

IMAGE=localhost/busybox

teardown() {
  tmux_stop
  pm rm -a -f -t 0 >/dev/null 2>&1 || true
}

@test "run --rm: output, and exit codes 0 and 42" {
  run pm run --rm "$IMAGE" echo hello-from-sandbox
  expect_status 0
  expect_output hello-from-sandbox
  run pm run --rm "$IMAGE" sh -c 'exit 42'
  expect_status 42
}

@test "a missing program is 127, a file that is not executable 126 (sandbox's error words)" {
  run -127 pm run --rm "$IMAGE" no-such-program
  expect_status 127
  expect_contains "executable file not found in \$PATH"
  run pm run --rm "$IMAGE" /etc/passwd
  expect_status 126
  expect_contains "permission denied"
}

@test "run -i passes stdin" {
  run bash -c 'echo piped-in | timeout 120 "$PODMAN" run --rm -i localhost/busybox cat'
  expect_status 0
  expect_output piped-in
}

@test "--user, -w, -e, --hostname, --read-only" {
  run pm run --rm --user 1000 -w /tmp -e FOO=bar --hostname h1 "$IMAGE" \
    sh -c 'id -u; pwd; echo "$FOO"; hostname'
  expect_status 0
  expect_eq "lines" "1000 /tmp bar h1" "$(echo $output)"
  run pm run --rm --read-only "$IMAGE" sh -c 'touch /x'
  expect_status 1
  expect_contains "Read-only file system"
  # podman's tmpfs mounts (tmpcopyup) stay writable.
  run pm run --rm --read-only "$IMAGE" sh -c 'touch /tmp/x && echo tmp-ok'
  expect_output tmp-ok
}

@test "run -d, ps, exec (with -u -w -e -i) and its exit code, logs" {
  run pm run -d --name e2e-d1 "$IMAGE" sh -c 'echo started; sleep 300'
  expect_status 0
  run pm ps --format '{{.Names}} {{.Status}}'
  expect_contains "e2e-d1 Up"
  run pm exec e2e-d1 sh -c 'exit 7'
  expect_status 7
  run bash -c 'echo in | timeout 120 "$PODMAN" exec -i -u 1000 -w /tmp -e A=b e2e-d1 sh -c "cat; id -u; pwd; echo \$A"'
  expect_status 0
  expect_eq "lines" "in 1000 /tmp b" "$(echo $output)"
  run -127 pm exec e2e-d1 no-such-program
  expect_status 127
  run pm top e2e-d1
  expect_contains "sleep 300"
  run pm logs e2e-d1
  expect_output started
}

@test "stop runs the SIGTERM trap (inspect shows its exit code); start, kill, wait, rm" {
  run pm run -d --name e2e-s1 "$IMAGE" \
    sh -c 'trap "echo got-term; exit 3" TERM; echo up; while :; do sleep 0.2; done'
  expect_status 0
  wait_for 20 bash -c '"$PODMAN" logs e2e-s1 | grep -q up'
  run pm stop -t 20 e2e-s1
  expect_status 0
  run pm inspect --format '{{.State.ExitCode}}' e2e-s1
  expect_output 3
  run pm logs e2e-s1
  expect_contains got-term
  run pm start e2e-s1
  expect_status 0
  run pm inspect --format '{{.State.Status}}' e2e-s1
  expect_output running
  run pm kill e2e-s1
  expect_status 0
  run pm wait e2e-s1
  expect_output 137
  run pm rm e2e-s1
  expect_status 0
  run pm ps -a -q
  expect_output ""
}

@test "run -it and exec -it under a real terminal: the window size reaches the container" {
  run in_pty 31 101 "$PODMAN run --rm -it $IMAGE sh -c 'tty; $WAIT_SIZE'"
  expect_contains "/dev/pts/0" "size=31 101"
  pm run -d --name e2e-t1 "$IMAGE" sleep 300
  run in_pty 32 102 "$PODMAN exec -it e2e-t1 sh -c 'tty; $WAIT_SIZE'"
  expect_contains "/dev/pts/" "size=32 102"
  # Typed input through the pty.
  run in_pty 24 80 "(sleep 2; echo typed-line) | $PODMAN exec -i e2e-t1 sh -c 'read l; echo got:\$l'"
  expect_contains "got:typed-line"
}

@test "run -it in a tmux pane: typed keys reach the shell, its size is the pane's, its exit code comes back" {
  tmux_start 100 30 "$PODMAN run -it --name e2e-tmux $IMAGE sh; echo exit=\$?"
  local size
  size=$(tmux -S "$TMUX_SOCK" display-message -p '#{pane_height} #{pane_width}')
  # The shell's prompt (capture-pane drops trailing blanks), or exit= when podman gave up.
  pane_shows 60 '^/ #' '^exit='
  pane_shows 0 '^/ #'
  tmux -S "$TMUX_SOCK" send-keys 'stty size; echo typed-$((6*7)); exit 5' Enter
  pane_shows 60 '^exit='
  run pane
  expect_contains "$size" "typed-42" "exit=5"
}

@test "the container joins the network namespace podman prepared" {
  if [ "$E2E_MODE" = podman-root ]; then
    # The private CNI network of run-e2e.sh: an address from its subnet on eth0.
    run pm run --rm "$IMAGE" ip -o -4 addr show eth0
    expect_status 0
    expect_contains "inet ${E2E_SUBNET}"
  else
    # slirp4netns: its tap device with its fixed address.
    run pm run --rm "$IMAGE" ip -o -4 addr show tap0
    expect_status 0
    expect_contains "inet 10.0.2.100/"
  fi
  run pm run --rm --network none "$IMAGE" sh -c 'ls /sys/class/net'
  expect_status 0
  expect_output lo
}

@test "--preserve-fds passes fd 3" {
  echo preserved >"$BATS_TEST_TMPDIR/fd3"
  run pm run --rm --preserve-fds 1 "$IMAGE" cat /proc/self/fd/3 3<"$BATS_TEST_TMPDIR/fd3"
  expect_status 0
  expect_output preserved
}

@test "--cgroups=disabled" {
  run pm run --rm --cgroups=disabled "$IMAGE" echo no-cgroups
  expect_status 0
  expect_output no-cgroups
}

@test "root: podman's --pids-limit and --memory reach the container's cgroups" {
  [ "$(id -u)" = 0 ] || skip "rootless podman on a cgroup v1 host asks for no limits"
  # A cgroup parent of the test's own, never the machine's (removed below).
  local parent=/sandbox-e2e-$$
  # The limits, read from the host while the container runs.
  run pm run -d --name lim --cgroup-parent "$parent" --pids-limit 42 --memory 64m "$IMAGE" sleep 300
  expect_status 0
  local pid
  pid=$(pm inspect -f '{{.State.Pid}}' lim)
  local pids_dir mem_dir
  pids_dir=/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
  mem_dir=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
  [ "$(cat "$pids_dir/pids.max")" = 42 ] || { echo "pids.max: $(cat "$pids_dir/pids.max")"; false; }
  [ "$(cat "$mem_dir/memory.limit_in_bytes")" = 67108864 ] || { cat "$mem_dir/memory.limit_in_bytes"; false; }
  pm rm -f -t 0 lim >/dev/null
  [ ! -d "$pids_dir" ]
  local h
  for h in /sys/fs/cgroup/*/; do rmdir "$h$parent"/* "$h$parent" 2>/dev/null || true; done
}
