#!/usr/bin/env bats
# linux.seccomp with SCMP_ACT_NOTIFY: the listener fd reaches the agent at listenerPath with
# the container process state (the runtime spec's seccomp listener protocol), the agent's
# answer is what the container sees; create and exec both hand their fd over; config errors
# and filter flags.

load helpers

setup() {
  common_setup
  make_bundle
  AGENT_SOCK=$TEST_DIR/agent.sock
  AGENT_OUT=$TEST_DIR/agent.out
  AGENT=
}

teardown() {
  common_teardown_agent
  common_teardown
}

common_teardown_agent() {
  [ -z "$AGENT" ] || { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; } || true
}

# start_agent ERRNO: the probe's agent on $AGENT_SOCK; ERRNO answers each notification (0:
# the syscall goes on).
start_agent() {
  "$PROBE" seccomp-agent "$AGENT_SOCK" "$1" >"$AGENT_OUT" 2>&1 </dev/null 3>&- &
  AGENT=$!
  wait_for 10 test -S "$AGENT_SOCK"
}

# notify_mkdir [EXTRA-JQ]: mkdir/mkdirat notify the agent; the rest is allowed.
notify_mkdir() {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
      "listenerPath": $sock, "listenerMetadata": "meta-data 1",
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' \
    --arg sock "$AGENT_SOCK"
}

# state_line N: the payload of the agent's Nth connection (1-based).
state_line() { grep '^state ' "$AGENT_OUT" | sed -n "${1}p" | sed 's/^state //; s/ fds=[0-9]*$//'; }

@test "NOTIFY: the agent gets the fd with the process state, and its errno is what mkdir sees" {
  start_agent 123  # ENOMEDIUM
  notify_mkdir
  set_config '.annotations = {"a.b": "c"}'
  set_args sh -c 'mkdir /tmp/x; echo "rc=$?"'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "No medium found" "rc=1"
  wait_for 5 grep -q '^notify ' "$AGENT_OUT"
  run cat "$AGENT_OUT"
  expect_contains " fds=1"
  local st
  st=$(state_line 1)
  jq -e --arg b "$BUNDLE" '.ociVersion != null and .fds == ["seccompFd"]
      and .metadata == "meta-data 1" and (.pid | type) == "number" and .pid > 0
      and .state.id == "c1" and .state.status == "creating" and .state.bundle == $b
      and .state.pid == .pid and .state.annotations["a.b"] == "c"' <<<"$st" >/dev/null \
    || { echo "state: $st"; false; }
}

@test "NOTIFY: CONTINUE lets mkdir happen" {
  start_agent 0
  notify_mkdir
  set_config '.root.readonly = false'
  set_args sh -c 'mkdir /tmp/made && echo made'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains made
  grep -q '^notify ' "$AGENT_OUT"
}

@test "NOTIFY with create + start: the fd goes over during create, the answer holds after start" {
  start_agent 123
  notify_mkdir
  set_args sh -c 'mkdir /tmp/x 2>/tmp/err; cat /tmp/err; sleep 300'
  set_config '.root.readonly = false'
  sbd create --bundle "$BUNDLE" c1
  # create has returned: the agent has the fd already.
  grep -q ' fds=1$' "$AGENT_OUT"
  sb start c1
  wait_for 10 grep -q "No medium found" "$BUNDLE/rootfs/tmp/err"
  sb delete -f c1
}

@test "NOTIFY with exec: the exec'd process's fd goes to the agent too, with its pid" {
  start_agent 123
  notify_mkdir
  set_args sleep 300
  sbd run -d --bundle "$BUNDLE" c1
  run sb exec c1 sh -c 'mkdir /tmp/y; echo "rc=$?"'
  expect_status 0
  expect_contains "No medium found" "rc=1"
  local st init
  init=$(pid_of c1)
  st=$(state_line 2)
  jq -e --argjson init "$init" '.fds == ["seccompFd"] and .state.status == "running"
      and .state.pid == $init and .pid != $init and .metadata == "meta-data 1"' <<<"$st" \
    >/dev/null || { echo "state: $st"; cat "$AGENT_OUT"; false; }
  sb delete -f c1
}

@test "NOTIFY: no agent at listenerPath -> create fails with one line and leaves nothing" {
  notify_mkdir
  set_args true
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "seccomp: listenerPath $AGENT_SOCK: connect: no such file or directory"
  assert_no_leftovers c1
}

