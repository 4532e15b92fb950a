#!/usr/bin/env bats
# The state root (--root and its default), and commands running concurrently.

load helpers

setup() {
  common_setup
  make_bundle
  set_args sleep 100
}

@test "a missing --root is created 0700, with its parents" {
  local r=$TEST_DIR/new/state-root
  EXTRA_ROOTS+=("$r")
  run detached "$SANDBOX" --root "$r" create --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "mode of the root" 700 "$(stat -c %a "$r")"
  expect_eq "owner of the root" "$(id -u)" "$(stat -c %u "$r")"
  [ -d "$r/c1" ]
  expect_eq "status" created "$("$SANDBOX" --root "$r" state c1 | jq -r .status)"
  "$SANDBOX" --root "$r" delete -f c1
  [ ! -e "$r/c1" ]
}

@test "the container's state lives in <root>/<id>/ and goes with delete" {
  sbd create --bundle "$BUNDLE" c1
  [ -d "$ROOT/c1" ]
  run sb delete -f c1
  expect_status 0
  [ ! -e "$ROOT/c1" ]
  [ -z "$(ls -A "$ROOT")" ] || { ls -la "$ROOT"; false; }
}

@test "a --root that is a symlink is refused" {
  local real=$TEST_DIR/real-root link=$TEST_DIR/link-root
  mkdir -m 700 "$real"
  ln -s "$real" "$link"
  run "$SANDBOX" --root "$link" list
  expect_failure "symlink"
  run detached "$SANDBOX" --root "$link" create --bundle "$BUNDLE" c1
  expect_failure "symlink"
  [ -z "$(ls -A "$real")" ] || { ls -la "$real"; false; }
}

@test "a --root owned by another user is refused" {
  # run-suite.sh makes FOREIGN_ROOT: owned by the test user when we are root, by root when we
  # are the test user.
  [ -n "${FOREIGN_ROOT:-}" ] && [ -d "$FOREIGN_ROOT" ] || skip "FOREIGN_ROOT not provided"
  [ "$(stat -c %u "$FOREIGN_ROOT")" != "$(id -u)" ] || skip "FOREIGN_ROOT is ours"
  run "$SANDBOX" --root "$FOREIGN_ROOT" list
  expect_failure "owned by"
  run detached "$SANDBOX" --root "$FOREIGN_ROOT" create --bundle "$BUNDLE" c1
  expect_failure "owned by"
  if is_root; then
    [ -z "$(ls -A "$FOREIGN_ROOT")" ] || { ls -la "$FOREIGN_ROOT"; false; }
  fi
}

@test "a --root writable by other users is refused" {
  local r=$TEST_DIR/open-root
  mkdir "$r"
  chmod 777 "$r"
  run "$SANDBOX" --root "$r" list
  expect_failure "writable"
}

@test "a --root that is not a directory is refused" {
  local r=$TEST_DIR/file-root
  touch "$r"
  run "$SANDBOX" --root "$r" list
  expect_status 1
  expect_one_line
}

@test "the default root: /run/sandbox for root, /tmp/sandbox-<uid> for a user without XDG_RUNTIME_DIR" {
  local id=dflt-$$-$RANDOM expected
  if is_root; then
    expected=/run/sandbox
  else
    expected=/tmp/sandbox-$(id -u)
  fi
  run env -u XDG_RUNTIME_DIR "$SANDBOX" list
  expect_status 0
  EXTRA_ROOTS+=("$expected")
  run detached env -u XDG_RUNTIME_DIR "$SANDBOX" create --bundle "$BUNDLE" "$id"
  expect_status 0
  [ -d "$expected/$id" ] || { echo "no $expected/$id"; ls -la "$expected"; false; }
  expect_eq "mode of $expected" 700 "$(stat -c %a "$expected")"
  expect_eq "owner of $expected" "$(id -u)" "$(stat -c %u "$expected")"
  run env -u XDG_RUNTIME_DIR "$SANDBOX" list -q
  expect_contains "$id"
  run env -u XDG_RUNTIME_DIR "$SANDBOX" delete -f "$id"
  expect_status 0
  [ ! -e "$expected/$id" ]
}

