#!/usr/bin/env bats
# The command line itself: --version, --help, global flags, --log/--log-format.

load helpers

@test "--version prints the name and version, the commit and the spec version" {
  run "$SANDBOX" --version
  expect_status 0
  [ "${#lines[@]}" -eq 3 ] || { show_output; false; }
  [[ "${lines[0]}" =~ ^sandbox\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || { show_output; false; }
  [[ "${lines[1]}" =~ ^commit:\ .+ ]] || { show_output; false; }
  expect_eq "spec line" "spec: 1.2.0" "${lines[2]}"
}

@test "--help works for the runtime and every command" {
  run "$SANDBOX" --help
  expect_status 0
  expect_contains "Usage" create start run state list kill delete spec
  local cmd
  for cmd in spec create start run state list kill delete; do
    run "$SANDBOX" "$cmd" --help
    expect_status 0
    expect_contains "Usage"
  done
}

@test "--help lists each command's flags" {
  run "$SANDBOX" create --help
  expect_contains --bundle --pid-file --no-pivot --no-new-keyring
  run "$SANDBOX" run --help
  expect_contains --bundle --detach --pid-file --keep --no-subreaper
  run "$SANDBOX" list --help
  expect_contains --format --quiet
  run "$SANDBOX" kill --help
  expect_contains --all
  run "$SANDBOX" delete --help
  expect_contains --force
  run "$SANDBOX" spec --help
  expect_contains --bundle --rootless
  run "$SANDBOX" --help
  expect_contains --root --log --log-format --debug --systemd-cgroup --rootless --cgroup-manager
}

@test "an unknown command or flag fails" {
  run sb frobnicate
  [ "$status" -ne 0 ] || { show_output; false; }
  run sb list --frobnicate
  [ "$status" -ne 0 ] || { show_output; false; }
  run sb --log-format xml list
  [ "$status" -ne 0 ] || { show_output; false; }
}

@test "the global flags engines pass are accepted" {
  run sb --debug list
  expect_status 0
  run sb --systemd-cgroup list
  expect_status 0
  local v
  for v in true false auto; do
    run sb --rootless "$v" list
    expect_status 0
    run sb "--rootless=$v" list
    expect_status 0
  done
  for v in cgroupfs disabled; do
    run sb --cgroup-manager "$v" list
    expect_status 0
  done
  run sb --log "$TEST_DIR/log.json" --log-format=json list
  expect_status 0
}

@test "--log FILE --log-format json: one JSON error record, and the error on stderr" {
  local log=$TEST_DIR/log.json
  run --separate-stderr sb --log "$log" --log-format json state missing-id
  expect_status 1
  [[ "$stderr" == *"does not exist"* ]] || { show_output; false; }
  [ -f "$log" ] || { echo "no log file"; false; }
  [ "$(wc -l <"$log")" -eq 1 ] || { echo "log:"; cat "$log"; false; }
  jq -e 'type == "object" and .level == "error" and (.msg | contains("does not exist"))' "$log" ||
    { cat "$log"; false; }
  local t
  t=$(jq -r .time "$log")
  [[ "$t" =~ $RFC3339_RE ]] || { echo "time is not RFC3339: $t"; false; }
}

@test "--log appends: one record per failing command" {
  local log=$TEST_DIR/log.json
  run sb --log "$log" --log-format json state missing-1
  expect_status 1
  run sb --log "$log" --log-format json delete missing-2
  expect_status 1
  [ "$(wc -l <"$log")" -eq 2 ] || { cat "$log"; false; }
  jq -se 'length == 2 and all(.level == "error")' "$log" ||
    { cat "$log"; false; }
}

@test "--log FILE --log-format text writes level=error" {
  local log=$TEST_DIR/log.txt
  run --separate-stderr sb --log "$log" --log-format text state missing-id
  expect_status 1
  [[ "$stderr" == *"does not exist"* ]] || { show_output; false; }
  grep -q 'level=error' "$log" || { cat "$log"; false; }
  grep -q 'does not exist' "$log" || { cat "$log"; false; }
}

@test "--debug and --log-format text records are runc's: time=\"...\" level=debug msg=\"...\"" {
  make_bundle
  set_args true
  # On stderr (no --log) and in a --log file alike.
  run --separate-stderr sb --debug run --bundle "$BUNDLE" c1
  expect_status 0
  local line
  line=$(grep -m1 'level=debug' <<<"$stderr") || { echo "$stderr"; false; }
  [[ "$line" =~ ^time=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\"\ level=debug\ msg=\".+\"$ ]] ||
    { echo "not runc's form: $line"; false; }
  grep -q 'level=debug msg="container c1 exited with code 0"' <<<"$stderr" || { echo "$stderr"; false; }
  local log=$TEST_DIR/log.txt
  run --separate-stderr sb --debug --log "$log" --log-format text run --bundle "$BUNDLE" c2
  expect_status 0
  grep -q '^time="[^"]*" level=debug msg="container c2 exited with code 0"$' "$log" ||
    { cat "$log"; false; }
  # Quotes inside the message are escaped, as logrus (Go's %q) does.
  run --separate-stderr sb --log "$log" --log-format text state missing-id
  grep -q '^time="[^"]*" level=error msg="container \\"missing-id\\" does not exist"$' "$log" ||
    { cat "$log"; false; }
}

@test "--log-format json records are runc's: level, msg, time in that order" {
  local log=$TEST_DIR/log.json
  make_bundle
  set_args true
  run --separate-stderr sb --debug --log "$log" --log-format json run --bundle "$BUNDLE" c1
  expect_status 0
  jq -se 'length > 0 and all(keys_unsorted == ["level", "msg", "time"])' "$log" >/dev/null ||
    { cat "$log"; false; }
  jq -se 'any(.level == "debug" and .msg == "container c1 exited with code 0")' "$log" >/dev/null ||
    { cat "$log"; false; }
  # Without --log, debug records go to stderr as JSON too.
  run --separate-stderr sb --debug --log-format json run --bundle "$BUNDLE" c2
  expect_status 0
  grep -q '^{"level":"debug","msg":"container c2 exited with code 0","time":"' <<<"$stderr" ||
    { echo "$stderr"; false; }
}

@test "without --log the error goes to stderr, nothing to stdout" {
  run --separate-stderr sb state missing-id
  expect_status 1
  [ -z "$output" ] || { show_output; false; }
  [[ "$stderr" == *"does not exist"* ]] || { show_output; false; }
}

@test "a successful command writes no error record" {
  local log=$TEST_DIR/log.json
  run sb --log "$log" --log-format json list
  expect_status 0
  if [ -s "$log" ]; then
    if jq -e 'select(.level == "error")' "$log" >/dev/null; then cat "$log"; false; fi
  fi
}

@test "an unknown command is named, with the list of commands, in one line" {
  run sb checkpoint c1
  expect_failure 'unknown command "checkpoint"'
  expect_contains "commands: spec, create, start, run, exec"
}

@test "an unknown flag is named in one line, exit 1, for the runtime and every command" {
  local words want
  # Each command with the flag where runc's parser sees it: before the id.
  for words in "--bogus list" "spec --bogus" "create --bogus c" "start --bogus c" \
    "run --bogus c" "exec --bogus c true" "exec -z c true" "ps --bogus c" "state --bogus c" \
    "list --bogus" "kill --bogus c" "delete --bogus c" "pause --bogus c" "resume --bogus c" \
    "update --bogus c" "events --bogus c" "features --bogus" "exec --bogus=1 c true"; do
    want=-bogus
    [[ "$words" != *" -z "* ]] || want=-z
    # shellcheck disable=SC2086
    run sb $words
    expect_status 1 || { echo "for: $words"; false; }
    expect_output "sandbox: flag provided but not defined: $want" || { echo "for: $words"; false; }
  done
  # runc's status is 1 even for exec, whose own failures are 255
  run sb exec --bogus-flag c true
  expect_status 1
  expect_output "sandbox: flag provided but not defined: -bogus-flag"
}

@test "flags after exec's command are the command's; -- ends the flags" {
  make_bundle
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" fx
  expect_status 0
  run sb exec fx sh -c 'echo "$@"' sh --bogus -z
  expect_status 0
  expect_output "--bogus -z"
  run sb exec -- fx echo --x
  expect_status 0
  expect_output "--x"
  run sb exec -e A=1 --env=B=2 -u 0 fx sh -c 'echo $A$B'
  expect_status 0
  expect_output "12"
  run sb kill fx KILL
  expect_status 0
  run sb delete -f fx
  expect_status 0
}

# flag_names TEXT: the long flag names a --help text lists (runc's and CLI11's layouts).
flag_names() { grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"$1" | sort -u; }

@test "every flag runc 1.1 lists for a command is in sandbox's --help for it" {
  command -v runc >/dev/null || skip "runc is not installed"
  local cmd runc_help ours flag missing=""
  for cmd in "" spec create start run exec ps state list kill delete pause resume update \
    events features; do
    # shellcheck disable=SC2086
    runc_help=$(runc $cmd --help 2>&1 | sed -n '/OPTIONS:/,$p')
    # shellcheck disable=SC2086
    ours=$("$SANDBOX" $cmd --help 2>&1)
    for flag in $(flag_names "$runc_help"); do
      [ "$flag" = --help ] || [ "$flag" = --version ] && [ -n "$cmd" ] && continue
      grep -qE -- "$flag([^a-z-]|\$)" <<<"$ours" || missing+=" ${cmd:-global}:$flag"
    done
  done
  [ -z "$missing" ] || { echo "missing:$missing"; false; }
}

@test "runc's spellings are accepted: update --cpu-share, --criu, exec --cgroup/--ignore-paused" {
  # Parsed, so the error is about the container, not the flag.
  run sb update --cpu-share 512 nosuch
  expect_failure 'container "nosuch" does not exist'
  run sb exec --ignore-paused --cgroup sub nosuch true
  expect_status 255
  expect_contains 'container "nosuch" does not exist'
  run sb --criu /usr/sbin/criu list
  expect_status 0
  run sb update --l3-cache-schema L3:0=f nosuch
  expect_failure "Intel RDT is not supported"
  run sb update --mem-bw-schema MB:0=100 nosuch
  expect_failure "Intel RDT is not supported"
}

@test "update -r: a file that cannot be read is named with its errno, not called invalid JSON" {
  # Read through the one file reader (sys/file_io): the read error is the reason.
  run sb update -r "$TEST_DIR" nosuch
  expect_failure "update: read $TEST_DIR: is a directory"
  run sb update -r "$TEST_DIR/missing.json" nosuch
  expect_failure "update: open $TEST_DIR/missing.json: no such file or directory"
}

# record_dirs ID: the container's cgroup directories as its state keeps them (cgroup2 first).
record_dirs() {
  jq -r '.cgroup | select(. != null and (.driver // "") != "") | ([.v2] + [.v1[]?]) | map(select(. != "")) | unique[]' \
    "$ROOT/$1/state.json"
}
# make_sub_cgroups ID NAME: NAME below each of the container's cgroups (a v1 cpuset gets its
# parent's cpus and mems, without which it takes no process).
make_sub_cgroups() {
  local d
  for d in $(record_dirs "$1"); do
    mkdir -p "$d/$2"
    [ ! -f "$d/cpuset.cpus" ] || cat "$d/cpuset.cpus" >"$d/$2/cpuset.cpus"
    [ ! -f "$d/cpuset.mems" ] || cat "$d/cpuset.mems" >"$d/$2/cpuset.mems"
  done
}
remove_sub_cgroups() {
  local d
  for d in $(record_dirs "$1"); do rmdir "$d/$2" 2>/dev/null || true; done
}
# in_procs DIR PID: PID is a member of the cgroup DIR.
in_procs() { grep -qx "$2" "$1/cgroup.procs"; }

@test "exec --cgroup: the process runs in the sub-cgroup named, per hierarchy or per controller" {
  make_bundle
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" cg
  expect_status 0
  # refused clearly, whatever the host: a path out of the container's cgroup
  run sb exec --cgroup ../escape cg true
  expect_status 255
  expect_contains "not a sub cgroup path"
  if [ -z "$(record_dirs cg)" ]; then
    # rootless here: no cgroup of its own, so there is no sub-cgroup to go to
    run sb exec --cgroup sub cg true
    expect_status 255
    expect_contains "the container has no cgroup of its own"
    run sb delete -f cg
    return 0
  fi
  run sb exec --cgroup sub cg true
  expect_status 255
  expect_contains "no such cgroup"
  make_sub_cgroups cg sub
  run sbd exec -d --pid-file "$TEST_DIR/sub.pid" --cgroup sub cg sleep 300
  expect_status 0
  local d sub_pid ctl
  sub_pid=$(cat "$TEST_DIR/sub.pid")
  for d in $(record_dirs cg); do
    in_procs "$d/sub" "$sub_pid" || { echo "$sub_pid not in $d/sub"; false; }
  done
  kill -9 "$sub_pid"
  # per controller (v1): that controller's sub-cgroup, the container's own everywhere else
  ctl=$(jq -r '.cgroup.v1 // {} | keys[0] // ""' "$ROOT/cg/state.json")
  if [ -n "$ctl" ]; then
    run sbd exec -d --pid-file "$TEST_DIR/ctl.pid" --cgroup "$ctl:sub" cg sleep 300
    expect_status 0
    sub_pid=$(cat "$TEST_DIR/ctl.pid")
    local ctl_dir
    ctl_dir=$(jq -r --arg c "$ctl" '.cgroup.v1[$c]' "$ROOT/cg/state.json")
    in_procs "$ctl_dir/sub" "$sub_pid" || { echo "$sub_pid not in $ctl_dir/sub"; false; }
    d=$(jq -r '.cgroup.v2' "$ROOT/cg/state.json")
    [ -z "$d" ] || in_procs "$d" "$sub_pid" || { echo "$sub_pid not in $d"; false; }
    kill -9 "$sub_pid"
  fi
  run sb exec --cgroup nosuchctl:sub cg true
  expect_status 255
  expect_contains "unknown controller nosuchctl"
  wait_for 10 pid_gone "$sub_pid"
  sleep 0.2
  remove_sub_cgroups cg sub
  run sb delete -f cg
  expect_status 0
}

@test "exec into a paused container needs --ignore-paused, and then waits for resume" {
  is_root || skip "pause needs the container's own cgroup (root here)"
  make_bundle
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" pz
  expect_status 0
  run sb pause pz
  expect_status 0
  run sb exec pz true
  expect_status 255
  expect_contains "--ignore-paused"
  sb exec --ignore-paused pz echo thawed >"$TEST_DIR/out" 2>&1 &
  local exec_pid=$!
  sleep 1
  expect_is "$(cat "$TEST_DIR/out")" ""
  run sb resume pz
  expect_status 0
  wait "$exec_pid"
  expect_is "$(cat "$TEST_DIR/out")" thawed
  run sb delete -f pz
  expect_status 0
}
