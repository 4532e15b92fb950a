#!/usr/bin/env bats
# cgroups with the default driver choice. As root (cgroupfs, on this machine's v1 controllers
# plus cgroup2): limits, OOM events, update, pause/resume, kill --all and delete, all under
# the suite's own cgroup. Rootless without any delegation: the container runs without a
# cgroup, and limits it asks for are a clear error.

load helpers

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
}

# own_cgroup NAME: an absolute cgroupsPath below the suite's own cgroup.
own_cgroup() { echo "$SANDBOX_IT_CGROUP/$1"; }

needs_root_v1() {
  is_root || skip "root only: the v1 controllers are not delegated to a normal user"
  [ -n "$(v1_mount "$1")" ] || skip "no v1 $1 hierarchy"
}

# ---------------------------------------------------------------- root: cgroupfs, v1 + v2

@test "root: the default cgroup nests under the caller's own, in every hierarchy" {
  is_root || skip "root only"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" nest1
  expect_status 0
  local pid
  pid=$(pid_of nest1)
  # v1: below the caller's cgroup; cgroup2: beside it (a cgroup with processes cannot have
  # controllers enabled for its children), as runc does.
  [ -z "$(v1_mount memory)" ] ||
    expect_is "$(cgroup_of "$pid" memory)" "$SANDBOX_IT_CGROUP/runner/nest1"
  [ -z "$(v1_mount pids)" ] ||
    expect_is "$(cgroup_of "$pid" pids)" "$SANDBOX_IT_CGROUP/runner/nest1"
  expect_is "$(cgroup_of "$pid")" "$SANDBOX_IT_CGROUP/nest1"
  run sb delete -f nest1
  expect_status 0
  [ ! -d "$CGROUP2$SANDBOX_IT_CGROUP/nest1" ]
  [ -z "$(v1_mount memory)" ] || [ ! -d "$(v1_mount memory)$SANDBOX_IT_CGROUP/runner/nest1" ]
}

@test "root: pids.limit stops a fork bomb" {
  needs_root_v1 pids
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup bomb)"
  set_resources '{"pids": {"limit": 10}}'
  # The bomb runs in a subshell: busybox sh gives up at the first fork that fails.
  set_args sh -c '(i=0; while [ $i -lt 40 ]; do sleep 300 & i=$((i+1)); done) 2>/host/err; echo done > /host/done; exec sleep 300'
  run sbd run -d --bundle "$BUNDLE" bomb
  expect_status 0
  wait_for 20 test -e "$HOSTDIR/done"
  local dir
  dir=$(v1_mount pids)$(own_cgroup bomb)
  expect_is "$(cat "$dir/pids.max")" 10
  [ "$(cat "$dir/pids.current")" -le 10 ]
  run sb ps --format json bomb
  [ "$(jq length <<<"$output")" -le 10 ]
  [ "$(jq length <<<"$output")" -ge 8 ]
  grep -qi "fork" "$HOSTDIR/err" || { cat "$HOSTDIR/err"; false; }
  run sb kill --all bomb KILL
  expect_status 0
  wait_status bomb stopped
  run sb delete bomb
  expect_status 0
  [ ! -d "$dir" ]
}

@test "root: a memory limit ends in an OOM kill that events reports" {
  needs_root_v1 memory
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup oom)"
  set_resources '{"memory": {"limit": 33554432}}'
  # tail keeps the one endless "line" of /dev/zero in memory until the 32 MB limit stops it,
  # and asks to be the OOM killer's first choice (oom_score_adj 1000). Nothing else allocates:
  # with `head | tail`, head's pipe buffers once made a second OOM right after tail's, while
  # tail's memory was still charged, and that one took the shell (no result was written).
  set_args sh -c 'while [ ! -e /host/go ]; do sleep 0.1; done; sh -c "echo 1000 > /proc/self/oom_score_adj; exec tail /dev/zero" > /dev/null; echo "tail: $?" > /host/result; sleep 300'
  run sbd run -d --bundle "$BUNDLE" oom
  expect_status 0
  local dir
  dir=$(v1_mount memory)$(own_cgroup oom)
  expect_is "$(cat "$dir/memory.limit_in_bytes")" 33554432
  sb events oom >"$TEST_DIR/events" 2>"$TEST_DIR/events.err" &
  local events_pid=$!
  sleep 0.5
  touch "$HOSTDIR/go"
  wait_for 90 test -e "$HOSTDIR/result"
  expect_is "$(cat "$HOSTDIR/result")" "tail: 137"
  wait_for 10 grep -q '"type":"oom"' "$TEST_DIR/events"
  jq -e 'select(.type == "oom") | .id == "oom"' "$TEST_DIR/events" >/dev/null
  run sb events --stats oom
  expect_status 0
  expect_one_line
  jq -e '.type == "stats" and .id == "oom" and .data.memory.usage.limit == 33554432' <<<"$output" >/dev/null ||
    { show_output; false; }
  # runc's key order: an event starts with "type"; its data with cpu, then memory.
  expect_eq "event keys" '["type","id","data"]' "$(jq -c keys_unsorted <<<"$output")"
  expect_eq "stats keys" '["cpu","memory"]' "$(jq -c '.data | keys_unsorted | .[:2]' <<<"$output")"
  expect_eq "oom event keys" '["type","id"]' \
    "$(jq -c 'select(.type == "oom") | keys_unsorted' "$TEST_DIR/events" | head -1)"
  run sb delete -f oom
  expect_status 0
  # events ends when the container is gone.
  wait_for 10 pid_gone "$events_pid"
  [ ! -d "$dir" ]
}

