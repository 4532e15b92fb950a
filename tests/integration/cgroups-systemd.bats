#!/usr/bin/env bats
# The systemd cgroup driver with a real `systemd --user` (tests/systemd-user.sh starts it;
# run-suite.sh runs this suite as a member of the user's session scope, with
# XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS set, as a login would). Rootless, the default
# driver choice finds the session; each container is a transient scope with Delegate=yes
# under user@UID.service. As root there is no system manager here: --systemd-cgroup is a
# clear error.

load helpers

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
}

needs_session() {
  is_root && skip "rootless only: the user manager"
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || skip "no systemd user session (run-suite.sh starts one)"
}

# scope_path ID [UNIT]: the cgroup path of the container's scope below the user manager.
scope_path() {
  echo "/user.slice/user-$(id -u).slice/user@$(id -u).service/user.slice/${2:-sandbox-$1.scope}"
}

unit_known() { systemctl --user list-units --all --no-legend --plain "$1" | grep -q "$1"; }

@test "systemd user session: the container runs in its own scope under user@UID.service" {
  needs_session
  # without a cgroup namespace, /proc/self/cgroup inside shows the host's path
  remove_namespace cgroup
  set_args sleep 300
  run sbd --debug run -d --bundle "$BUNDLE" s1
  expect_status 0
  expect_contains "systemd: scope sandbox-s1.scope"
  local pid
  pid=$(pid_of s1)
  expect_is "$(cgroup_of "$pid")" "$(scope_path s1)"
  [ -z "$(v1_mount name=systemd)" ] || expect_is "$(cgroup_of "$pid" name=systemd)" "$(scope_path s1)"
  # inside, /proc/self/cgroup says the same
  run sb exec s1 cat /proc/self/cgroup
  expect_status 0
  expect_contains "0::$(scope_path s1)"
  run systemctl --user list-units --type scope --no-legend --plain
  expect_contains "sandbox-s1.scope"
  run systemctl --user show -p Delegate,ActiveState sandbox-s1.scope
  expect_contains "Delegate=yes" "ActiveState=active"
}

@test "systemd user session: pause stops a counter, resume restarts it" {
  needs_session
  counter_args /host/count
  run sbd run -d --bundle "$BUNDLE" s2
  expect_status 0
  wait_for 10 test -s "$HOSTDIR/count"
  run sb pause s2
  expect_status 0
  expect_is "$(status_of s2)" paused
  grep -qx "frozen 1" "$CGROUP2$(scope_path s2)/cgroup.events"
  ! counter_moves "$HOSTDIR/count"
  run sb resume s2
  expect_status 0
  expect_is "$(status_of s2)" running
  counter_moves "$HOSTDIR/count"
}

@test "systemd user session: kill --all, then delete leaves no scope and no cgroup" {
  needs_session
  set_args sh -c 'sleep 300 & sleep 300 & wait'
  run sbd run -d --bundle "$BUNDLE" s3
  expect_status 0
  run sbd exec -d s3 sleep 300
  expect_status 0
  local dir=$CGROUP2$(scope_path s3)
  wait_for 10 sh -c "[ \$(wc -l < $dir/cgroup.procs) -ge 4 ]"
  run sb ps --format json s3
  expect_is "$(jq length <<<"$output")" "$(wc -l <"$dir/cgroup.procs")"
  run sb kill --all s3 KILL
  expect_status 0
  wait_status s3 stopped
  run sb delete s3
  expect_status 0
  wait_for 10 sh -c "! systemctl --user list-units --all --no-legend --plain sandbox-s3.scope | grep -q sandbox-s3"
  [ ! -d "$dir" ]
}

@test "systemd user session: delete --force of a running container stops its scope" {
  needs_session
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" s4
  expect_status 0
  unit_known sandbox-s4.scope
  run sb delete -f s4
  expect_status 0
  ! unit_known sandbox-s4.scope
  [ ! -d "$CGROUP2$(scope_path s4)" ]
  assert_no_leftovers s4
}

@test "systemd user session: cgroupsPath slice:prefix:name names the scope" {
  needs_session
  set_config '.linux.cgroupsPath = "user.slice:mytest:s5"'
  set_args sleep 300
  run sbd --systemd-cgroup run -d --bundle "$BUNDLE" s5
  expect_status 0
  expect_is "$(cgroup_of "$(pid_of s5)")" "$(scope_path s5 mytest-s5.scope)"
  run sb delete -f s5
  expect_status 0
  ! unit_known mytest-s5.scope
}

@test "systemd user session: a foreground run removes its scope when it ends" {
  needs_session
  remove_namespace cgroup
  run_in s6 sh -c 'cat /proc/self/cgroup; exit 3'
  expect_status 3
  expect_contains "0::$(scope_path s6)"
  ! unit_known sandbox-s6.scope
  [ ! -d "$CGROUP2$(scope_path s6)" ]
}

