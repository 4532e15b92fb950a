#!/usr/bin/env bats
# The process: args and PATH lookup, env, cwd, umask, rlimits.

load helpers

setup() {
  common_setup
  make_bundle
}

@test "args: an absolute path and a PATH lookup" {
  run_in c1 /bin/echo absolute
  expect_status 0
  expect_output absolute
  run_in c1 echo looked-up
  expect_status 0
  expect_output looked-up
}

@test "args: the PATH from process.env is used for the lookup" {
  mkdir -p "$BUNDLE/rootfs/opt/tools"
  printf '#!/bin/sh\necho from-opt\n' >"$BUNDLE/rootfs/opt/tools/mytool"
  chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
  set_config '.process.env = ["PATH=/opt/tools:/bin"]'
  run_in c1 mytool
  expect_status 0
  expect_output from-opt
}

@test "env: process.env is the whole environment" {
  set_config '.process.env += ["FOO=bar", "WITH_SPACES=a b  c"]'
  run_in c1 sh -c 'echo "$FOO"; echo "$WITH_SPACES"'
  expect_status 0
  expect_eq FOO bar "${lines[0]}"
  expect_eq WITH_SPACES "a b  c" "${lines[1]}"
  # Nothing of the runtime's environment leaks in.
  set_args env
  run env SANDBOX_LEAK_CHECK=leaked timeout 60 "$SANDBOX" --root "$ROOT" run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains FOO=bar
  expect_not_contains SANDBOX_LEAK_CHECK
  expect_not_contains "BATS_"
}

@test "cwd: process.cwd is the working directory" {
  set_config '.process.cwd = "/tmp"'
  run_in c1 pwd
  expect_status 0
  expect_output /tmp
}

@test "cwd: a missing process.cwd is created" {
  set_config '.process.cwd = "/work/dir"'
  run_in c1 pwd
  expect_status 0
  expect_output /work/dir
}

@test "umask: process.user.umask" {
  set_config '.process.user.umask = 63' # 0077
  run_in c1 sh -c umask
  expect_status 0
  expect_output 0077
  set_config '.process.user.umask = 18' # 0022
  set_config '.root.readonly = false'
  run_in c1 sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
  expect_status 0
  expect_eq umask 0022 "${lines[0]}"
  expect_eq "mode of a new file" 644 "${lines[1]}"
}

@test "rlimits: RLIMIT_NOFILE 512/512 shows in ulimit -n and -Hn" {
  set_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512}]'
  run_in c1 sh -c 'ulimit -n; ulimit -Hn'
  expect_status 0
  expect_eq soft 512 "${lines[0]}"
  expect_eq hard 512 "${lines[1]}"
}

@test "rlimits: soft below hard, and several limits" {
  set_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 700},
                                  {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                                  {"type": "RLIMIT_NPROC", "soft": 1000, "hard": 1000}]'
  run_in c1 sh -c 'ulimit -n; ulimit -Hn; ulimit -c; grep "Max processes" /proc/self/limits'
  expect_status 0
  expect_eq soft 256 "${lines[0]}"
  expect_eq hard 700 "${lines[1]}"
  expect_eq core 0 "${lines[2]}"
  [[ "${lines[3]}" =~ Max\ processes\ +1000\ +1000 ]] || { show_output; false; }
}

@test "oomScoreAdj is applied" {
  set_config '.process.oomScoreAdj = 300'
  run_in c1 cat /proc/self/oom_score_adj
  expect_status 0
  expect_output 300
}

@test "cwd: a directory the process's user may not enter but root may is entered (runc's order)" {
  if ! is_root && ! have_subid_ranges; then
    skip "uid 1000 needs a subordinate id range"
  fi
  set_config '.root.readonly = false | .process.user = {"uid": 1000, "gid": 1000} |
    .process.cwd = "/private"'
  mkdir -m 0700 "$BUNDLE/rootfs/private"
  run_in c1 sh -c 'pwd; id -u'
  expect_status 0
  expect_contains /private 1000
}
