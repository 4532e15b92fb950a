#!/usr/bin/env bats
# SIGKILL of the runtime at random points of create, run -d, run (foreground), start, exec and
# delete -f (issue 14): afterwards `list` shows every container that has a state directory, and
# `delete -f` of each leaves no process, cgroup, systemd scope, host mount or state directory.
# The harness is kill_points.bash; KILL_POINTS, KILL_SEED and KILL_ONLY tune or replay a run.

load helpers
load kill_points

setup() {
  common_setup
  make_bundle
  kp_init
}

@test "kill points: SIGKILL of the runtime anywhere leaves nothing delete -f cannot find and remove" {
  kp_run
}
