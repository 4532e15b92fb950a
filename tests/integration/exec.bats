#!/usr/bin/env bats
# exec: a new process in a running container, with the container's settings unless flags or a
# process file override them; exit codes; detached exec; errors.

load helpers

setup() {
  common_setup
  make_bundle
  set_config '.root.readonly = false | .hostname = "exec-box"'
  set_args sleep 300
}

# start_box ID: a running container (sleep 300).
start_box() {
  run sbd run -d --bundle "$BUNDLE" "$1"
  expect_status 0
}

@test "exec runs in the container's namespaces and passes its exit code" {
  start_box c1
  local init
  init=$(pid_of c1)
  run sb exec c1 sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; echo; exit 7'
  expect_status 7
  expect_contains exec-box "sleep 300"
  # The same namespaces as the init, every one of them.
  local ns
  for ns in mnt pid net ipc uts user cgroup; do
    run sb exec c1 readlink "/proc/self/ns/$ns"
    expect_status 0
    expect_eq "$ns namespace" "$(readlink "/proc/$init/ns/$ns")" "$output"
  done
}

@test "exec: a process killed by a signal gives 128+signal" {
  start_box c1
  run sb exec c1 sh -c 'kill -9 $$'
  expect_status 137
}

@test "exec: stdin, stdout and stderr pass through" {
  start_box c1
  run bash -c 'echo piped | timeout 60 "$SANDBOX" --root "$ROOT" exec c1 sh -c "cat; echo err >&2"'
  expect_status 0
  expect_contains piped err
}

@test "exec: a missing program is 255 with the words engines match; a directory is 126-like" {
  start_box c1
  run sb exec c1 no-such-program
  expect_status 255
  expect_contains "executable file not found in \$PATH"
  run sb exec c1 /tmp
  expect_status 255
  expect_contains "permission denied"
  # The container is untouched.
  expect_eq status running "$(status_of c1)"
}

@test "exec: --user, --cwd, --env, --additional-gids override the container's process" {
  start_box c1
  run sb exec -u 1000:1000 --cwd /tmp -e FOO=bar -e HOME=/h -g 2000 c1 \
    sh -c 'id -u; id -g; id -G; pwd; echo "$FOO $HOME"'
  expect_status 0
  expect_eq lines "1000 1000 1000 2000 /tmp bar /h" "$(echo $output)"
}

@test "exec takes the container's capabilities and no_new_privs; --cap and --no-new-privs add" {
  set_config '.process.noNewPrivileges = false'
  start_box c1
  local container_eff
  container_eff=$(sb exec c1 awk '$1 == "CapEff:" { print $2 }' /proc/1/status)
  run sb exec c1 awk '$1 == "CapEff:" { print $2 } $1 == "NoNewPrivs:" { print $2 }' /proc/self/status
  expect_status 0
  expect_eq "same effective set as the init" "$container_eff 0" "$(echo $output)"
  run sb exec --cap CAP_SYS_PTRACE --no-new-privs c1 \
    awk '$1 == "CapEff:" { print $2 } $1 == "NoNewPrivs:" { print $2 }' /proc/self/status
  expect_status 0
  local eff=${lines[0]}
  # CAP_SYS_PTRACE is bit 19.
  [ $(( 0x$eff & (1 << 19) )) -ne 0 ] || { echo "CAP_SYS_PTRACE missing from $eff"; return 1; }
  expect_eq NoNewPrivs 1 "${lines[1]}"
}

@test "exec is under the container's seccomp filter" {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  start_box c1
  run sb exec c1 mkdir /tmp/y
  expect_status 1
  expect_contains "Operation not permitted"
  [ ! -e "$BUNDLE/rootfs/tmp/y" ]
}

@test "exec --process FILE: the whole process from a file" {
  start_box c1
  cat >"$TEST_DIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo $A; pwd; id -u; exit 3"], "env": ["A=from-file", "PATH=/bin"],
 "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}}
JSON
  run sb exec --process "$TEST_DIR/process.json" c1
  expect_status 3
  expect_eq lines "from-file /tmp 1000" "$(echo $output)"
  echo '{"args": []}' >"$TEST_DIR/bad.json"
  run sb exec -p "$TEST_DIR/bad.json" c1
  expect_status 255
  expect_contains "args: must not be empty"
  echo '{nope' >"$TEST_DIR/bad.json"
  run sb exec -p "$TEST_DIR/bad.json" c1
  expect_status 255
  expect_contains "not valid JSON"
}

@test "exec -d --pid-file: the process runs on in the container" {
  start_box c1
  run sbd exec -d --pid-file "$TEST_DIR/exec.pid" c1 sleep 200
  expect_status 0
  local pid
  pid=$(cat "$TEST_DIR/exec.pid")
  pid_alive "$pid"
  # It is in the container's pid namespace, where it has a pid of its own.
  expect_eq "pid namespace" "$(readlink "/proc/$(pid_of c1)/ns/pid")" "$(readlink "/proc/$pid/ns/pid")"
  run sb exec c1 ps -o comm
  expect_contains sleep
  [ "$(grep -c sleep <<<"$output")" -eq 2 ]
}

@test "exec -d of a missing program fails with 1 and writes no pid file" {
  start_box c1
  run sbd exec -d --pid-file "$TEST_DIR/exec.pid" c1 no-such-program
  expect_status 1
  expect_contains "executable file not found"
  [ ! -e "$TEST_DIR/exec.pid" ]
}

@test "exec into a created container works; into a stopped one fails: container not running" {
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 echo in-created
  expect_status 0
  expect_output in-created
  sb kill c1 KILL
  wait_status c1 stopped
  run sb exec c1 true
  expect_status 255
  expect_contains "container not running"
  run sb exec nope-id true
  expect_status 255
  expect_contains "does not exist"
}

@test "exec does not hold the state lock: state and kill work while it runs" {
  start_box c1
  sbd exec -d c1 sleep 100 >/dev/null
  (timeout 60 "$SANDBOX" --root "$ROOT" exec c1 sleep 3 </dev/null >/dev/null 2>&1 3>&- &)
  sleep 0.5
  run timeout 2 "$SANDBOX" --root "$ROOT" state c1
  expect_status 0
  expect_contains running
}

@test "exec with --no-pivot: the process sees the container's root" {
  set_args sleep 300
  touch "$BUNDLE/rootfs/marker-no-pivot"
  run sbd run -d --no-pivot --bundle "$BUNDLE" c1
  expect_status 0
  run sb exec c1 ls /
  expect_status 0
  expect_contains marker-no-pivot
}

@test "exec forwards signals to its process" {
  start_box c1
  timeout 60 "$SANDBOX" --root "$ROOT" exec c1 sh -c 'trap "echo got-term; exit 9" TERM; touch /tmp/trapped; while :; do sleep 0.1; done' \
    >"$TEST_DIR/out" 2>&1 </dev/null 3>&- &
  local runtime=$!
  # The shell shows up in ps as soon as it is exec'd, before its trap is set (a TERM then
  # kills it: 143): wait for the file it makes once the trap is in place.
  wait_for 10 sb exec c1 test -e /tmp/trapped
  kill -TERM "$runtime"
  local rc=0
  wait "$runtime" || rc=$?
  expect_eq "exit code" 9 "$rc"
  grep -q got-term "$TEST_DIR/out"
}
