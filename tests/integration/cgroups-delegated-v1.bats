#!/usr/bin/env bats
# The cgroupfs driver, rootless, on cgroup v1 controllers delegated by ownership: run-suite.sh
# chowns $SANDBOX_IT_CGROUP in every v1 hierarchy to the test user (as runc's rootless tests
# and some CI runners set it up) and runs the suite in $SANDBOX_IT_CGROUP/runner; cgroup2 is
# not delegated. runc uses such hierarchies for limits, pause, update and ps; so does sandbox.
# As root the same lifecycle runs on cgroupfs with every hierarchy.

load helpers

setup() {
  common_setup
  [ "${SANDBOX_IT_CGROUP_PLACEMENT:-}" = test ] || skip "run-suite.sh did not delegate a cgroup"
  is_root || [ "${SANDBOX_IT_V1_DELEGATED:-}" = yes ] || skip "no v1 delegation"
  [ -n "$(v1_mount pids)" ] && [ -n "$(v1_mount freezer)" ] || skip "no v1 pids and freezer hierarchies"
  make_bundle
  add_bind "$HOSTDIR" /host
}

@test "delegated v1: limits, update, ps, pause/resume, kill --all and delete in the user's v1 cgroups" {
  set_resources '{"pids": {"limit": 20}, "memory": {"limit": 67108864}}'
  counter_args /host/count
  run sbd run -d --bundle "$BUNDLE" v1a
  expect_status 0
  local pid path pids freezer mem
  pid=$(pid_of v1a)
  path=$SANDBOX_IT_CGROUP/runner/v1a
  pids=$(v1_mount pids)$path
  freezer=$(v1_mount freezer)$path
  mem=$(v1_mount memory)$path
  expect_is "$(cgroup_of "$pid" pids)" "$path"
  expect_is "$(cgroup_of "$pid" freezer)" "$path"
  expect_is "$(cat "$pids/pids.max")" 20
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 67108864
  is_root || expect_is "$(stat -c %u "$pids")" "$(id -u)"
  run sb update --pids-limit 30 v1a
  expect_status 0
  expect_is "$(cat "$pids/pids.max")" 30
  run sbd exec -d v1a sleep 300
  expect_status 0
  wait_for 10 sh -c "[ \$(wc -l < $pids/cgroup.procs) -ge 3 ]"
  wait_for 10 test -s "$HOSTDIR/count"
  run sb pause v1a
  expect_status 0
  expect_is "$(cat "$freezer/freezer.state")" FROZEN
  expect_is "$(status_of v1a)" paused
  ! counter_moves "$HOSTDIR/count"
  run sb ps --format json v1a
  expect_status 0
  expect_is "$(jq -c . <<<"$output")" "$(sort -n "$pids/cgroup.procs" | jq -sc .)"
  run sb resume v1a
  expect_status 0
  expect_is "$(status_of v1a)" running
  counter_moves "$HOSTDIR/count"
  run sb kill --all v1a KILL
  expect_status 0
  wait_status v1a stopped
  run sb delete v1a
  expect_status 0
  [ ! -d "$pids" ]
  [ ! -d "$freezer" ]
  [ ! -d "$mem" ]
}

@test "delegated v1: a limit whose hierarchy is not delegated is a clear error, nothing left" {
  is_root && skip "rootless only"
  set_resources '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
  [ -z "$(v1_mount hugetlb)" ] || skip "this host has a v1 hugetlb hierarchy"
  set_args true
  run sbd run -d --bundle "$BUNDLE" v1b
  expect_failure hugepageLimits
  expect_is "$(sb list -q)" ""
  [ ! -d "$(v1_mount pids)$SANDBOX_IT_CGROUP/runner/v1b" ]
}