@test "systemd user session: limits the delegated scope cannot hold are a clear error" {
  needs_session
  grep -qw pids "$CGROUP2/cgroup.controllers" && skip "this host's cgroup2 has the pids controller"
  set_resources '{"pids": {"limit": 10}}'
  set_args true
  run sb run --bundle "$BUNDLE" s7
  expect_status 1
  expect_one_line
  expect_contains "pids" "controller"
  assert_no_leftovers s7
  ! unit_known sandbox-s7.scope
}

@test "systemd user session: docker's zeros ask for nothing, at create and at update" {
  needs_session
  set_resources '{"cpu": {"shares": 0, "quota": 0, "period": 0}, "memory": {"limit": 0, "swap": 0}, "pids": {"limit": 0}, "blockIO": {"weight": 0}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" s10
  expect_status 0
  run sb update -r - s10 <<<'{"cpu": {"shares": 0, "quota": 0, "period": 0, "cpus": "", "mems": ""}, "memory": {"limit": 0, "reservation": 0}, "pids": {"limit": 0}, "unified": {"cgroup.max.descendants": "7"}}'
  expect_status 0
  expect_is "$(cat "$CGROUP2$(scope_path s10)/cgroup.max.descendants")" 7
}

@test "--systemd-cgroup as root without a system manager is a clear error" {
  is_root || skip "root only"
  [ ! -S /run/dbus/system_bus_socket ] || skip "a system bus runs here"
  set_args true
  run sb --systemd-cgroup run --bundle "$BUNDLE" s8
  expect_status 1
  expect_one_line
  expect_contains "systemd"
  assert_no_leftovers s8
}

@test "systemd user session: the driver without its helper sandbox-systemd is a clear error" {
  needs_session
  # The runtime alone in a directory of its own: no sandbox-systemd next to it.
  local alone=$BATS_TEST_TMPDIR/alone
  mkdir -p "$alone"
  cp "$SANDBOX" "$alone/sandbox"
  run timeout -k 10 "$SB_TIMEOUT" "$alone/sandbox" --root "$ROOT" --systemd-cgroup run \
    --bundle "$BUNDLE" s9
  expect_status 1
  expect_one_line
  expect_contains "sandbox-systemd"
  assert_no_leftovers s9
  ! unit_known sandbox-s9.scope
}

@test "systemd user session: a create that fails after the helper started leaves no scope" {
  needs_session
  # The helper connects while the init is cloned; the process then cannot start (no such
  # binary), the create is undone, and the helper is told there is no scope to make.
  set_args /no/such/binary
  run sb --systemd-cgroup run --bundle "$BUNDLE" s10
  expect_status 1
  expect_one_line
  assert_no_leftovers s10
  ! unit_known sandbox-s10.scope
  [ ! -e "/sys/fs/cgroup/unified$(scope_path s10)" ] && [ ! -e "/sys/fs/cgroup$(scope_path s10)" ]
}

@test "default driver: a session bus with no systemd behind it falls back, and the container runs" {
  is_root && skip "rootless only: the default choice"
  command -v dbus-daemon >/dev/null || skip "no dbus-daemon"
  # A bare bus: the socket answers, but nobody owns org.freedesktop.systemd1 there, so the
  # helper cannot start a scope; the default choice then goes on without systemd.
  local sock=$BATS_TEST_TMPDIR/bus daemon
  daemon=$(dbus-daemon --session --address="unix:path=$sock" --fork --print-pid --nopidfile)
  set_args echo hello-after-fallback
  DBUS_SESSION_BUS_ADDRESS="unix:path=$sock" run sb --debug run --bundle "$BUNDLE" s11
  kill "$daemon"
  expect_status 0
  expect_contains "hello-after-fallback"
  expect_contains "systemd user session not usable"
  assert_no_leftovers s11
  ! unit_known sandbox-s11.scope
}

@test "systemd user session: the cgroup mount shows the container's scope, read-only" {
  needs_session
  jq -e '.mounts[] | select(.type == "cgroup")' config.json >/dev/null ||
    set_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
  local view=/sys/fs/cgroup ns id
  [ "$CGROUP2" = /sys/fs/cgroup ] || view=/sys/fs/cgroup/$(basename "$CGROUP2")
  # Writes are tried only where no cgroup below is visible (never into a cgroup above).
  for ns in none cgroup; do
    id=sv-$ns
    if [ "$ns" = none ]; then remove_namespace cgroup; else ensure_namespace cgroup; fi
    set_args sh -c "cd $view && ls | sort > /host/ls-$ns; [ -z \"\$(find . -mindepth 1 -type d)\" ] && { (echo \$\$ > cgroup.procs) 2>>/host/err-$ns; mkdir sub 2>>/host/err-$ns; }; echo done > /host/done-$ns; exec sleep 300"
    run sbd run -d --bundle "$BUNDLE" "$id"
    expect_status 0
    wait_for 10 test -s "$HOSTDIR/done-$ns"
    expect_is "$(cat "$HOSTDIR/ls-$ns")" "$(ls "$CGROUP2$(scope_path "$id")" | sort)"
    expect_is "$(grep -c 'Read-only file system' "$HOSTDIR/err-$ns")" 2
    run sb delete -f "$id"
    expect_status 0
  done
}