@test "the default root with XDG_RUNTIME_DIR: \$XDG_RUNTIME_DIR/sandbox for a user, ignored for root" {
  local xdg=$TEST_DIR/xdg id=xdg-$$-$RANDOM expected
  mkdir -m 700 "$xdg"
  if is_root; then
    expected=/run/sandbox
  else
    expected=$xdg/sandbox
  fi
  EXTRA_ROOTS+=("$expected")
  run env XDG_RUNTIME_DIR="$xdg" "$SANDBOX" list
  expect_status 0
  run detached env XDG_RUNTIME_DIR="$xdg" "$SANDBOX" create --bundle "$BUNDLE" "$id"
  expect_status 0
  [ -d "$expected/$id" ] || { echo "no $expected/$id"; false; }
  expect_eq "mode of $expected" 700 "$(stat -c %a "$expected")"
  if is_root; then
    [ ! -e "$xdg/sandbox" ] || { echo "root used XDG_RUNTIME_DIR"; false; }
  fi
  run env XDG_RUNTIME_DIR="$xdg" "$SANDBOX" delete -f "$id"
  expect_status 0
  [ ! -e "$expected/$id" ]
}

@test "an XDG_RUNTIME_DIR the user cannot use falls back to /tmp/sandbox-<uid>" {
  is_root && skip "root always uses /run/sandbox"
  local id=xdgbad-$$-$RANDOM expected=/tmp/sandbox-$(id -u)
  EXTRA_ROOTS+=("$expected")
  # /run/user/<uid> does not exist on this machine; a relative path is not usable either.
  run detached env XDG_RUNTIME_DIR="$TEST_DIR/does-not-exist" "$SANDBOX" create --bundle "$BUNDLE" "$id"
  expect_status 0
  [ -d "$expected/$id" ] || { echo "no $expected/$id"; false; }
  [ ! -e "$TEST_DIR/does-not-exist" ]
  env XDG_RUNTIME_DIR="$TEST_DIR/does-not-exist" "$SANDBOX" delete -f "$id"
}

@test "commands on different ids run concurrently" {
  local i pids=() rc
  for i in 1 2 3 4; do
    sb create --bundle "$BUNDLE" "c$i" </dev/null >"$TEST_DIR/create$i.out" 2>&1 3>&- &
    pids+=($!)
  done
  for i in 0 1 2 3; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    expect_eq "create c$((i + 1))" 0 "$rc" || { cat "$TEST_DIR/create$((i + 1)).out"; false; }
  done
  run sb list -q
  expect_eq "containers" "c1 c2 c3 c4" "$(printf '%s\n' "${lines[@]}" | sort | xargs)"
  pids=()
  for i in 1 2 3 4; do
    sb delete -f "c$i" >"$TEST_DIR/delete$i.out" 2>&1 3>&- &
    pids+=($!)
  done
  for i in 0 1 2 3; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    expect_eq "delete c$((i + 1))" 0 "$rc" || { cat "$TEST_DIR/delete$((i + 1)).out"; false; }
  done
  [ -z "$(ls -A "$ROOT")" ] || { ls -la "$ROOT"; false; }
}

@test "two runs of different ids in parallel both succeed" {
  set_args sh -c 'sleep 1; hostname'
  local rc1=0 rc2=0
  sb run --bundle "$BUNDLE" r1 </dev/null >"$TEST_DIR/r1.out" 2>&1 3>&- &
  local j1=$!
  sb run --bundle "$BUNDLE" r2 </dev/null >"$TEST_DIR/r2.out" 2>&1 3>&- &
  local j2=$!
  wait "$j1" || rc1=$?
  wait "$j2" || rc2=$?
  expect_eq "r1" 0 "$rc1" || { cat "$TEST_DIR/r1.out"; false; }
  expect_eq "r2" 0 "$rc2" || { cat "$TEST_DIR/r2.out"; false; }
  expect_eq "r1 output" sandbox "$(cat "$TEST_DIR/r1.out")"
  expect_eq "r2 output" sandbox "$(cat "$TEST_DIR/r2.out")"
  assert_no_leftovers r1
  assert_no_leftovers r2
}

@test "the same id created concurrently: exactly one wins" {
  local i pids=() ok=0 rc
  for i in 1 2 3; do
    sb create --bundle "$BUNDLE" same </dev/null >"$TEST_DIR/same$i.out" 2>&1 3>&- &
    pids+=($!)
  done
  for i in 0 1 2; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    if [ "$rc" -eq 0 ]; then
      ok=$((ok + 1))
    else
      grep -q "already exists" "$TEST_DIR/same$((i + 1)).out" || { cat "$TEST_DIR/same$((i + 1)).out"; false; }
    fi
  done
  expect_eq "successful creates" 1 "$ok"
  expect_eq "status" created "$(status_of same)"
  run sb list -q
  expect_output same
}
