#!/usr/bin/env bats
# Bad input: each is exit 1, one line of error, and nothing left behind, through both create
# and run.

load helpers

setup() {
  common_setup
  make_bundle
  # Short: should a bad input wrongly start, a foreground run still ends.
  set_args sleep 7
}

# expect_bad_input PHRASE: create and run both fail with PHRASE and leave nothing behind.
expect_bad_input() {
  local phrase=$1
  run sbd create --bundle "$BUNDLE" bad1
  expect_failure "$phrase"
  assert_no_leftovers bad1
  run sb run --bundle "$BUNDLE" bad2
  expect_failure "$phrase"
  assert_no_leftovers bad2
  run sbd run -d --bundle "$BUNDLE" bad3
  expect_failure "$phrase"
  assert_no_leftovers bad3
  # The state root is as empty as it was.
  [ -z "$(ls -A "$ROOT")" ] || { ls -la "$ROOT"; return 1; }
}

@test "config.json that is not JSON: not valid JSON" {
  echo '{ "ociVersion": "1.2.0", ' >"$BUNDLE/config.json"
  expect_bad_input "not valid JSON"
}

@test "a missing config.json" {
  rm "$BUNDLE/config.json"
  expect_bad_input "config.json"
}

@test "a config.json of the wrong shape names the field" {
  set_config '.process.args = "sleep 7"'
  expect_bad_input "process.args"
}

@test "a missing rootfs: root.path" {
  rm -rf "$BUNDLE/rootfs"
  expect_bad_input "root.path"
}

@test "a root.path that does not exist: root.path" {
  set_config '.root.path = "no-such-rootfs"'
  expect_bad_input "root.path"
}

@test "an unknown namespace type: linux.namespaces" {
  set_config '.linux.namespaces += [{"type": "bogus"}]'
  expect_bad_input "linux.namespaces"
}

@test "an impossible uid mapping: linux.uidMappings" {
  ensure_namespace user
  if is_root; then
    # Root may map anything, but not overlapping ranges.
    set_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000},
                                      {"containerID": 10, "hostID": 200000, "size": 1000}]
                | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
  else
    # A host range /etc/subuid does not grant.
    set_config '.linux.uidMappings = [{"containerID": 0, "hostID": 5000000, "size": 1}]'
  fi
  expect_bad_input "linux.uidMappings"
}

@test "an impossible gid mapping: linux.gidMappings" {
  ensure_namespace user
  if is_root; then
    set_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
                | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000},
                                        {"containerID": 10, "hostID": 200000, "size": 1000}]'
  else
    set_config '.linux.gidMappings = [{"containerID": 0, "hostID": 5000000, "size": 1}]'
  fi
  expect_bad_input "linux.gidMappings"
}

@test "an impossible mapping of a subordinate range: linux.uidMappings" {
  is_root && skip "root is not bound by /etc/subuid"
  set_config '.linux.uidMappings = [{"containerID": 0, "hostID": '"$(id -u)"', "size": 1},
                                    {"containerID": 1, "hostID": 5000000, "size": 65536}]'
  expect_bad_input "linux.uidMappings"
}

@test "an rlimit above the hard limit: RLIMIT_NOFILE" {
  [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -lt 1000000 ] ||
    skip "the caller's hard limit is already $(ulimit -Hn)"
  set_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000000, "hard": 1000000}]'
  expect_bad_input "RLIMIT_NOFILE"
}

@test "an unknown rlimit type" {
  set_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
  expect_bad_input "RLIMIT_BOGUS"
}

@test "a binary that does not exist: no such file or directory" {
  set_args /nope
  expect_bad_input "no such file or directory"
}

@test "a command not in PATH: executable file not found in \$PATH" {
  set_args nope
  expect_bad_input 'executable file not found in $PATH'
}

@test "a file that is not executable: permission denied" {
  set_args /etc/passwd
  expect_bad_input "permission denied"
}

@test "a directory as the binary" {
  set_args /bin/
  run sb run --bundle "$BUNDLE" bad1
  expect_status 1
  expect_one_line
  assert_no_leftovers bad1
}

@test "an id already in use: already exists, and the existing container still works" {
  set_args sleep 100
  sbd run -d --bundle "$BUNDLE" dup
  local pid
  pid=$(pid_of dup)
  run sbd create --bundle "$BUNDLE" dup
  expect_failure "already exists"
  run sb run --bundle "$BUNDLE" dup
  expect_failure "already exists"
  run sbd run -d --bundle "$BUNDLE" dup
  expect_failure "already exists"
  # The first one is untouched.
  expect_eq "status" running "$(status_of dup)"
  expect_eq "pid" "$pid" "$(pid_of dup)"
  pid_alive "$pid"
  run sb kill dup KILL
  expect_status 0
  wait_status dup stopped
  run sb delete dup
  expect_status 0
  assert_no_leftovers dup
}

@test "an invalid id: invalid container id" {
  local id
  for id in a/b .. . ../escape 'sp ace' 'x*' ''; do
    run sbd create --bundle "$BUNDLE" -- "$id"
    expect_failure "invalid container id" || { echo "id: '$id'"; false; }
  done
  [ -z "$(ls -A "$ROOT")" ] || { ls -la "$ROOT"; false; }
  [ ! -e "$TEST_DIR/escape" ]
  for id in a/b .. ../escape; do
    run sb state -- "$id"
    expect_failure "invalid container id"
    run sb delete -f -- "$id"
    expect_failure "invalid container id"
  done
}

@test "an unknown id for state, start, kill, delete: does not exist" {
  local cmd
  for cmd in state start kill delete; do
    run sb "$cmd" nope-id
    expect_failure "does not exist"
  done
}

@test "a failing create writes no pid file and leaves a good container alone" {
  local good
  good=$(new_bundle good)
  CONFIG=$good/config.json set_args sleep 100
  sbd run -d --bundle "$good" ok
  set_args /nope
  run sbd create --bundle "$BUNDLE" --pid-file "$TEST_DIR/bad.pid" bad
  expect_failure "no such file or directory"
  [ ! -e "$TEST_DIR/bad.pid" ]
  expect_eq "the good one" running "$(status_of ok)"
}

@test "errors are also recorded with --log --log-format json" {
  set_args /nope
  local log=$TEST_DIR/log.json
  run sbd --log "$log" --log-format json create --bundle "$BUNDLE" bad
  expect_failure "no such file or directory"
  [ "$(wc -l <"$log")" -eq 1 ] || { cat "$log"; false; }
  jq -e '.level == "error" and (.msg | contains("no such file or directory"))' "$log" ||
    { cat "$log"; false; }
}
