#!/usr/bin/env bats
# The cgroupfs driver on a delegated cgroup2 subtree, without systemd. run-suite.sh runs this
# suite in $SANDBOX_IT_CGROUP/runner; rootless, $SANDBOX_IT_CGROUP is delegated to the test
# user (chowned as systemd delegates), so the default cgroup of a container,
# $SANDBOX_IT_CGROUP/<id>, is one the user may make. As root the same lifecycle runs on
# cgroupfs with every hierarchy.

load helpers

setup() {
  common_setup
  [ "${SANDBOX_IT_CGROUP_PLACEMENT:-}" = test ] || skip "run-suite.sh did not delegate a cgroup"
  [ -n "$CGROUP2" ] || skip "no cgroup2 mount"
  make_bundle
  add_bind "$HOSTDIR" /host
}

@test "delegated cgroup2: the container gets its own cgroup beside the caller's" {
  set_args sleep 300
  run sbd --debug run -d --bundle "$BUNDLE" d1
  expect_status 0
  expect_contains "cgroupfs"
  local pid
  pid=$(pid_of d1)
  expect_is "$(cgroup_of "$pid")" "$SANDBOX_IT_CGROUP/d1"
  expect_is "$(cat "$CGROUP2$SANDBOX_IT_CGROUP/d1/cgroup.procs")" "$pid"
  is_root || expect_is "$(stat -c %u "$CGROUP2$SANDBOX_IT_CGROUP/d1")" "$(id -u)"
}

@test "delegated cgroup2: ps, exec, pause/resume, kill --all and delete work from the cgroup" {
  counter_args /host/count
  run sbd run -d --bundle "$BUNDLE" d2
  expect_status 0
  local dir=$CGROUP2$SANDBOX_IT_CGROUP/d2 pid
  pid=$(pid_of d2)
  wait_for 10 test -s "$HOSTDIR/count"
  run sbd exec -d d2 sleep 300
  expect_status 0
  # exec joined the container's cgroup
  wait_for 10 sh -c "[ \$(wc -l < $dir/cgroup.procs) -ge 3 ]"
  run sb pause d2
  expect_status 0
  # frozen, the list holds still: ps reads it from the cgroup
  run sb ps --format json d2
  expect_status 0
  expect_is "$(jq -c . <<<"$output")" "$(sort -n "$dir/cgroup.procs" | jq -sc .)"
  expect_is "$(status_of d2)" paused
  expect_eq "pid while paused" "$pid" "$(pid_of d2)"
  is_root || grep -qx "frozen 1" "$dir/cgroup.events"
  ! counter_moves "$HOSTDIR/count"
  run sb resume d2
  expect_status 0
  expect_is "$(status_of d2)" running
  counter_moves "$HOSTDIR/count"
  run sb kill --all d2 KILL
  expect_status 0
  wait_status d2 stopped
  wait_for 10 sh -c "[ -z \"\$(cat $dir/cgroup.procs)\" ]"
  run sb delete d2
  expect_status 0
  [ ! -d "$dir" ]
}

@test "delegated cgroup2: delete --force of a running container removes its cgroup" {
  set_args sh -c 'sleep 300 & sleep 300'
  run sbd run -d --bundle "$BUNDLE" d3
  expect_status 0
  [ -d "$CGROUP2$SANDBOX_IT_CGROUP/d3" ]
  run sb delete -f d3
  expect_status 0
  [ ! -d "$CGROUP2$SANDBOX_IT_CGROUP/d3" ]
  assert_no_leftovers d3
}

@test "delegated cgroup2: limits whose controller is not delegated are a clear error" {
  is_root && skip "rootless only: root writes this limit into the v1 pids hierarchy"
  grep -qw pids "$CGROUP2/cgroup.controllers" && skip "this host delegates the pids controller"
  set_resources '{"pids": {"limit": 10}}'
  set_args true
  run sb run --bundle "$BUNDLE" d4
  expect_status 1
  expect_one_line
  expect_contains "pids" "controller" "--cgroup-manager disabled"
  assert_no_leftovers d4
  [ ! -d "$CGROUP2$SANDBOX_IT_CGROUP/d4" ]
}

@test "delegated cgroup2: unified entries are written as given" {
  set_resources '{"unified": {"cgroup.max.descendants": "5"}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" d5
  expect_status 0
  expect_is "$(cat "$CGROUP2$SANDBOX_IT_CGROUP/d5/cgroup.max.descendants")" 5
  run sb update -r - d5 <<<'{"unified": {"cgroup.max.descendants": "9"}}'
  expect_status 0
  expect_is "$(cat "$CGROUP2$SANDBOX_IT_CGROUP/d5/cgroup.max.descendants")" 9
}

@test "delegated cgroup2: update with docker's zeros changes only what it names" {
  set_resources '{"unified": {"cgroup.max.descendants": "5"}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" dz
  expect_status 0
  run sb update -r - dz <<<'{"cpu": {"shares": 0, "quota": 0, "period": 0}, "memory": {"limit": 0, "swap": 0}, "pids": {"limit": 0}, "blockIO": {"weight": 0}, "unified": {"cgroup.max.descendants": "7"}}'
  expect_status 0
  expect_is "$(cat "$CGROUP2$SANDBOX_IT_CGROUP/dz/cgroup.max.descendants")" 7
}

