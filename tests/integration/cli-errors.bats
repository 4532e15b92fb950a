#!/usr/bin/env bats
# Errors of the command line itself (issue 14): an empty --root, a --log that cannot be opened,
# and errors that stay one line whatever an id or a config value quotes.

load helpers

setup() {
  common_setup
  make_bundle
}

@test "--root \"\" is an error, not the default root" {
  run --separate-stderr timeout 30 "$SANDBOX" --root "" list
  expect_status 1
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  [[ "$stderr" == *"--root"* ]] || { echo "stderr: $stderr"; false; }
  expect_eq "stdout" "" "$output"
  run --separate-stderr timeout 30 "$SANDBOX" --root= list
  expect_status 1
  [[ "$stderr" == *"--root"* ]] || { echo "stderr: $stderr"; false; }
}

@test "a --log file that cannot be opened is an error: one line naming it, exit 1" {
  local log=$TEST_DIR/no/such/dir/log.json
  run --separate-stderr sb --log "$log" --log-format json list
  expect_status 1
  expect_eq "stdout" "" "$output"
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  [[ "$stderr" == "sandbox: open $log: "* ]] || { echo "stderr: $stderr"; false; }
  # A directory is not a log file either.
  run --separate-stderr sb --log "$TEST_DIR" list
  expect_status 1
  [[ "$stderr" == *"open $TEST_DIR: "* ]] || { echo "stderr: $stderr"; false; }
}

@test "an id with a newline: the error stays one line, the newline escaped" {
  run --separate-stderr sb state $'bad\nid'
  expect_status 1
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  [[ "$stderr" == *'bad\nid'* ]] || { echo "stderr: $stderr"; false; }
}

@test "a mount type and option with newlines: create's error stays one line" {
  add_tmpfs /x
  set_config '.mounts[-1].type = "no\nsuch" | .mounts[-1].options = ["bogus\noption"]'
  run --separate-stderr sbd create c1
  expect_status 1
  expect_one_line
  expect_contains '\n'
  assert_no_leftovers c1
}

@test "with --log json the record is one line and so is the copy on stderr" {
  local log=$TEST_DIR/log.json
  run --separate-stderr sb --log "$log" --log-format json state $'bad\nid'
  expect_status 1
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  expect_eq "log lines" 1 "$(wc -l <"$log")"
  jq -e '.msg | contains("bad\nid")' "$log" || { cat "$log"; false; }
  run --separate-stderr sb --log "$log" --log-format text state $'bad\nid'
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  expect_eq "log lines" 2 "$(wc -l <"$log")"
}

@test "a helper program's failure is in the error: newuidmap's stderr and its exit status" {
  is_root && skip "root writes the id maps itself"
  have_subid_ranges || skip "no subordinate id range for $(id -un)"
  ensure_namespace user
  # 341 extents, all granted, one more than the kernel takes: newuidmap itself fails.
  local start maps
  start=$(subid_range /etc/subuid | cut -d' ' -f1)
  maps=$(jq -n --argjson u "$(id -u)" --argjson s "$start" \
    '[{containerID: 0, hostID: $u, size: 1}] + [range(1; 341) | {containerID: ., hostID: ($s + .), size: 1}]')
  set_config '.linux.uidMappings = $m' --argjson m "$maps"
  run sbd create c1
  expect_status 1
  expect_one_line
  expect_contains "newuidmap: exit status 1: " "uid_map"
  assert_no_leftovers c1
}

@test "a helper program's failure is in the error: ps's stderr and its exit status" {
  set_args sleep 600
  sbd run -d c1
  run --separate-stderr sb ps c1 -o no-such-field
  expect_status 1
  expect_eq "stderr lines" 1 "${#stderr_lines[@]}"
  [[ "$stderr" == *"ps -o no-such-field: exit status 1: "?* ]] || { echo "stderr: $stderr"; false; }
  sb delete -f c1
}
