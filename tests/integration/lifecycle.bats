#!/usr/bin/env bats
# create / start / state / list / kill / delete.

load helpers

# A container that records that it started and which signal stopped it, in $HOSTDIR
# (bind-mounted at /host). `wait` returns as soon as the trapped TERM arrives.
SERVICE='echo started >/host/started; trap "echo TERM >/host/signal; exit 0" TERM; sleep 100 & wait'

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
  set_args sh -c "$SERVICE"
}

@test "create: the container is created and nothing of its process runs until start" {
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "status after create" created "$(status_of c1)"
  local pid
  pid=$(pid_of c1)
  [ "$pid" -gt 0 ]
  pid_alive "$pid"
  sleep 0.5
  [ ! -e "$HOSTDIR/started" ] || { echo "the process ran before start"; false; }

  run sb start c1
  expect_status 0
  wait_for 10 test -e "$HOSTDIR/started"
  expect_eq "status after start" running "$(status_of c1)"
  expect_eq "pid after start" "$pid" "$(pid_of c1)"
}

@test "start on a running container fails: not in created state" {
  sbd create --bundle "$BUNDLE" c1
  sb start c1
  run sb start c1
  expect_failure "not in created state"
  expect_eq "status" running "$(status_of c1)"
}

@test "state prints the OCI state JSON" {
  sbd create --bundle "$BUNDLE" c1
  run --separate-stderr sb state c1
  expect_status 0
  local s=$output
  jq -e . <<<"$s" >/dev/null || { show_output; false; }
  expect_eq id c1 "$(jq -r .id <<<"$s")"
  expect_eq status created "$(jq -r .status <<<"$s")"
  [[ "$(jq -r .ociVersion <<<"$s")" == 1.* ]] || { show_output; false; }
  [ "$(jq -r .pid <<<"$s")" -gt 0 ]
  expect_eq bundle "$BUNDLE" "$(jq -r .bundle <<<"$s")"
  expect_eq rootfs "$BUNDLE/rootfs" "$(jq -r .rootfs <<<"$s")"
  local created
  created=$(jq -r .created <<<"$s")
  [[ "$created" =~ $RFC3339_RE ]] || { echo "created is not RFC3339: $created"; false; }
  jq -e 'has("owner")' <<<"$s" >/dev/null || { show_output; false; }

  sb start c1
  expect_eq status running "$(status_of c1)"
  sb kill c1 KILL
  wait_status c1 stopped
  run --separate-stderr sb state c1
  expect_status 0
  expect_eq "pid when stopped" 0 "$(jq -r .pid <<<"$output")"
  expect_eq "created stays" "$created" "$(jq -r .created <<<"$output")"
}

@test "a relative --bundle is stored as an absolute path" {
  cd "$TEST_DIR"
  run sbd create --bundle bundle c1
  expect_status 0
  expect_eq bundle "$BUNDLE" "$(state_of c1 | jq -r .bundle)"
  cd "$BUNDLE"
  run sbd create c2
  expect_status 0
  expect_eq "bundle defaults to the current directory" "$BUNDLE" "$(state_of c2 | jq -r .bundle)"
}

@test "list: a table with a header, --format json, -q" {
  sbd create --bundle "$BUNDLE" c1
  sbd create --bundle "$BUNDLE" c2
  sb start c2
  local pid1 pid2
  pid1=$(pid_of c1)
  pid2=$(pid_of c2)

  run --separate-stderr sb list
  expect_status 0
  [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER\ *$ ]] || { show_output; false; }
  [ "${#lines[@]}" -eq 3 ] || { show_output; false; }
  local row
  row=$(printf '%s\n' "${lines[@]}" | awk '$1 == "c1"')
  [[ "$row" =~ ^c1\ +$pid1\ +created\ +$BUNDLE\ + ]] || { show_output; false; }
  row=$(printf '%s\n' "${lines[@]}" | awk '$1 == "c2"')
  [[ "$row" =~ ^c2\ +$pid2\ +running\ +$BUNDLE\ + ]] || { show_output; false; }

  run --separate-stderr sb list --format json
  expect_status 0
  jq -e 'type == "array" and length == 2' <<<"$output" >/dev/null || { show_output; false; }
  expect_eq "c1 in json" "created $pid1 $BUNDLE" \
    "$(jq -r '.[] | select(.id == "c1") | "\(.status) \(.pid) \(.bundle)"' <<<"$output")"
  expect_eq "c2 in json" "running $pid2 $BUNDLE" \
    "$(jq -r '.[] | select(.id == "c2") | "\(.status) \(.pid) \(.bundle)"' <<<"$output")"
  jq -e 'all(.[]; (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and (.owner | length > 0))' \
    <<<"$output" >/dev/null || { show_output; false; }

  # runc's key order (its state struct), for tools that read the text.
  expect_eq "list keys" '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' \
    "$(jq -c '.[0] | keys_unsorted' <<<"$output")"
  run --separate-stderr sb state c1
  expect_status 0
  expect_eq "state keys" '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' \
    "$(jq -c keys_unsorted <<<"$output")"

  run --separate-stderr sb list --format=json
  expect_status 0
  jq -e 'length == 2' <<<"$output" >/dev/null

  run --separate-stderr sb list -q
  expect_status 0
  expect_eq "list -q" "c1 c2" "$(printf '%s\n' "${lines[@]}" | sort | xargs)"
  run --separate-stderr sb list --quiet
  expect_status 0
  expect_eq "list --quiet" "c1 c2" "$(printf '%s\n' "${lines[@]}" | sort | xargs)"
}