@test "root: update changes live limits (flags, -r FILE and -r -)" {
  needs_root_v1 pids
  needs_root_v1 memory
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup upd)"
  set_resources '{"pids": {"limit": 20}, "memory": {"limit": 67108864}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" upd
  expect_status 0
  local pids mem
  pids=$(v1_mount pids)$(own_cgroup upd)
  mem=$(v1_mount memory)$(own_cgroup upd)
  expect_is "$(cat "$pids/pids.max")" 20
  run sb update --pids-limit 50 --memory 128m upd
  expect_status 0
  expect_is "$(cat "$pids/pids.max")" 50
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 134217728
  echo '{"pids": {"limit": 7}}' >"$TEST_DIR/res.json"
  run sb update -r "$TEST_DIR/res.json" upd
  expect_status 0
  expect_is "$(cat "$pids/pids.max")" 7
  run sb update -r - upd <<<'{"memory": {"limit": 100663296}}'
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 100663296
  # flags override the file
  run sb update -r "$TEST_DIR/res.json" --pids-limit -1 upd
  expect_status 0
  expect_is "$(cat "$pids/pids.max")" max
  run sb update --memory lots upd
  expect_status 1
  expect_one_line
  expect_contains "--memory lots"
}

# Issue 12, bug 4: runc's zeros ask for nothing. docker writes "cpu": {"shares": 0} into every
# config and `docker update --memory` sends "quota": 0, "period": 0 beside the memory limit.
DOCKER_ZEROS='{"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0, "cpus": "", "mems": ""}'

@test "root: zeros in linux.resources leave the cgroup's values alone (docker's shares: 0)" {
  needs_root_v1 cpu
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup zero)"
  set_resources "{\"cpu\": $DOCKER_ZEROS, \"memory\": {\"limit\": 0, \"swap\": 0, \"reservation\": 0}, \"pids\": {\"limit\": 0}, \"blockIO\": {\"weight\": 0}}"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" zero
  expect_status 0
  local cpu
  cpu=$(v1_mount cpu)$(own_cgroup zero)
  expect_is "$(cat "$cpu/cpu.shares")" 1024
  expect_is "$(cat "$cpu/cpu.cfs_quota_us")" -1
  expect_is "$(cat "$cpu/cpu.cfs_period_us")" 100000
  [ -z "$(v1_mount pids)" ] || expect_is "$(cat "$(v1_mount pids)$(own_cgroup zero)/pids.max")" max
}

@test "root: update with docker's zeros beside a memory limit applies the memory limit" {
  needs_root_v1 cpu
  needs_root_v1 memory
  needs_root_v1 pids
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup updz)"
  set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 20}, "cpu": {"shares": 512}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" updz
  expect_status 0
  local mem cpu pids
  mem=$(v1_mount memory)$(own_cgroup updz)
  cpu=$(v1_mount cpu)$(own_cgroup updz)
  pids=$(v1_mount pids)$(own_cgroup updz)
  # what docker 20.10 sends for `docker update --memory 128m`
  run sb update -r - updz <<<"{\"memory\": {\"limit\": 134217728, \"reservation\": 0, \"swap\": 0, \"kernel\": 0}, \"cpu\": $DOCKER_ZEROS, \"pids\": {\"limit\": 0}, \"blockIO\": {\"weight\": 0}}"
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 134217728
  expect_is "$(cat "$cpu/cpu.shares")" 512
  expect_is "$(cat "$cpu/cpu.cfs_quota_us")" -1
  expect_is "$(cat "$pids/pids.max")" 20
  # the flags read 0 the same way
  run sb update --memory 96m --cpu-quota 0 --cpu-period 0 --cpu-shares 0 --pids-limit 0 updz
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 100663296
  expect_is "$(cat "$cpu/cpu.shares")" 512
  expect_is "$(cat "$pids/pids.max")" 20
}

