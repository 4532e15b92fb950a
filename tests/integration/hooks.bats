#!/usr/bin/env bats
# config.json hooks: the six kinds, their order, their namespaces, the state on their stdin,
# args/env/timeout, and what a failing hook does to the lifecycle (runtime-spec config.md).

load helpers

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
  LOG=$HOSTDIR/log
  # A host-side hook: "<kind> <its mount and net namespace> <the state it read>" per call.
  cat >"$HOSTDIR/hook.sh" <<'SH'
#!/bin/sh
state=$(cat)
echo "$1 $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/net) $state" >>"$2"
SH
  chmod 755 "$HOSTDIR/hook.sh"
}

# add_hook KIND PATH ARG...: append a hook with these args (argv[0] included).
add_hook() {
  local kind=$1 path=$2
  shift 2
  set_config '.hooks[$k] += [{"path": $p, "args": $a}]' \
    --arg k "$kind" --arg p "$path" --argjson a "$(json_array "$@")"
}

# host_hook KIND: the host script as a hook of KIND, logging to $LOG.
host_hook() { add_hook "$1" "$HOSTDIR/hook.sh" hook.sh "$1" "$LOG"; }

# field KIND N: field N (1-based, space separated) of KIND's line in the log.
field() { awk -v k="$1" -v n="$2" '$1 == k { print $n; exit }' "$LOG"; }
state_in() { awk -v k="$1" '$1 == k { $1 = $2 = $3 = ""; print; exit }' "$LOG"; }

@test "hooks: all six kinds run in the lifecycle's order, each with the state on stdin" {
  ensure_namespace network
  host_hook prestart
  host_hook createRuntime
  host_hook createContainer
  # startContainer resolves in the container: the rootfs's sh, as the container's user.
  add_hook startContainer /bin/sh sh -c 'echo "startContainer - - $(cat)" >>/host/log'
  host_hook poststart
  host_hook poststop
  set_config '.annotations = {"org.example.hooks": "yes"}'
  set_args sh -c 'echo ran >/host/ran; sleep 100'

  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  local pid
  pid=$(pid_of c1)
  expect_eq "kinds after create" "prestart createRuntime createContainer" \
    "$(awk '{ print $1 }' "$LOG" | xargs)"
  sb start c1
  wait_for 10 test -e "$HOSTDIR/ran"
  run sb delete -f c1
  expect_status 0
  expect_eq "kinds after delete" \
    "prestart createRuntime createContainer startContainer poststart poststop" \
    "$(awk '{ print $1 }' "$LOG" | xargs)"

  local kind st
  for kind in prestart createRuntime createContainer startContainer poststart poststop; do
    st=$(state_in "$kind")
    expect_eq "$kind: id" c1 "$(jq -r .id <<<"$st")"
    expect_eq "$kind: bundle" "$BUNDLE" "$(jq -r .bundle <<<"$st")"
    expect_eq "$kind: annotation" yes "$(jq -r '.annotations["org.example.hooks"]' <<<"$st")"
    [ "$kind" = poststop ] || expect_eq "$kind: pid" "$pid" "$(jq -r .pid <<<"$st")"
  done
  expect_eq "prestart status" created "$(jq -r .status <<<"$(state_in prestart)")"
  expect_eq "poststart status" running "$(jq -r .status <<<"$(state_in poststart)")"
  expect_eq "poststop status" stopped "$(jq -r .status <<<"$(state_in poststop)")"

  # The runtime's hooks run in its namespaces; createContainer in the container's.
  local host_mnt host_net
  host_mnt=$(readlink /proc/self/ns/mnt)
  host_net=$(readlink /proc/self/ns/net)
  expect_eq "prestart mount ns" "$host_mnt" "$(field prestart 2)"
  expect_eq "createRuntime net ns" "$host_net" "$(field createRuntime 3)"
  expect_eq "poststop mount ns" "$host_mnt" "$(field poststop 2)"
  [ "$(field createContainer 2)" != "$host_mnt" ] || { echo "createContainer ran in the host's mount ns"; false; }
  [ "$(field createContainer 3)" != "$host_net" ] || { echo "createContainer ran in the host's net ns"; false; }
}

@test "hooks: a prestart hook finds the container's namespaces through the pid it reads (docker's setkey)" {
  ensure_namespace network
  cat >"$HOSTDIR/setkey.sh" <<'SH'
#!/bin/sh
pid=$(sed 's/.*"pid":\([0-9]*\).*/\1/')
readlink "/proc/$pid/ns/net" >"$1" 2>&1
SH
  chmod 755 "$HOSTDIR/setkey.sh"
  add_hook prestart "$HOSTDIR/setkey.sh" setkey.sh "$HOSTDIR/seen"
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  local pid
  pid=$(pid_of c1)
  expect_eq "the netns the hook saw" "$(readlink "/proc/$pid/ns/net")" "$(cat "$HOSTDIR/seen")"
}