@test "delegated cgroup2: an update that fails on its second write changes nothing" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" dfail
  expect_status 0
  local dir=$CGROUP2$SANDBOX_IT_CGROUP/dfail
  expect_is "$(cat "$dir/cgroup.max.depth")" max
  # cgroup.max.depth is written first (entries go in name order); the kernel refuses the second
  run sb update -r - dfail <<<'{"unified": {"cgroup.max.depth": "3", "cgroup.max.descendants": "lots"}}'
  expect_status 1
  expect_is "$(cat "$dir/cgroup.max.depth")" max
  expect_one_line
  expect_contains "cgroup.max.descendants" "nothing was changed"
  expect_is "$(cat "$dir/cgroup.max.descendants")" max
}

@test "delegated cgroup2: a container id taken twice does not touch the first one's cgroup" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" d6
  expect_status 0
  local pid
  pid=$(pid_of d6)
  run sb run --bundle "$BUNDLE" d6
  expect_status 1
  expect_contains "already exists"
  expect_is "$(cat "$CGROUP2$SANDBOX_IT_CGROUP/d6/cgroup.procs")" "$pid"
  pid_alive "$pid"
}

@test "delegated cgroup2: the cgroup mount shows the container's own cgroup2 directory, read-only" {
  jq -e '.mounts[] | select(.type == "cgroup")' config.json >/dev/null ||
    set_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
  local view=/sys/fs/cgroup ns id
  [ "$CGROUP2" = /sys/fs/cgroup ] || view=/sys/fs/cgroup/$(basename "$CGROUP2")
  # Writes are tried only where no cgroup below is visible (never into a host cgroup above).
  for ns in none cgroup; do
    id=dv-$ns
    [ "$ns" = none ] || ensure_namespace cgroup
    set_args sh -c "cd $view && ls | sort > /host/ls-$ns; [ -z \"\$(find . -mindepth 1 -type d)\" ] && { (echo \$\$ > cgroup.procs) 2>>/host/err-$ns; mkdir sub 2>>/host/err-$ns; }; echo done > /host/done-$ns; exec sleep 300"
    run sbd run -d --bundle "$BUNDLE" "$id"
    expect_status 0
    wait_for 10 test -s "$HOSTDIR/done-$ns"
    expect_is "$(cat "$HOSTDIR/ls-$ns")" "$(ls "$CGROUP2$SANDBOX_IT_CGROUP/$id" | sort)"
    [ ! -e "$CGROUP2$SANDBOX_IT_CGROUP/$id/sub" ]
    expect_is "$(grep -c 'Read-only file system' "$HOSTDIR/err-$ns")" 2
    run sb delete -f "$id"
    expect_status 0
  done
}

# container_dirs ID: the container's cgroup directories as its state keeps them (cgroup2, and
# as root the v1 hierarchies too).
container_dirs() {
  jq -r '.cgroup | ([.v2] + [.v1[]?]) | map(select(. != "")) | unique[]' "$ROOT/$1/state.json"
}

@test "delegated cgroup2: exec --cgroup runs the process in the sub-cgroup named" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" d6
  expect_status 0
  local d pid
  run sb exec --cgroup sub d6 true
  expect_status 255
  expect_contains "no such cgroup"
  for d in $(container_dirs d6); do
    mkdir "$d/sub"
    # a new v1 cpuset takes no process until it has cpus and mems
    [ ! -f "$d/cpuset.cpus" ] || cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
    [ ! -f "$d/cpuset.mems" ] || cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
  done
  run sbd exec -d --pid-file "$TEST_DIR/sub.pid" --cgroup /sub d6 sleep 300
  expect_status 0
  pid=$(cat "$TEST_DIR/sub.pid")
  expect_is "$(cgroup_of "$pid")" "$SANDBOX_IT_CGROUP/d6/sub"
  if [ "$(jq '.cgroup.v1 // {} | length' "$ROOT/d6/state.json")" = 0 ]; then
    # cgroup2 alone: a controller prefix names nothing of the container's
    run sb exec --cgroup memory:sub d6 true
    expect_status 255
    expect_contains "unknown controller memory"
  fi
  kill -9 "$pid"
  wait_for 10 pid_gone "$pid"
  for d in $(container_dirs d6); do wait_for 10 rmdir "$d/sub"; done
  run sb delete -f d6
  expect_status 0
}

# issue 13: a frozen cgroup named by cgroupsPath is refused (runc: "unexpectedly frozen")
# instead of leaving the init, and the runtime waiting for it, stopped there.
@test "delegated cgroup2: a cgroupsPath naming a frozen cgroup is refused, nothing left behind" {
  local path=$SANDBOX_IT_CGROUP/frozen
  freeze_cgroup "$CGROUP2$path"
  [ -e "$CGROUP2$path/cgroup.freeze" ] || skip "no cgroup.freeze on this kernel"
  set_config '.linux.cgroupsPath = $p' --arg p "$path"
  set_args sleep 300
  SB_TIMEOUT=20 run sbd run -d --bundle "$BUNDLE" fz
  expect_status 1
  expect_contains "unexpectedly frozen"
  expect_is "$(sb list -q)" ""
  expect_is "$(cat "$CGROUP2$path/cgroup.procs")" ""
}