@test "root: an update that fails on its second write leaves the first value as it was" {
  needs_root_v1 memory
  needs_root_v1 cpuset
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup updfail)"
  set_resources '{"memory": {"limit": 67108864}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" updfail
  expect_status 0
  local mem cpus
  mem=$(v1_mount memory)$(own_cgroup updfail)
  cpus=$(cat "$(v1_mount cpuset)$(own_cgroup updfail)/cpuset.cpus")
  # memory.limit_in_bytes is written first, then cpuset.cpus, which the kernel refuses.
  run sb update -r - updfail <<<'{"memory": {"limit": 134217728}, "cpu": {"cpus": "4095"}}'
  expect_status 1
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 67108864
  expect_one_line
  expect_contains "cpuset.cpus" "nothing was changed"
  expect_is "$(cat "$(v1_mount cpuset)$(own_cgroup updfail)/cpuset.cpus")" "$cpus"
  # and a later good update still works
  run sb update --memory 128m updfail
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 134217728
}

@test "root: pause and resume through the freezer; state says paused" {
  needs_root_v1 freezer
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup frz)"
  counter_args /host/count
  run sbd run -d --bundle "$BUNDLE" frz
  expect_status 0
  wait_for 10 test -s "$HOSTDIR/count"
  run sb pause frz
  expect_status 0
  expect_is "$(status_of frz)" paused
  expect_is "$(cat "$(v1_mount freezer)$(own_cgroup frz)/freezer.state")" FROZEN
  ! counter_moves "$HOSTDIR/count"
  run sb exec frz true
  expect_status 255
  expect_contains "paused"
  run sb pause frz
  expect_status 1
  run sb resume frz
  expect_status 0
  expect_is "$(status_of frz)" running
  counter_moves "$HOSTDIR/count"
  run sb resume frz
  expect_status 1
  expect_contains "not paused"
  # a paused container can be killed and deleted
  run sb pause frz
  expect_status 0
  run sb delete -f frz
  expect_status 0
  [ ! -d "$(v1_mount freezer)$(own_cgroup frz)" ]
}

@test "root: kill --all reaches processes outside the init's pid namespace; exec joins the cgroups" {
  is_root || skip "root only"
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup all)"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" all
  expect_status 0
  local init
  init=$(pid_of all)
  run sbd exec -d all sleep 301
  expect_status 0
  wait_for 10 sh -c "[ \$($SANDBOX --root $ROOT ps --format json all | jq length) = 2 ]"
  local p
  for p in $(sb ps --format json all | jq -r '.[]'); do
    expect_is "$(cgroup_of "$p")" "$(cgroup_of "$init")"
    [ -z "$(v1_mount memory)" ] || expect_is "$(cgroup_of "$p" memory)" "$(own_cgroup all)"
  done
  run sb kill --all all KILL
  expect_status 0
  wait_status all stopped
  expect_is "$(cat "$CGROUP2$(own_cgroup all)/cgroup.procs")" ""
  run sb delete all
  expect_status 0
  [ ! -d "$CGROUP2$(own_cgroup all)" ]
}

@test "root: v1 device rules: a bound device node is usable only when a rule allows it" {
  needs_root_v1 devices
  [ -c /dev/fuse ] || skip "no /dev/fuse"
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup dev)"
  # The template denies everything; the default devices stay usable (runc's allow list).
  add_bind /dev/fuse /dev/fuse rbind
  run_in dev sh -c 'head -c 1 /dev/zero | od -An -tx1; : </dev/fuse && echo fuse-ok'
  expect_status 1
  expect_contains "00" "Operation not permitted"
  expect_not_contains fuse-ok
  set_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
  run_in dev2 sh -c ': </dev/fuse && echo fuse-ok; (: >/dev/fuse) 2>/dev/null || echo no-write'
  expect_status 0
  expect_contains fuse-ok no-write
}

