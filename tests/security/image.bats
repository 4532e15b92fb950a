#!/usr/bin/env bats
# Escape 7: facts the runtime reads after pivot_root come from the image, which the image's
# author controls.
#  a. /proc/sys/kernel/cap_last_cap, when config.json mounts no /proc: an image file saying
#     "5" keeps capabilities 6 and up in the bounding set.
#  b. /etc/passwd (read for HOME): a FIFO hangs the runtime; a symlink must not reach a host
#     file.
# Expected: facts about the kernel come from the host (before pivot_root); image files are
# read without blocking and resolved inside the rootfs.

load helpers
load security-helpers

setup() { security_setup; }
teardown() { security_teardown; }

@test "cap_last_cap: an image file cannot keep capabilities in the bounding set" {
  # No /proc mount (and nothing masked under it): the image's /proc is what the init sees.
  set_config '.mounts |= map(select(.destination != "/proc"))
    | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
  mkdir -p "$BUNDLE/rootfs/proc/sys/kernel"
  echo 5 >"$BUNDLE/rootfs/proc/sys/kernel/cap_last_cap"
  set_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
  run_in c1 sandbox-attacker capbset
  # Not vacuous: the attacker ran and reported the bounding set.
  expect_status 0
  expect_eq "bounding set (capability numbers)" 5 "$output"
}

# home_case ID: run `echo HOME=$HOME` bounded; no hang, no host data, nothing left behind.
home_case() {
  set_args sh -c 'echo HOME=$HOME'
  # detached (sbd): output through a file, so that an init blocked for good cannot keep
  # `run` waiting on its stdout after the runtime timed out.
  SB_TIMEOUT=20 run sbd run --bundle "$BUNDLE" "$1"
  show_output
  [ "$status" -ne 124 ] && [ "$status" -ne 137 ] || { echo "the runtime hung"; kill_test_processes; return 1; }
  expect_not_contains LEAKED
  if [ "$status" -eq 0 ]; then
    expect_output "HOME=/"
  else
    expect_status 1
    expect_one_line
  fi
  assert_no_leftovers "$1"
}

@test "passwd-fifo: an image /etc/passwd that is a FIFO does not hang run" {
  rm "$BUNDLE/rootfs/etc/passwd"
  mkfifo "$BUNDLE/rootfs/etc/passwd"
  home_case c1
}

@test "passwd-fifo: a FIFO /etc/passwd does not hang exec" {
  set_args sleep 300
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  # The container's root makes it a FIFO (as a process in the container could).
  run sb exec c1 sh -c 'rm /etc/passwd && mkfifo /etc/passwd && echo made'
  expect_output made
  SB_TIMEOUT=20 run sbd exec c1 sh -c 'echo HOME=$HOME'
  show_output
  [ "$status" -ne 124 ] && [ "$status" -ne 137 ] || { echo "exec hung"; kill_test_processes; return 1; }
  if [ "$status" -eq 0 ]; then
    expect_output "HOME=/"
  else
    expect_status 1
    expect_one_line
  fi
}

# leak_passwd: a passwd on the host (a file the container must never read) whose root has
# home /LEAKED; prints its path.
leak_passwd() {
  printf 'root:x:0:0:root:/LEAKED:/bin/sh\nuser:x:1000:1000:user:/LEAKED:/bin/sh\n' >"$HOSTDIR/passwd"
  echo "$HOSTDIR/passwd"
}

@test "passwd-symlink: an absolute /etc/passwd symlink to a host file is not followed on the host" {
  ln -sfn "$(leak_passwd)" "$BUNDLE/rootfs/etc/passwd"
  home_case c1
}

@test "passwd-symlink: a ../ /etc/passwd symlink to a host file is not followed on the host" {
  ln -sfn "../../../../../../../../../../..$(leak_passwd)" "$BUNDLE/rootfs/etc/passwd"
  home_case c1
}