# The limits as unit properties (runc and crun send them too): systemd rewrites a unit's own
# cgroup files from its properties on a daemon-reload, so limits written only into the files
# would be reset to "unlimited".

# unit_props UNIT: the properties sandbox sends, as systemctl shows them, one a line.
unit_props() {
  systemctl --user show -p MemoryMax,TasksMax,CPUQuotaPerSecUSec,CPUQuotaPeriodUSec,CPUWeight,AllowedCPUs,IOWeight "$1" | sort
}

@test "systemd user session: sandbox-systemd gives the scope its limits as properties, at start and at set, and a daemon-reload keeps them" {
  needs_session
  # The helper itself, with a process of this session: what the runtime sends at create and at
  # update, checked on systemd's side (this host's user manager may have no controller to
  # apply them to; the properties are systemd's record all the same).
  local helper unit=sandbox-props-$$.scope pid
  helper=$(dirname "$SANDBOX")/sandbox-systemd
  sleep 300 &
  pid=$!
  run "$helper" start user "$unit" user.slice "$pid" "sandbox test" MemoryMax=t:67108864 \
    TasksMax=t:42 CPUQuotaPeriodUSec=t:100000 CPUQuotaPerSecUSec=t:500000 CPUWeight=t:39 \
    AllowedCPUs=ay:01 IOWeight=t:500
  expect_status 0
  run unit_props "$unit"
  expect_contains "MemoryMax=67108864" "TasksMax=42" "CPUQuotaPerSecUSec=500ms" \
    "CPUQuotaPeriodUSec=100ms" "CPUWeight=39" "AllowedCPUs=0" "IOWeight=500"
  run "$helper" set user "$unit" MemoryMax=t:33554432 TasksMax=t:18446744073709551615 \
    CPUQuotaPerSecUSec=t:250000
  expect_status 0
  systemctl --user daemon-reload
  run unit_props "$unit"
  expect_contains "MemoryMax=33554432" "TasksMax=infinity" "CPUQuotaPerSecUSec=250ms" "CPUWeight=39"
  run "$helper" set user "$unit" MemoryMax=bogus
  expect_status 2
  "$helper" stop user "$unit"
  kill "$pid" 2>/dev/null || :  # stopping the scope killed it already
}

@test "systemd: limits survive systemctl daemon-reload, at create and after update" {
  local ctl=(systemctl --user) dir
  if is_root; then
    [ -S /run/dbus/system_bus_socket ] && systemctl is-system-running >/dev/null 2>&1 ||
      [ "$(systemctl is-system-running 2>/dev/null)" = degraded ] ||
      skip "no system manager here"
    ctl=(systemctl)
  else
    needs_session
  fi
  local c
  for c in memory pids cpu; do
    grep -qw "$c" "$CGROUP2/cgroup.controllers" ||
      skip "this host's cgroup2 has no $c controller for a systemd scope"
  done
  remove_namespace cgroup
  set_resources '{"memory": {"limit": 67108864}, "cpu": {"quota": 50000, "period": 100000}, "pids": {"limit": 42}}'
  set_args sleep 300
  run sbd --systemd-cgroup run -d --bundle "$BUNDLE" sr1
  expect_status 0
  dir=$CGROUP2$(cgroup_of "$(pid_of sr1)")
  expect_is "$(cat "$dir/memory.max")" 67108864
  expect_is "$(cat "$dir/cpu.max")" "50000 100000"
  expect_is "$(cat "$dir/pids.max")" 42
  "${ctl[@]}" daemon-reload
  expect_is "$(cat "$dir/memory.max")" 67108864
  expect_is "$(cat "$dir/cpu.max")" "50000 100000"
  expect_is "$(cat "$dir/pids.max")" 42
  run sb update --memory 33554432 --cpu-quota 25000 --pids-limit 17 sr1
  expect_status 0
  "${ctl[@]}" daemon-reload
  expect_is "$(cat "$dir/memory.max")" 33554432
  expect_is "$(cat "$dir/cpu.max")" "25000 100000"
  expect_is "$(cat "$dir/pids.max")" 17
  run sb delete -f sr1
  expect_status 0
}