@test "root: v1 device rules: a deny after an allow-all stands, for a node in linux.devices too" {
  needs_root_v1 devices
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup kmsg)"
  set_config '.linux.devices += [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
  set_config '.linux.resources.devices = [{"allow": true, "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
  run_in kmsg sh -c '[ -c /dev/kmsg ] && echo node; echo sandbox-devices-test >/dev/kmsg && echo wrote; : </dev/null && echo null-ok'
  expect_contains node "Operation not permitted" null-ok
  expect_not_contains wrote
  # With hooks of create the rules go in at the hooks (as runc's procHooks): a prestart hook
  # already finds them in the container's devices cgroup (here deny-all and the defaults).
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup kmsg2)"
  set_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  set_config '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "cat $0/devices.list > $1", $d, $o]}]' \
    --arg d "$(v1_mount devices)$(own_cgroup kmsg2)" --arg o "$HOSTDIR/list"
  run_in kmsg2 sh -c 'echo sandbox-devices-test >/dev/kmsg && echo wrote; : </dev/null && echo null-ok'
  expect_contains "Operation not permitted" null-ok
  expect_not_contains wrote
  grep -qx "c 1:3 rwm" "$HOSTDIR/list" || { cat "$HOSTDIR/list"; false; }
  ! grep -q "^a " "$HOSTDIR/list"
}

@test "root: --cgroup-manager disabled keeps the container in the caller's cgroups" {
  is_root || skip "root only"
  set_args sleep 300
  run sbd --cgroup-manager disabled run -d --bundle "$BUNDLE" off
  expect_status 0
  expect_is "$(cgroup_of "$(pid_of off)")" "$(cgroup_of $$)"
  run sb pause off
  expect_status 1
  expect_one_line
  expect_contains "without a cgroup"
}

@test "root: a cgroup namespace is rooted at the container's cgroup" {
  is_root || skip "root only"
  ensure_namespace cgroup
  run_in cgns cat /proc/self/cgroup
  expect_status 0
  grep -qx '0::/' <<<"$output" || { show_output; false; }
  [ -z "$(v1_mount memory)" ] || grep -qE '^[0-9]+:memory:/$' <<<"$output" || { show_output; false; }
}

@test "v1 host: unified entries for a controller cgroup2 does not have are an invalid configuration" {
  [ -n "$(v1_mount memory)" ] || skip "memory is not a v1 hierarchy here"
  grep -qw memory "$CGROUP2/cgroup.controllers" && skip "cgroup2 has the memory controller here"
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup uni)"
  set_resources '{"unified": {"memory.max": "67108864"}}'
  set_args true
  run sb run --bundle "$BUNDLE" uni
  expect_status 1
  expect_one_line
  expect_contains "invalid configuration" "memory.max"
  assert_no_leftovers uni
  [ ! -d "$CGROUP2$(own_cgroup uni)" ]
  [ ! -d "$(v1_mount memory)$(own_cgroup uni)" ]
}

@test "bad cgroupsPath values are refused before anything is made" {
  set_config '.linux.cgroupsPath = "/a/../../etc"'
  run sb run --bundle "$BUNDLE" badpath
  expect_status 1
  expect_one_line
  expect_contains 'linux.cgroupsPath' '..'
  assert_no_leftovers badpath
}

# ---------------------------------------------------------------- rootless, nothing delegated

@test "rootless without delegation: the container runs without a cgroup of its own" {
  is_root && skip "rootless only"
  set_args sleep 300
  run sbd --debug run -d --bundle "$BUNDLE" nocg
  expect_status 0
  expect_contains "no cgroup of its own"
  expect_is "$(cgroup_of "$(pid_of nocg)")" "$(cgroup_of $$)"
  run sb pause nocg
  expect_status 1
  expect_one_line
  expect_contains "without a cgroup"
  run sb update --pids-limit 5 nocg
  expect_status 1
  expect_one_line
  run sb events --stats nocg
  expect_status 1
  run sb delete -f nocg
  expect_status 0
}

@test "rootless without delegation: limits in config.json are a clear error, nothing is left" {
  is_root && skip "rootless only"
  set_resources '{"pids": {"limit": 10}}'
  set_args true
  run sb run --bundle "$BUNDLE" lim
  expect_status 1
  expect_one_line
  expect_contains "cannot apply linux.resources" "--cgroup-manager disabled" "systemd"
  assert_no_leftovers lim
  # the explicit way out: run without limits
  run sb --cgroup-manager disabled run --bundle "$BUNDLE" lim
  expect_status 0
  expect_contains "not applied"
  assert_no_leftovers lim
}

@test "rootless without delegation: docker's zeros ask for no limit, so the container runs" {
  is_root && skip "rootless only"
  set_resources "{\"cpu\": $DOCKER_ZEROS, \"memory\": {\"limit\": 0, \"swap\": 0}, \"pids\": {\"limit\": 0}, \"blockIO\": {\"weight\": 0}}"
  run_in zeros echo ran
  expect_status 0
  expect_output ran
}

