#!/usr/bin/env bats
# docker 20.10 (a private dockerd, setup-docker.bash) drives sandbox as `--runtime sandbox`:
# run, exec, tty, logs, stop, pause/unpause, limits and update read back on the host, a user of
# the subuid range, a custom seccomp profile. Every check runs with docker's runc first, the
# same way: where runc passes and sandbox fails, sandbox has the bug. run-e2e.sh runs this with
# a root dockerd and with a rootless one (rootlesskit, as the test user).
#
# Containers use --network none: docker still gives them a network namespace of their own, and
# with it its prestart hook (libnetwork-setkey).

load helpers

IMAGE=localhost/busybox

dk() { timeout -k 10 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

teardown() {
  local ids
  ids=$(dk ps -aq 2>/dev/null) || true
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true
}

# dkrun RUNTIME ARGS...: docker run with the runtime and no network.
dkrun() {
  local rt=$1
  shift
  dk run --runtime "$rt" --network none "$@"
}

rootless() { [ "$(id -u)" != 0 ]; }

# cgroup_dir PID CONTROLLER: the v1 cgroup directory of PID for CONTROLLER, on the host.
cgroup_dir() {
  local rel
  rel=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
    "/proc/$1/cgroup")
  echo "/sys/fs/cgroup/$2$rel"
}

# expect_file FILE VALUE: FILE (a cgroup file on the host) holds VALUE.
expect_file() {
  local got
  got=$(cat "$1") || return 1
  expect_eq "$1" "$2" "$got"
}

check_run() {
  local rt=$1
  run dkrun "$rt" --rm "$IMAGE" sh -c 'echo hello-$0; exit 3' "$rt"
  expect_status 3
  expect_output "hello-$rt"
  run -127 dkrun "$rt" --rm "$IMAGE" no-such-program
  expect_status 127
}

@test "run: output and exit code, a missing program is 127" {
  both check_run
}

check_exec() {
  local rt=$1 name=e2e-x-$1
  dkrun "$rt" -d --name "$name" "$IMAGE" sleep 300
  run dk exec "$name" sh -c 'echo in-exec; exit 7'
  expect_status 7
  expect_output in-exec
  run bash -c 'echo piped | timeout 120 "$DOCKER" exec -i -u 1000:1000 -w /tmp -e A=b "$0" sh -c "cat; id -u; pwd; echo \$A"' "$name"
  expect_status 0
  expect_eq "lines" "piped 1000 /tmp b" "$(echo $output)"
  # docker 20.10 gives 126 for any failed exec start (runc: "executable file not found").
  run -126 dk exec "$name" no-such-program
  expect_status 126
  expect_contains "executable file not found in \$PATH"
}

@test "exec: output, exit code, -i -u -w -e, a missing program" {
  both check_exec
}

check_tty() {
  local rt=$1
  run in_pty 31 101 "$DOCKER run --rm -t --runtime $rt --network none $IMAGE sh -c 'tty; test -c /dev/console && echo console-ok; $WAIT_SIZE'"
  expect_contains "/dev/pts/0" "console-ok" "size=31 101"
  dkrun "$rt" -d --name "e2e-t-$rt" "$IMAGE" sleep 300
  run in_pty 32 102 "$DOCKER exec -t e2e-t-$rt sh -c 'tty; $WAIT_SIZE'"
  expect_contains "/dev/pts/" "size=32 102"
}

@test "run -t and exec -t: a terminal of the caller's size, /dev/console" {
  both check_tty
}

check_logs() {
  local rt=$1 name=e2e-l-$1
  dkrun "$rt" -d --name "$name" "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2'
  run dk wait "$name"
  expect_output 0
  run dk logs "$name"
  expect_status 0
  expect_contains to-stdout to-stderr
  # The streams stay apart.
  run bash -c '"$DOCKER" logs "$0" 2>/dev/null' "$name"
  expect_output to-stdout
}

@test "logs: stdout and stderr of a detached container" {
  both check_logs
}

check_stop() {
  local rt=$1 name=e2e-s-$1
  dkrun "$rt" -d --name "$name" "$IMAGE" \
    sh -c 'trap "echo got-term; exit 3" TERM; echo up; while :; do sleep 0.2; done'
  wait_for 20 bash -c '"$DOCKER" logs "$0" | grep -q up' "$name"
  run dk stop -t 20 "$name"
  expect_status 0
  run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
  expect_output "exited 3"
  run dk logs "$name"
  expect_contains got-term
  # A container that ignores SIGTERM is killed after the timeout.
  dkrun "$rt" -d --name "$name-k" "$IMAGE" sleep 300
  run dk stop -t 1 "$name-k"
  expect_status 0
  run dk inspect -f '{{.State.ExitCode}}' "$name-k"
  expect_output 137
}

