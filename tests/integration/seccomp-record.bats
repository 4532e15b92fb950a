#!/usr/bin/env bats
# sandbox seccomp record|check: the agent (sandbox-seccomp) over the runtime-spec's seccomp
# listener protocol. The agent is driven here by sandbox-seccomp-loader, which loads a notify
# filter itself and sends the fd with the state JSON as the runtime does; the end-to-end tests
# through `sandbox seccomp` run once the runtime lists SCMP_ACT_NOTIFY in its features.

load helpers

AGENT=$(dirname "$SANDBOX")/sandbox-seccomp
LOADER=$(dirname "$SANDBOX")/sandbox-seccomp-loader
BB=/bin/busybox

setup() {
  common_setup
  SOCK=$TEST_DIR/agent.sock
}
# The agent's own tests need it and the loader built (the command's tests do not).
need_agent() {
  [ -x "$AGENT" ] || skip "sandbox-seccomp is not built next to $SANDBOX"
  [ -x "$LOADER" ] || skip "sandbox-seccomp-loader is not built"
}

# agent ARGS...: the agent in the background on $SOCK; its stderr in $TEST_DIR/agent.err.
agent() {
  need_agent
  "$AGENT" "$@" --socket "$SOCK" 2>"$TEST_DIR/agent.err" &
  AGENT_PID=$!
}
# agent_status: waits for the agent (10 s at most) and sets AGENT_RC.
agent_status() {
  local i
  for i in $(seq 100); do
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.1
  done
  AGENT_RC=0
  wait "$AGENT_PID" || AGENT_RC=$?
}
loader() { timeout 20 "$LOADER" --socket "$SOCK" "$@"; }

runtime_notifies() {
  "$SANDBOX" features | jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' >/dev/null
}

@test "record: every syscall of every process, counted with its first process; 32-bit too" {
  agent record --output "$TEST_DIR/p.json" --report "$TEST_DIR/r.txt"
  run loader --i386-getpid -- $BB sh -c "echo hi | $BB cat; $BB mkdir $TEST_DIR/made"
  expect_status 0
  expect_output "hi"
  agent_status
  [ "$AGENT_RC" = 0 ] || { cat "$TEST_DIR/agent.err"; false; }
  [ -d "$TEST_DIR/made" ]
  cat "$TEST_DIR/r.txt"
  # A child's call, with the child's name; the pipe's fork; the 32-bit getpid (int 0x80).
  grep -qE '^mkdir SCMP_ARCH_X86_64 1 [0-9]+ busybox$' "$TEST_DIR/r.txt"
  grep -qE '^(clone|clone3|fork|vfork) SCMP_ARCH_X86_64 ' "$TEST_DIR/r.txt"
  grep -qE '^execve SCMP_ARCH_X86_64 [0-9]+ ' "$TEST_DIR/r.txt"
  grep -qE '^getpid SCMP_ARCH_X86 1 ' "$TEST_DIR/r.txt"
  grep -qE '^total [0-9]+ calls, [0-9]+ distinct syscalls$' "$TEST_DIR/r.txt"
  run jq -c '[.defaultAction, .defaultErrnoRet, .architectures]' "$TEST_DIR/p.json"
  expect_output '["SCMP_ACT_ERRNO",1,["SCMP_ARCH_X86_64","SCMP_ARCH_X86"]]'
  # Seen calls and the vDSO's, which never reach seccomp, are allowed; others are not.
  run jq -r '.syscalls[0] | select(.action == "SCMP_ACT_ALLOW") | .names[]' "$TEST_DIR/p.json"
  for s in mkdir execve getpid clock_gettime gettimeofday; do
    grep -qx "$s" <<<"$output" || { echo "missing $s"; false; }
  done
  ! grep -qx mount <<<"$output"
  ! grep -qx ptrace <<<"$output"
}

@test "record --format docker: archMap with x86 under x86_64" {
  agent record --format docker --output "$TEST_DIR/d.json"
  run loader --i386-getpid -- $BB true
  expect_status 0
  agent_status
  expect_eq "agent" 0 "$AGENT_RC"
  run jq -c '[.defaultAction, .archMap, has("architectures")]' "$TEST_DIR/d.json"
  expect_output '["SCMP_ACT_ERRNO",[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],false]'
}

@test "record: SIGTERM ends a recording with its results written (a stop before the end)" {
  agent record --output "$TEST_DIR/p.json" --report "$TEST_DIR/r.txt"
  loader -- $BB sleep 30 &
  local lpid=$!
  wait_for 10 test -S "$SOCK"
  sleep 0.5
  kill -TERM "$AGENT_PID"
  agent_status
  expect_eq "agent" 0 "$AGENT_RC"
  grep -q '^nanosleep\|^clock_nanosleep' "$TEST_DIR/r.txt"
  [ ! -e "$SOCK" ]
  kill -KILL "$lpid" 2>/dev/null || true
  wait "$lpid" || true
}