@test "rootless without delegation: an explicit driver that cannot work is an error" {
  is_root && skip "rootless only"
  set_args true
  run sb --cgroup-manager cgroupfs run --bundle "$BUNDLE" ex1
  expect_status 1
  expect_one_line
  expect_contains "cgroupfs" "not writable"
  assert_no_leftovers ex1
  run env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR "$SANDBOX" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" ex2
  expect_status 1
  expect_one_line
  expect_contains "systemd"
  assert_no_leftovers ex2
}

@test "an explicit cgroupsPath is made (root) or an error (rootless), never dropped" {
  set_args true
  if is_root; then
    set_args sh -c 'cat /proc/self/cgroup'
    set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup explicit)"
    run sb run --bundle "$BUNDLE" exp
    expect_status 0
    expect_contains "0::$(own_cgroup explicit)"
    return
  fi
  local p
  # Absolute, and relative (below the caller's own cgroup): neither is writable here.
  for p in "$(own_cgroup explicit)" "rel/explicit"; do
    set_config '.linux.cgroupsPath = $p' --arg p "$p"
    run sb run --bundle "$BUNDLE" exp
    expect_status 1
    expect_one_line
    expect_contains "linux.cgroupsPath $p: permission denied"
    assert_no_leftovers exp
  done
  # The explicit way out runs it without cgroups, and says the path was not used.
  run sb --cgroup-manager disabled run --bundle "$BUNDLE" exp
  expect_status 0
  expect_contains "cgroupsPath rel/explicit not used"
  # The default path keeps its fallback (see "runs without a cgroup of its own" above).
  set_config 'del(.linux.cgroupsPath)'
  run sb run --bundle "$BUNDLE" exp
  expect_status 0
}

# ---------------------------------------------------------------- the "cgroup" mount (issue 11.4)
# The template's cgroup mount (ro, no cgroup namespace, as docker and `runc spec` write it):
# every hierarchy shows the container's own cgroup, read-only, and nothing above it.

# cgroup_view_script: what the container reports about its /sys/fs/cgroup: "mount DEST OPTS"
# per mount below it, "link NAME -> TARGET", "dir NAME: FILES" of every hierarchy, and one
# line per write attempt (the shell's error, or "wrote F"). Writes are tried only when no
# cgroup below the own one is visible (never into a host cgroup above it).
cgroup_view_script() {
  cat <<'SCRIPT'
cd /sys/fs/cgroup || exit 9
awk '$5 ~ "^/sys/fs/cgroup" { print "mount", $5, $6 }' /proc/self/mountinfo
for n in *; do
  if [ -L "$n" ]; then echo "link $n -> $(readlink "$n")"; continue; fi
  echo "dir $n: $(for f in "$n"/*; do [ -d "$f" ] || echo "${f#*/}"; done | sort | tr '\n' ' ')"
done
[ -z "$(find . -mindepth 2 -type d)" ] || { echo "subdirs:" $(find . -mindepth 2 -type d | head); exit 3; }
for f in pids/cgroup.procs pids/pids.max memory/memory.limit_in_bytes freezer/freezer.state unified/cgroup.procs systemd/cgroup.procs; do
  [ -e "$f" ] || continue
  (echo $$ > "$f" && echo "wrote $f") 2>&1
done
echo 5 > /sys/fs/cgroup/new 2>&1 || true
mkdir pids/sub 2>&1 || true
SCRIPT
}

# expect_own_cgroup_view ID: runs the view script in container ID; the hierarchies are
# mounted read-only (nosuid, nodev, noexec); every write fails with EROFS; each v1 hierarchy
# and cgroup2 shows the same files as the init's own cgroup there on the host.
expect_own_cgroup_view() {
  local id=$1
  set_args sh -c "$(cgroup_view_script)"
  run sb run --bundle "$BUNDLE" "$id"
  expect_status 0
  expect_not_contains "wrote "
  [[ "$output" != *"subdirs:"* ]] || { show_output; false; }
  local n=0 line
  while read -r line; do
    n=$((n + 1))
    [[ "$line" == *"Read-only file system"* ]] || { echo "not EROFS: $line"; show_output; false; }
  done < <(grep -E "can't|cannot|Read-only" <<<"$output")
  [ "$n" -ge 3 ] || { echo "too few write attempts"; show_output; false; }
  while read -r line; do
    local opts=${line##* }
    [[ ",$opts," == *,ro,* && ",$opts," == *,nosuid,* && ",$opts," == *,nodev,* && ",$opts," == *,noexec,* ]] ||
      [[ "$line" == "mount /sys/fs/cgroup "* ]] || { echo "writable: $line"; show_output; false; }
  done < <(grep '^mount /sys/fs/cgroup/' <<<"$output")
  [ "$(grep -c '^mount /sys/fs/cgroup/' <<<"$output")" -ge 2 ] || { show_output; false; }
  grep -q '^mount /sys/fs/cgroup ro,' <<<"$output" || { show_output; false; }
}

# expect_hierarchy_is NAME HOSTDIR: the container listed NAME with the files of HOSTDIR. Files
# only: the "dir" lines leave out subdirectories, which suites running at the same time make
# and remove below the same cgroups (a root cgroup's files still differ from a child's).
expect_hierarchy_is() {
  local want
  want="dir $1: $(find "$2" -mindepth 1 -maxdepth 1 ! -type d -printf '%f\n' | sort | tr '\n' ' ')"
  grep -qxF "$want" <<<"$output" || { echo "expected: $want"; show_output; false; }
}

@test "root: the cgroup mount shows the container's own cgroups only, read-only" {
  needs_root_v1 pids
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup view)"
  set_resources '{"pids": {"limit": 42}, "memory": {"limit": 67108864}}'
  expect_own_cgroup_view view
  expect_contains "dir pids: " "pids.max"
  [ -z "$(v1_mount memory)" ] || expect_contains "dir memory: " "memory.limit_in_bytes"
  # co-mounted controllers get a link per controller
  local m
  for m in $(findmnt -rn -t cgroup -o TARGET); do
    case "$(basename "$m")" in
      *,*) local c
        for c in $(basename "$m" | tr , ' '); do expect_contains "link $c -> $(basename "$m")"; done ;;
    esac
  done
  # limits are read from the own cgroup
  set_args sh -c 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes'
  run sb run --bundle "$BUNDLE" view2
  expect_status 0
  expect_eq pids.max 42 "${lines[0]}"
  [ -z "$(v1_mount memory)" ] || expect_eq memory.limit_in_bytes 67108864 "${lines[1]}"
}