@test "hooks: args, env and nothing else reach the hook" {
  cat >"$HOSTDIR/show.sh" <<'SH'
#!/bin/sh
{ echo "argv: $0 $*"; env | grep -v '^PWD=\|^OLDPWD=\|^SHLVL=\|^_=' | sort; } >"$HOSTDIR_OUT"
SH
  chmod 755 "$HOSTDIR/show.sh"
  set_config '.hooks.createRuntime = [{"path": $p, "args": ["first", "a b", "c"],
                                       "env": ["HOSTDIR_OUT=" + $o, "ONLY=this"]}]' \
    --arg p "$HOSTDIR/show.sh" --arg o "$HOSTDIR/out"
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "what the hook saw" "argv: $HOSTDIR/show.sh a b c
HOSTDIR_OUT=$HOSTDIR/out
ONLY=this" "$(cat "$HOSTDIR/out")"
}

@test "hooks: a failing prestart hook fails create in one line; nothing is left but poststop ran" {
  add_hook prestart /bin/sh sh -c 'echo "no key for you" >&2; exit 3'
  host_hook poststop
  set_args sleep 100
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "prestart hook /bin/sh: exit status 3: no key for you"
  expect_one_line
  run sb state c1
  expect_failure "does not exist"
  expect_eq "poststop after the failed create" poststop "$(awk '{ print $1 }' "$LOG")"
  assert_no_leftovers c1
}

@test "hooks: a createContainer failure fails create; a startContainer failure fails run" {
  add_hook createContainer /bin/false false
  set_args true
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "createContainer hook /bin/false: exit status 1"
  set_config 'del(.hooks)'
  add_hook startContainer /bin/sh sh -c 'exit 7'
  run sb run --bundle "$BUNDLE" c2
  [ "$status" -ne 0 ]
  expect_contains "startContainer hook /bin/sh: exit status 7"
  assert_no_leftovers c1
  assert_no_leftovers c2
}

@test "hooks: a hook that outlives its timeout is killed and create fails" {
  add_hook createRuntime /bin/sh sh -c 'sleep 30'
  set_config '.hooks.createRuntime[0].timeout = 1'
  set_args true
  local t0=$SECONDS
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "createRuntime hook /bin/sh: timed out after 1 s"
  [ $((SECONDS - t0)) -lt 10 ] || { echo "took $((SECONDS - t0)) s"; false; }
  assert_no_leftovers c1
}

@test "hooks: poststart and poststop failures are warnings; the lifecycle goes on" {
  add_hook poststart /bin/sh sh -c 'echo poststart-broke >&2; exit 1'
  add_hook poststop /bin/false false
  host_hook poststop
  set_args sh -c 'echo ran >/host/ran'
  sbd create --bundle "$BUNDLE" c1
  run sb start c1
  expect_status 0
  expect_contains "poststart hook /bin/sh: exit status 1: poststart-broke"
  wait_for 10 test -e "$HOSTDIR/ran"
  wait_status c1 stopped
  run sb delete c1
  expect_status 0
  expect_contains "poststop hook /bin/false: exit status 1"
  # The second poststop hook ran after the first failed.
  expect_eq "later poststop" poststop "$(awk '{ print $1 }' "$LOG")"
}

@test "hooks: run in the foreground runs poststart and poststop too" {
  host_hook poststart
  host_hook poststop
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "kinds" "poststart poststop" "$(awk '{ print $1 }' "$LOG" | xargs)"
}

@test "hooks: a relative hook path is refused at create" {
  set_config '.hooks.prestart = [{"path": "bin/true"}]'
  run sbd create --bundle "$BUNDLE" c1
  expect_failure "config.json: hooks.prestart[0].path: must be an absolute path"
  assert_no_leftovers c1
}

@test "hooks: a startContainer hook runs under a profile that kills close_range" {
  # No noNewPrivileges and no CAP_SYS_ADMIN: the filter goes in before the hook runs, so the
  # hook's fork must not call close_range (every fd is close-on-exec by then anyway).
  set_config '.process.noNewPrivileges = false
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                        "syscalls": [{"names": ["close_range"], "action": "SCMP_ACT_KILL"}]}'
  add_hook startContainer /bin/sh sh -c 'echo hook-ran >/host/hook'
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "the hook's file" hook-ran "$(cat "$HOSTDIR/hook")"
}