@test "list on an empty root: header only, [] or null, nothing" {
  run --separate-stderr sb list
  expect_status 0
  [ "${#lines[@]}" -eq 1 ] || { show_output; false; }
  run --separate-stderr sb list --format json
  expect_status 0
  jq -e 'length == 0' <<<"$output" >/dev/null || { show_output; false; }
  run --separate-stderr sb list -q
  expect_status 0
  [ -z "$output" ] || { show_output; false; }
}

@test "kill sends TERM by default, and TERM, SIGTERM and 15 all work" {
  local sig id
  for sig in "" TERM SIGTERM 15; do
    id=term${sig:-default}
    rm -f "$HOSTDIR/signal" "$HOSTDIR/started"
    sbd run -d --bundle "$BUNDLE" "$id"
    wait_for 10 test -e "$HOSTDIR/started"
    if [ -z "$sig" ]; then
      run sb kill "$id"
    else
      run sb kill "$id" "$sig"
    fi
    expect_status 0
    wait_status "$id" stopped
    expect_eq "signal received for '$sig'" TERM "$(cat "$HOSTDIR/signal")"
    expect_eq "pid when stopped" 0 "$(pid_of "$id")"
    sb delete "$id"
  done
}

@test "kill KILL, 9 and SIGKILL all work" {
  local sig id pid
  set_args sleep 100
  for sig in KILL 9 SIGKILL; do
    id=kill$sig
    sbd run -d --bundle "$BUNDLE" "$id"
    expect_eq status running "$(status_of "$id")"
    pid=$(pid_of "$id")
    run sb kill "$id" "$sig"
    expect_status 0
    wait_status "$id" stopped
    wait_for 10 pid_gone "$pid"
    sb delete "$id"
  done
}

@test "kill a created container before start" {
  sbd create --bundle "$BUNDLE" c1
  local pid
  pid=$(pid_of c1)
  run sb kill c1 KILL
  expect_status 0
  wait_status c1 stopped
  wait_for 10 pid_gone "$pid"
  [ ! -e "$HOSTDIR/started" ]
  run sb start c1
  expect_status 1
  sb delete c1
}

@test "kill --all and -a signal every process of the container" {
  # The init (a shell without traps, pid 1) ignores TERM; its children do not.
  set_args sh -c 'sleep 100 & sleep 100 & echo started >/host/started; wait'
  sbd run -d --bundle "$BUNDLE" c1
  wait_for 10 test -e "$HOSTDIR/started"
  run sb kill --all c1 TERM
  expect_status 0
  wait_status c1 stopped

  rm -f "$HOSTDIR/started"
  sbd run -d --bundle "$BUNDLE" c2
  wait_for 10 test -e "$HOSTDIR/started"
  run sb kill -a c2 KILL
  expect_status 0
  wait_status c2 stopped
}

@test "kill on a stopped container fails: container not running" {
  set_args true
  sbd run -d --bundle "$BUNDLE" c1
  wait_status c1 stopped
  run sb kill c1 KILL
  expect_failure "container not running"
  run sb kill c1
  expect_failure "container not running"
}

@test "kill with an unknown signal fails" {
  sbd create --bundle "$BUNDLE" c1
  run sb kill c1 NOSUCHSIG
  expect_status 1
  expect_one_line
  run sb kill c1 999
  expect_status 1
  expect_eq "status" created "$(status_of c1)"
}

@test "delete of a running container without --force fails: is not stopped" {
  sbd run -d --bundle "$BUNDLE" c1
  run sb delete c1
  expect_failure "is not stopped"
  expect_eq "status" running "$(status_of c1)"
  [ -d "$ROOT/c1" ]
}

@test "delete --force kills a running container and removes it" {
  sbd run -d --bundle "$BUNDLE" c1
  local pid
  pid=$(pid_of c1)
  run sb delete --force c1
  expect_status 0
  wait_for 10 pid_gone "$pid"
  assert_no_leftovers c1
  run sb state c1
  expect_failure "does not exist"
}

@test "delete -f removes a created container" {
  sbd create --bundle "$BUNDLE" c1
  local pid
  pid=$(pid_of c1)
  run sb delete -f c1
  expect_status 0
  wait_for 10 pid_gone "$pid"
  assert_no_leftovers c1
  [ ! -e "$HOSTDIR/started" ]
}

@test "delete of a stopped container removes it" {
  set_args true
  sbd run -d --bundle "$BUNDLE" c1
  wait_status c1 stopped
  run sb delete c1
  expect_status 0
  assert_no_leftovers c1
}

@test "delete -f of a missing id is not an error; delete of a missing id is" {
  run sb delete -f missing-id
  expect_status 0
  run sb delete --force missing-id
  expect_status 0
  run sb delete missing-id
  expect_failure "does not exist"
}

@test "state, start, kill and delete of an unknown id: does not exist" {
  local cmd
  for cmd in state start kill delete; do
    run sb "$cmd" missing-id
    expect_failure "does not exist"
  done
  run sb kill missing-id KILL
  expect_failure "does not exist"
}

@test "the status follows the process: killed from outside, the container is stopped" {
  sbd run -d --bundle "$BUNDLE" c1
  local pid
  pid=$(pid_of c1)
  kill -KILL "$pid"
  wait_status c1 stopped
  expect_eq "pid when stopped" 0 "$(pid_of c1)"
  run sb delete c1
  expect_status 0
}

@test "kill ID 0 (and --all ID 0) checks that the container is alive, as runc's does" {
  set_args sleep 100
  sbd run -d --bundle "$BUNDLE" c1
  run sb kill c1 0
  expect_status 0
  run sb kill --all c1 0
  expect_status 0
  expect_eq status running "$(status_of c1)"
  sb kill c1 KILL
  wait_status c1 stopped
  run sb kill c1 0
  expect_failure "container not running"
}