@test "root: in a cgroup namespace the cgroup mount shows the same own cgroups, read-only" {
  needs_root_v1 pids
  ensure_namespace cgroup
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup viewns)"
  set_resources '{"pids": {"limit": 43}}'
  expect_own_cgroup_view viewns
  set_args sh -c 'cat /sys/fs/cgroup/pids/pids.max; grep pids /proc/self/cgroup'
  run sb run --bundle "$BUNDLE" viewns2
  expect_status 0
  expect_eq pids.max 43 "${lines[0]}"
  expect_eq membership "${lines[1]#*:}" "pids:/"
}

@test "rootless without delegation: the cgroup mount shows the caller's cgroups, read-only" {
  is_root && skip "rootless only"
  jq -e '.mounts[] | select(.type == "cgroup")' config.json >/dev/null ||
    set_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
  local ns
  for ns in none cgroup; do
    [ "$ns" = none ] || ensure_namespace cgroup
    set_args sh -c "$(cgroup_view_script | sed '/^\[ -z "\$(find/d')"
    run sb run --bundle "$BUNDLE" "rl-$ns"
    expect_status 0
    expect_not_contains "wrote "
    expect_contains "Read-only file system"
    [ "$(grep -E "can't|cannot" <<<"$output" | grep -vc 'Read-only file system')" = 0 ] || { show_output; false; }
    local c
    for c in pids memory freezer; do
      [ -n "$(v1_mount "$c")" ] || continue
      expect_hierarchy_is "$c" "$(v1_mount "$c")$(cgroup_of $$ "$c")"
    done
    expect_hierarchy_is unified "$CGROUP2$(cgroup_of $$)"
  done
}

@test "root: update --cpu-share (runc's spelling) sets the shares as --cpu-shares does" {
  needs_root_v1 cpu
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup share)"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" share
  expect_status 0
  local cpu
  cpu=$(v1_mount cpu)$(own_cgroup share)
  run sb update --cpu-share 256 share
  expect_status 0
  expect_is "$(cat "$cpu/cpu.shares")" 256
  run sb update --cpu-shares 768 share
  expect_status 0
  expect_is "$(cat "$cpu/cpu.shares")" 768
  run sb delete -f share
  expect_status 0
}

# ---------------------------------------------------------------- issue 13: cgroup edge cases

# A cgroupsPath that names a frozen cgroup: the init would stop there at once and the runtime
# wait for it for good. runc: "container's cgroup unexpectedly frozen".
@test "root: a cgroupsPath whose v1 freezer cgroup is frozen is refused, nothing left behind" {
  needs_root_v1 freezer
  local path
  path=$(own_cgroup frozen1)
  freeze_cgroup "$(v1_mount freezer)$path"
  set_config '.linux.cgroupsPath = $p' --arg p "$path"
  set_args sleep 300
  SB_TIMEOUT=20 run sbd run -d --bundle "$BUNDLE" fz1
  expect_status 1
  expect_contains "unexpectedly frozen"
  expect_one_line
  expect_is "$(sb list -q)" ""
  expect_is "$(cat "$(v1_mount freezer)$path/cgroup.procs")" ""
  [ -z "$(v1_mount memory)" ] || [ ! -d "$(v1_mount memory)$path" ]
  [ ! -d "$CGROUP2$path" ]
}

@test "root: a cgroupsPath whose cgroup2 cgroup is frozen is refused, nothing left behind" {
  is_root || skip "root only (the rootless case: cgroups-delegated.bats)"
  [ -n "$CGROUP2" ] || skip "no cgroup2 mount"
  local path
  path=$(own_cgroup frozen2)
  freeze_cgroup "$CGROUP2$path"
  [ -e "$CGROUP2$path/cgroup.freeze" ] || skip "no cgroup.freeze on this kernel"
  set_config '.linux.cgroupsPath = $p' --arg p "$path"
  set_args sleep 300
  SB_TIMEOUT=20 run sbd run -d --bundle "$BUNDLE" fz2
  expect_status 1
  expect_contains "unexpectedly frozen"
  expect_is "$(sb list -q)" ""
  expect_is "$(cat "$CGROUP2$path/cgroup.procs")" ""
  [ -z "$(v1_mount memory)" ] || [ ! -d "$(v1_mount memory)$path" ]
}

# runc's order of the v1 memory and memory+swap writes: raising, memsw first; lowering, memory
# first; `--memory -1` alone lifts both (the kernel refuses a memory limit above memsw).
@test "root: v1 update moves memory and memory+swap limits both ways, and --memory -1 lifts both" {
  needs_root_v1 memory
  local mem
  mem=$(v1_mount memory)$(own_cgroup memsw)
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup memsw)"
  set_resources '{"memory": {"limit": 33554432, "swap": 67108864}}'
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" memsw
  expect_status 0
  [ -e "$mem/memory.memsw.limit_in_bytes" ] || skip "no swap accounting (memory.memsw)"
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" 67108864
  local unlimited
  unlimited=$(cat "$(v1_mount memory)/memory.limit_in_bytes")
  run sb update --memory -1 memsw
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" "$unlimited"
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" "$unlimited"
  # lowering from unlimited: memory first
  run sb update --memory 33554432 --memory-swap 67108864 memsw
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 33554432
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" 67108864
  # raising memory above the old memsw: memsw first
  run sb update --memory 134217728 --memory-swap 268435456 memsw
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 134217728
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" 268435456
  # lowering both below the old memory limit
  run sb update --memory 16777216 --memory-swap 33554432 memsw
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" 16777216
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" 33554432
  run sb update --memory -1 --memory-swap -1 memsw
  expect_status 0
  expect_is "$(cat "$mem/memory.limit_in_bytes")" "$unlimited"
  expect_is "$(cat "$mem/memory.memsw.limit_in_bytes")" "$unlimited"
  run sb delete -f memsw
  expect_status 0
}