@test "stop: the SIGTERM trap runs and its exit code comes back; then SIGKILL" {
  both check_stop
}

check_kill_restart() {
  local rt=$1 name=e2e-k-$1
  dkrun "$rt" -d --name "$name" "$IMAGE" \
    sh -c 'trap "echo got-usr1" USR1; echo up; while :; do sleep 0.2; done'
  wait_for 20 bash -c '"$DOCKER" logs "$0" | grep -q up' "$name"
  run dk kill -s USR1 "$name"
  expect_status 0
  wait_for 20 bash -c '"$DOCKER" logs "$0" | grep -q got-usr1' "$name"
  # top asks the runtime's `ps`; runc's reads the cgroup, which a rootless dockerd here has not.
  if ! rootless; then
    run dk top "$name"
    expect_status 0
    expect_contains "while :"
  fi
  # restart: a new init (a new pid) in the same container.
  local pid1 pid2
  pid1=$(dk inspect -f '{{.State.Pid}}' "$name")
  run dk restart -t 1 "$name"
  expect_status 0
  pid2=$(dk inspect -f '{{.State.Pid}} {{.State.Status}} {{.RestartCount}}' "$name")
  [[ "$pid2" != "$pid1 "* && "$pid2" == *" running 0" ]] || { echo "after restart: $pid2 (before: $pid1)"; return 1; }
  run dk kill "$name"
  expect_status 0
  run dk wait "$name"
  expect_output 137
}

@test "kill -s USR1, top, restart, kill, wait" {
  both check_kill_restart
}

check_pause() {
  local rt=$1 name=e2e-p-$1 pid
  dkrun "$rt" -d --name "$name" "$IMAGE" sleep 300
  pid=$(dk inspect -f '{{.State.Pid}}' "$name")
  run dk pause "$name"
  expect_status 0
  expect_file "$(cgroup_dir "$pid" freezer)/freezer.state" FROZEN
  run dk inspect -f '{{.State.Status}}' "$name"
  expect_output paused
  run dk unpause "$name"
  expect_status 0
  expect_file "$(cgroup_dir "$pid" freezer)/freezer.state" THAWED
  run dk exec "$name" echo after-unpause
  expect_output after-unpause
}

@test "pause/unpause: the freezer on the host, exec afterwards" {
  rootless && skip "a rootless dockerd on this cgroup v1 host has no cgroups (runc cannot pause either)"
  both check_pause
}

check_limits() {
  local rt=$1 name=e2e-m-$1 pid
  dkrun "$rt" -d --name "$name" --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 42 \
    "$IMAGE" sleep 300
  pid=$(dk inspect -f '{{.State.Pid}}' "$name")
  expect_file "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes" 67108864
  expect_file "$(cgroup_dir "$pid" memory)/memory.memsw.limit_in_bytes" 134217728
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us" 50000
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.cfs_period_us" 100000
  expect_file "$(cgroup_dir "$pid" pids)/pids.max" 42
  # docker writes "shares": 0 when none is asked for: that means unset (the kernel's 1024).
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.shares" 1024
  # The container sits in the daemon's cgroup parent, not in the caller's cgroup.
  [[ "$(cgroup_dir "$pid" memory)" == "/sys/fs/cgroup/memory$E2E_CGROUP_PARENT/"* ]] ||
    { echo "memory cgroup: $(cgroup_dir "$pid" memory)"; return 1; }
}

@test "limits given at run time, read back on the host" {
  rootless && skip "a rootless dockerd on this cgroup v1 host has no cgroups (Cgroup Driver: none)"
  both check_limits
}

check_update() {
  local rt=$1 name=e2e-u-$1 pid
  dkrun "$rt" -d --name "$name" --memory 64m --memory-swap 128m --cpus 0.5 "$IMAGE" sleep 300
  pid=$(dk inspect -f '{{.State.Pid}}' "$name")
  run dk update --memory 96m --memory-swap 192m --cpus 0.25 --cpu-shares 512 --pids-limit 50 "$name"
  expect_status 0
  expect_file "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes" 100663296
  expect_file "$(cgroup_dir "$pid" memory)/memory.memsw.limit_in_bytes" 201326592
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us" 25000
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.shares" 512
  expect_file "$(cgroup_dir "$pid" pids)/pids.max" 50
  # Only the memory limit: docker sends the CPU fields as zeros, which change nothing.
  run dk update --memory 80m --memory-swap 160m "$name"
  expect_status 0
  expect_file "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes" 83886080
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us" 25000
  expect_file "$(cgroup_dir "$pid" cpu)/cpu.shares" 512
}

@test "update: --memory --cpus --cpu-shares --pids-limit, read back on the host" {
  rootless && skip "a rootless dockerd on this cgroup v1 host has no cgroups (Cgroup Driver: none)"
  both check_update
}

