#!/usr/bin/env bats
# Escape 4: a `cgroup` mount without a cgroup namespace. On a v1/hybrid host the runtime
# bind-mounts all of /sys/fs/cgroup, every v1 hierarchy read-write at its root, so the
# container's root (DAC only, no CAP_SYS_ADMIN) could leave its pids-limited cgroup, freeze a
# host process or change a host cgroup's memory limit. The victims here are cgroups the suite
# owns (siblings under $SANDBOX_IT_CGROUP) holding a sleep the test starts on the host.
# Expected: /sys/fs/cgroup/<hierarchy> shows only the container's own cgroup, read-only.

load helpers
load security-helpers

setup() {
  security_setup
  add_out_mount
  VICTIMS=()
}

teardown() {
  local d
  for d in "${VICTIMS[@]}"; do
    [ ! -f "$d/freezer.state" ] || echo THAWED >"$d/freezer.state" 2>/dev/null || true
  done
  security_teardown
}

@test "cgroup mount without a cgroup namespace: the container cannot touch cgroups outside its own" {
  is_root || skip "rootless: the runner has no cgroups to offer as victims (the suite's cgroups are made for root only), and the host's cgroup files belong to root, which no id of a rootless container maps"
  local mem frz pids
  mem=$(v1_mount memory)
  frz=$(v1_mount freezer)
  pids=$(v1_mount pids)
  [ -n "$mem" ] && [ -n "$frz" ] && [ -n "$pids" ] ||
    skip "needs v1 memory, freezer and pids hierarchies (a v1/hybrid host)"
  local cg=$SANDBOX_IT_CGROUP
  # Host side: a victim cgroup with a sleep in it (memory and freezer), and an empty pids cgroup
  # to escape into.
  local vmem=$mem$cg/victim vfrz=$frz$cg/victim esc=$pids$cg/escape
  mkdir "$vmem" "$vfrz" "$esc"
  VICTIMS=("$vfrz")
  background sleep 1000
  local victim=$BG_PID
  echo "$victim" >"$vmem/cgroup.procs"
  echo "$victim" >"$vfrz/cgroup.procs"
  local limit_before
  limit_before=$(cat "$vmem/memory.limit_in_bytes")

  set_config 'del(.linux.namespaces[] | select(.type == "cgroup"))
    | .mounts |= (map(select(.destination != "/sys/fs/cgroup"))
      + [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
          "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}])'
  # The attack, as the container's root: leave the own pids cgroup (0 is "the writer"),
  # limit and freeze the victim. Then report and stay, so the host can look at the init.
  set_args sh -c "
    r=/sys/fs/cgroup
    echo 0 > \$r/pids$cg/escape/cgroup.procs 2>/dev/null && echo moved-out
    echo 0 > \$r/pids/cgroup.procs 2>/dev/null && echo moved-to-root
    echo 4194304 > \$r/memory$cg/victim/memory.limit_in_bytes 2>/dev/null && echo limited
    echo FROZEN > \$r/freezer$cg/victim/freezer.state 2>/dev/null && echo frozen
    [ -e \$r/memory$cg/victim ] && echo sees-victim
    echo mount \$(awk '\$5 == \"/sys/fs/cgroup/memory\" { print \$6 }' /proc/self/mountinfo)
    echo tried
    exec sleep 1000"
  run sbd run -d --bundle "$BUNDLE" c1
  if [ "$status" -ne 0 ]; then
    # Refusing such a mount is a fix too: then with a one-line error and the victims as they were.
    expect_status 1
    expect_one_line
    expect_eq "victim's memory limit" "$limit_before" "$(cat "$vmem/memory.limit_in_bytes")"
    expect_eq "victim's freezer state" THAWED "$(cat "$vfrz/freezer.state")"
    return 0
  fi
  local init
  init=$(pid_of c1)
  # The init reports through its stdio file (sbd's); wait until it is done trying.
  local io
  wait_for 10 grep -q sleep "/proc/$init/cmdline" || true
  sleep 0.5
  io=$(cat "$TEST_DIR"/io.* 2>/dev/null)
  echo "container said:"
  echo "$io"
  # Not vacuous: the attack script ran to its end.
  [[ "$io" == *tried* ]] || { echo "the attack did not run"; false; }
  # The host's view.
  local rc=0
  if grep -Eq "pids:.*/escape$" "/proc/$init/cgroup"; then
    echo "ESCAPE: the container moved itself into $esc"; rc=1
  fi
  if grep -Eq '^[0-9]+:pids:/$' "/proc/$init/cgroup"; then
    echo "ESCAPE: the container moved itself into the root pids cgroup"; rc=1
  fi
  local limit_after state
  limit_after=$(cat "$vmem/memory.limit_in_bytes")
  [ "$limit_after" = "$limit_before" ] || { echo "ESCAPE: the victim's memory limit became $limit_after"; rc=1; }
  state=$(cat "$vfrz/freezer.state")
  [ "$state" = THAWED ] || { echo "ESCAPE: the victim's freezer state is $state"; rc=1; }
  # Expected after the fix: only the container's own cgroup shows, read-only.
  [[ "$io" != *sees-victim* ]] || { echo "the container sees the host's cgroup tree"; rc=1; }
  [[ "$io" == *"mount ro,"* || "$io" == *"mount ro"$'\n'* ]] ||
    { echo "/sys/fs/cgroup/memory is not mounted read-only in the container"; rc=1; }
  return "$rc"
}