# A v1 cpuset made by hand is empty (no cpus, no mems) and takes no tasks (ENOSPC on
# cgroup.procs). runc fills each empty level from its parent, walking down from the mount.
@test "root: v1 cpuset parents made by hand with no cpus or mems are filled from above" {
  needs_root_v1 cpuset
  local cs parent
  cs=$(v1_mount cpuset)
  parent=$(own_cgroup handmade)
  mkdir -p "$cs$parent/inner"
  expect_is "$(cat "$cs$parent/cpuset.cpus")" ""
  set_config '.linux.cgroupsPath = $p' --arg p "$parent/inner/cs1"
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" cs1
  expect_status 0
  local want_cpus want_mems
  want_cpus=$(cat "$cs$SANDBOX_IT_CGROUP/cpuset.cpus")
  want_mems=$(cat "$cs$SANDBOX_IT_CGROUP/cpuset.mems")
  expect_is "$(cat "$cs$parent/cpuset.cpus")" "$want_cpus"
  expect_is "$(cat "$cs$parent/inner/cpuset.mems")" "$want_mems"
  expect_is "$(cat "$cs$parent/inner/cs1/cpuset.cpus")" "$want_cpus"
  expect_is "$(cgroup_of "$(pid_of cs1)" cpuset)" "$parent/inner/cs1"
  run sb delete -f cs1
  expect_status 0
  [ ! -d "$cs$parent/inner/cs1" ]
  [ -d "$cs$parent/inner" ]  # made by hand: it stays
  rmdir "$cs$parent/inner" "$cs$parent"
}