# The host uid that container uid 1000 is: 1000 for a root dockerd; in a rootless one, the test
# user's subordinate range starts at container uid 1.
host_uid_of_1000() {
  if rootless; then
    local start
    start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    echo $((start + 999))
  else
    echo 1000
  fi
}

check_user() {
  local rt=$1 name=e2e-id-$1 pid
  run dkrun "$rt" --rm --user 1000:1000 "$IMAGE" sh -c 'echo x >/dev/null && echo devnull-ok; id'
  expect_status 0
  expect_output "devnull-ok
uid=1000(user) gid=1000(user) groups=1000(user)"
  dkrun "$rt" -d --name "$name" --user 1000:1000 "$IMAGE" sleep 300
  pid=$(dk inspect -f '{{.State.Pid}}' "$name")
  run awk '$1 == "Uid:" || $1 == "Gid:" { print $1, $2, $3, $4, $5 }' "/proc/$pid/status"
  local u
  u=$(host_uid_of_1000)
  expect_output "Uid: $u $u $u $u
Gid: $u $u $u $u"
}

@test "--user 1000:1000: writes /dev/null, its ids inside, the subuid on the host" {
  both check_user
}

check_seccomp() {
  local rt=$1 profile=$BATS_TEST_TMPDIR/no-mkdir.json
  cat >"$profile" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 }
  ]
}
EOF
  # (stderr into stdout inside: docker delivers the two streams in no fixed order)
  run dkrun "$rt" --rm --security-opt "seccomp=$profile" "$IMAGE" \
    sh -c 'mkdir /tmp/d 2>&1; touch /tmp/f && echo touch-ok'
  expect_status 0
  expect_output "mkdir: can't create directory '/tmp/d': Operation not permitted
touch-ok"
  # The same profile as a non-root user (no CAP_SYS_ADMIN, no no_new_privs).
  run dkrun "$rt" --rm --user 1000:1000 --security-opt "seccomp=$profile" "$IMAGE" \
    sh -c 'mkdir /tmp/d 2>&1; echo done'
  expect_output "mkdir: can't create directory '/tmp/d': Operation not permitted
done"
}

@test "a custom seccomp profile (mkdir denied with EPERM)" {
  both check_seccomp
}

check_options() {
  local rt=$1 vol=$BATS_TEST_TMPDIR/vol-$1
  mkdir -p "$vol"
  echo from-host >"$vol/in"
  # A bind mount (written back to the host), a tmpfs, a read-only root, capabilities, an
  # rlimit, hostname, environment, working directory, no-new-privileges.
  run dkrun "$rt" --rm -v "$vol:/vol" --tmpfs /scratch:size=1m --read-only \
    --cap-drop ALL --cap-add CHOWN --ulimit nofile=1024:2048 --hostname "h-$rt" -e FOO=bar \
    -w /scratch --security-opt no-new-privileges "$IMAGE" sh -c '
      cat /vol/in; echo from-container >/vol/out
      touch /x 2>&1 | sed "s/.*: //"
      echo tmp >/scratch/f && pwd
      grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\t" " "
      ulimit -n; ulimit -Hn; hostname; echo "$FOO"
      grep " /scratch " /proc/mounts | cut -d" " -f3'
  expect_status 0
  expect_output "from-host
Read-only file system
/scratch
CapEff: 0000000000000001
NoNewPrivs: 1
1024
2048
h-$rt
bar
tmpfs"
  expect_eq "written through the bind mount" from-container "$(cat "$vol/out")"
}

@test "options: -v, --tmpfs, --read-only, --cap-drop/--cap-add, --ulimit, --hostname, -e, -w, no-new-privileges" {
  both check_options
}

check_devices() {
  local rt=$1
  # --device adds a node the default set lacks (with its cgroup rule as root). The same path
  # inside: rootless runc cannot bind a host node to another name. (--privileged fails with
  # runc here: root's bounding set lacks CAP_SYS_RESOURCE.)
  run dkrun "$rt" --rm --device /dev/fuse "$IMAGE" sh -c 'stat -c "%t:%T" /dev/fuse'
  expect_status 0
  expect_output "a:e5"
  # A device not given stays out of reach.
  run dkrun "$rt" --rm "$IMAGE" sh -c 'test -e /dev/fuse || echo no-fuse'
  expect_output no-fuse
}

@test "--device" {
  both check_devices
}

@test "nothing is left in the runtimes' state root once the containers are gone" {
  both check_run
  # docker gives every runtime the same root (<exec-root>/runtime-runc/moby).
  local root=$E2E_STAGE/docker/exec/runtime-runc/moby left
  [ -d "$root" ] || { echo "no state root $root"; return 1; }
  left=$(find "$root" -mindepth 1)
  expect_eq "left in $root" "" "$left"
}