profile_mkdir_eacces() {
  cat >"$TEST_DIR/prof.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
              {"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}
JSON
}

@test "check --complain: each call the profile would deny is reported, allowed; exit 2" {
  profile_mkdir_eacces
  agent check --profile "$TEST_DIR/prof.json" --report "$TEST_DIR/c.txt"
  run loader --notify mkdir,mkdirat -- $BB mkdir "$TEST_DIR/made"
  expect_status 0
  agent_status
  expect_eq "agent" 2 "$AGENT_RC"
  [ -d "$TEST_DIR/made" ]
  cat "$TEST_DIR/c.txt"
  grep -qE '^deny mkdir\(0x[0-9a-f]+, 0x1ff, .*\) pid=[0-9]+ comm=busybox action=SCMP_ACT_ERRNO \(allowed: complain\)$' "$TEST_DIR/c.txt"
  grep -qx 'profile would deny 1 syscall(s): mkdir(1)' "$TEST_DIR/c.txt"
}

@test "check --enforce: errno from the profile; kill kills the process" {
  profile_mkdir_eacces
  agent check --profile "$TEST_DIR/prof.json" --enforce
  run loader --notify mkdir,mkdirat -- $BB mkdir "$TEST_DIR/made"
  expect_status 1
  expect_contains "Permission denied"  # errnoRet 13: EACCES, not the default EPERM
  agent_status
  expect_eq "agent" 2 "$AGENT_RC"
  [ ! -e "$TEST_DIR/made" ]

  agent check --profile "$TEST_DIR/prof.json" --enforce
  run loader --notify getppid -- $BB sh -c 'echo $PPID; echo survived'
  expect_status 137
  expect_not_contains "survived"
  agent_status
  expect_eq "agent" 2 "$AGENT_RC"
  grep -q 'action=SCMP_ACT_KILL_PROCESS (enforced)' "$TEST_DIR/agent.err"
}

@test "check: a profile that holds exits 0 with its summary" {
  profile_mkdir_eacces
  agent check --profile "$TEST_DIR/prof.json" --enforce
  run loader --notify mkdir,mkdirat,getppid -- $BB true
  expect_status 0
  agent_status
  expect_eq "agent" 0 "$AGENT_RC"
  grep -q 'profile holds: no call would be denied' "$TEST_DIR/agent.err"
}

@test "a stray connection does not end the agent" {
  agent record --output "$TEST_DIR/p.json"
  wait_for 10 test -S "$SOCK"
  $BB nc local:"$SOCK" </dev/null 2>/dev/null || \
    python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$SOCK"
  run loader -- $BB true
  expect_status 0
  agent_status
  expect_eq "agent" 0 "$AGENT_RC"
  grep -q "not the container process state JSON\|no seccompFd" "$TEST_DIR/agent.err"
}

@test "sandbox seccomp record without NOTIFY support: one line, exit 1, nothing left" {
  runtime_notifies && skip "the runtime supports SCMP_ACT_NOTIFY"
  make_bundle
  run sb seccomp record --output "$TEST_DIR/p.json" rec1
  expect_status 1
  expect_one_line
  expect_contains "linux.seccomp"  # the derived config's filter is what the runtime refuses
  [ ! -e "$TEST_DIR/p.json" ]
  [ ! -e "$ROOT/rec1@seccomp" ]
  run sb list -q
  expect_output ""
}

@test "sandbox seccomp check: --profile is required; a bad profile is one line" {
  make_bundle
  run sb seccomp check chk1
  expect_status 1
  echo '[]' >"$TEST_DIR/bad.json"
  run sb seccomp check --profile "$TEST_DIR/bad.json" chk1
  expect_status 1
  expect_one_line
  expect_contains "not a linux.seccomp object"
  [ ! -e "$ROOT/chk1@seccomp" ]
}

# The round trip (issue 15): record a busybox workload through the runtime, run it under the
# recorded profile, add one syscall outside it: EPERM, and check names it.
@test "end to end: record, run under the profile, an extra syscall is EPERM and shown by check" {
  runtime_notifies || skip "the runtime does not list SCMP_ACT_NOTIFY in its features yet"
  need_agent
  make_bundle
  # The template's root is read-only: the workload writes in a tmpfs.
  set_config '.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]'
  local work='cd /tmp && echo data >f && tar cf a.tar f && tar tf a.tar | cat && rm a.tar'
  set_args /bin/sh -c "$work"
  run sb seccomp record --output "$TEST_DIR/p.json" --report "$TEST_DIR/r.txt" rt1
  expect_status 0
  # The workload's output, then the agent's summary (relayed on stderr).
  expect_eq "first line" "f" "${lines[0]}"
  expect_contains "sandbox-seccomp: recorded"
  grep -q '^execve ' "$TEST_DIR/r.txt"
  ! jq -e '.syscalls[0].names | index("mknodat")' "$TEST_DIR/p.json"

  set_config '.linux.seccomp = $p' --slurpfile p "$TEST_DIR/p.json"
  set_config '.linux.seccomp = .linux.seccomp[0]'
  run sb run rt2
  expect_status 0
  expect_output "f"

  set_args /bin/sh -c "$work; mkfifo /tmp/fifo"
  run sb run rt3
  expect_status 1
  expect_contains "Operation not permitted"

  set_config 'del(.linux.seccomp)'
  run sb seccomp check --profile "$TEST_DIR/p.json" --report "$TEST_DIR/c.txt" rt4
  expect_status 2
  grep -q '^deny mknod' "$TEST_DIR/c.txt"

  # Detached: the results come with `seccomp stop`.
  set_args /bin/sh -c "$work; sleep 6161"
  run sbd seccomp record -d --output "$TEST_DIR/p2.json" rt5
  expect_status 0
  # stop once the workload sleeps (its cmdline is unique to this test), so the sleep is seen.
  wait_for 10 sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f" 2>/dev/null; echo; done | grep -qx "sleep 6161 "'
  run sb seccomp stop rt5
  expect_status 0
  jq -e '.syscalls[0].names | index("nanosleep") or index("clock_nanosleep")' "$TEST_DIR/p2.json"
  [ ! -e "$ROOT/rt5@seccomp" ]
}
