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