@test "NOTIFY without listenerPath, listenerPath without NOTIFY: config errors" {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "config.json: linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY"
  assert_no_leftovers c1

  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/x.sock"}'
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "config.json: linux.seccomp.listenerPath: given, but no rule uses SCMP_ACT_NOTIFY"

  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/x.sock"}'
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "SCMP_ACT_NOTIFY as the default action needs a rule that allows sendmsg"
  assert_no_leftovers c1
}

@test "flags: LOG and SPEC_ALLOW are loaded; WAIT_KILLABLE_RECV with NOTIFY; unknown refused" {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
      "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 123}]}'
  set_args sh -c 'mkdir /tmp/x; grep Seccomp: /proc/self/status'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "No medium found" "Seccomp:	2"

  start_agent 123
  notify_mkdir
  set_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
  set_args sh -c 'mkdir /tmp/x; echo "rc=$?"'
  run sb run --bundle "$BUNDLE" c2
  expect_status 0
  expect_contains "No medium found" "rc=1"

  set_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC"]'
  run sbd create --bundle "$BUNDLE" c3
  expect_failure 'config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_TSYNC"'
  assert_no_leftovers c3

  set_config 'del(.linux.seccomp.listenerPath) | .linux.seccomp.syscalls[0].action = "SCMP_ACT_ERRNO"
      | .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
  run sbd create --bundle "$BUNDLE" c3
  expect_failure "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a SCMP_ACT_NOTIFY rule"
}

@test "features lists NOTIFY and the flags this kernel supports" {
  run sb features
  expect_status 0
  jq -e '.linux.seccomp | (.actions | index("SCMP_ACT_NOTIFY")) and (.actions | index("SCMP_ACT_KILL_PROCESS"))
      and .knownFlags == ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                          "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
      and (.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG"))' <<<"$output" >/dev/null \
    || { echo "$output"; false; }
}

@test "NOTIFY without noNewPrivileges: the filter goes in before the user switch, the agent still answers" {
  start_agent 123
  notify_mkdir
  set_config '.process.noNewPrivileges = false'
  set_args sh -c 'mkdir /tmp/x; echo "rc=$?"; grep NoNewPrivs: /proc/self/status'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "No medium found" "rc=1" "NoNewPrivs:	0"
  grep -q ' fds=1$' "$AGENT_OUT"
}

# run_action ACTION: `sandbox-probe syscall getppid` under a filter giving getppid ACTION;
# sets status and output.
run_action() {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["getppid"], "action": $a}]}' --arg a "$1"
  run sb run --bundle "$BUNDLE" "c-$(tr 'A-Z_' 'a-z-' <<<"$1")"
}

@test "every action: what getppid does under it" {
  install -m 755 "$PROBE" "$BUNDLE/rootfs/bin/sandbox-probe"
  set_args sandbox-probe syscall getppid
  local a
  # SIGSYS: 128 + 31.
  for a in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
    run_action "$a"
    expect_status 159 || { echo "$a"; return 1; }
  done
  run_action SCMP_ACT_ERRNO
  expect_output EPERM
  # No tracer attached: the kernel fails the call with ENOSYS.
  run_action SCMP_ACT_TRACE
  expect_output ENOSYS
  for a in SCMP_ACT_LOG SCMP_ACT_ALLOW; do
    run_action "$a"
    expect_output ok || { echo "$a"; return 1; }
  done
}

@test "NOTIFY with exec when the agent is gone: exec fails with one line and leaves no process" {
  start_agent 123
  notify_mkdir
  set_args sleep 300
  sbd run -d --bundle "$BUNDLE" c1
  kill "$AGENT"
  wait "$AGENT" 2>/dev/null || true
  AGENT=
  rm -f "$AGENT_SOCK"
  run sbd exec -d c1 sleep 123
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_one_line
  expect_contains "seccomp: listenerPath $AGENT_SOCK: connect: no such file or directory"
  run sb ps c1
  expect_not_contains "sleep 123"
  sb delete -f c1
}

@test "NOTIFY and a startContainer hook: the hook gets no listener fd" {
  start_agent 0
  notify_mkdir
  set_config '.root.readonly = false
    | .hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "ls /proc/self/fd >/hookfds"]}]'
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "the hook's fds" "0 1 2 3" "$(sort -n "$BUNDLE/rootfs/hookfds" | tr '\n' ' ' | sed 's/ $//')"
}