# Kernels since 5.0 have no CFQ, so no blkio.weight; BFQ's blkio.bfq.weight takes the same
# values, and runc writes that one when blkio.weight is missing.
@test "root: v1 blockIO weight goes to blkio.bfq.weight where blkio.weight is missing" {
  needs_root_v1 blkio
  local blk
  blk=$(v1_mount blkio)$(own_cgroup bfq)
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup bfq)"
  set_resources '{"blockIO": {"weight": 500}}'
  set_args sleep 300
  # which weight files a (non-root) blkio cgroup has on this kernel
  local probe
  probe=$(v1_mount blkio)$(own_cgroup bfq-probe)
  mkdir "$probe"
  local cfq=no bfq=no
  [ ! -e "$probe/blkio.weight" ] || cfq=yes
  [ ! -e "$probe/blkio.bfq.weight" ] || bfq=yes
  rmdir "$probe"
  run sbd run -d --bundle "$BUNDLE" bfq
  if [ $cfq = yes ]; then
    expect_status 0
    expect_is "$(cat "$blk/blkio.weight")" 500
    skip "this kernel has blkio.weight (CFQ)"
  fi
  if [ $bfq = no ]; then
    expect_failure "blkio.bfq.weight"
    skip "this kernel has neither blkio.weight nor blkio.bfq.weight"
  fi
  expect_status 0
  expect_is "$(sed 's/^default //' "$blk/blkio.bfq.weight")" 500
  run sb update --blkio-weight 300 bfq
  expect_status 0
  expect_is "$(sed 's/^default //' "$blk/blkio.bfq.weight")" 300
  run sb delete -f bfq
  expect_status 0
}

# runc reads a rule's access as the r, w and m it names, in any order, repeated or beside other
# letters: "wa" is "w". Deny-all and a linux.devices node: only that rule opens the node.
@test "root: v1 device rules: access strings as runc reads them (\"wa\", \"mwr\")" {
  needs_root_v1 devices
  set_config '.linux.cgroupsPath = $p' --arg p "$(own_cgroup access)"
  set_config '.linux.devices += [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
  set_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "wa"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "mwr"}]'
  set_config '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "cat $0/devices.list > $1", $d, $o]}]' \
    --arg d "$(v1_mount devices)$(own_cgroup access)" --arg o "$HOSTDIR/list"
  run_in access sh -c 'echo sandbox-devices-test >/dev/kmsg && echo wrote; (: </dev/kmsg) && echo read-ok; true'
  expect_status 0
  expect_contains wrote "Operation not permitted"
  expect_not_contains read-ok
  grep -qx "c 1:11 w" "$HOSTDIR/list" || { cat "$HOSTDIR/list"; false; }
  grep -qx "c 10:229 rwm" "$HOSTDIR/list" || { cat "$HOSTDIR/list"; false; }
}

@test "a damaged cgroup record in state.json: delete --force still kills and removes; delete names it" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" dmg
  expect_status 0
  local pid state=$ROOT/dmg/state.json
  pid=$(pid_of dmg)
  # a driver of the wrong type: nothing in the record can be trusted
  jq '.cgroup.driver = 5' "$state" >"$state.new" && mv "$state.new" "$state"
  expect_is "$(status_of dmg)" running
  run sb delete -f dmg
  expect_status 0
  expect_contains "cgroup record" "driver"
  pid_gone "$pid"
  assert_no_leftovers dmg

  run sbd run -d --bundle "$BUNDLE" dmg2
  expect_status 0
  pid=$(pid_of dmg2)
  state=$ROOT/dmg2/state.json
  jq '.cgroup.driver = "lxc"' "$state" >"$state.new" && mv "$state.new" "$state"
  run sb kill dmg2 KILL
  expect_status 0
  wait_for 10 pid_gone "$pid"
  # stopped: a plain delete says what is wrong and keeps the state for a look
  run sb delete dmg2
  expect_status 1
  expect_one_line
  expect_contains "unknown driver \"lxc\""
  [ -e "$ROOT/dmg2" ]
  run sb delete -f dmg2
  expect_status 0
  assert_no_leftovers dmg2
}
