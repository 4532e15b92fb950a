# Shared helpers for the integration suites. Load with `load helpers`.
#
# run-suite.sh provides the environment:
#   SANDBOX         the sandbox binary under test (a world-readable staged copy)
#   ROOTFS          a busybox-static rootfs (copied into each bundle)
#   SANDBOX_IT_TMP  scratch directory owned by the user running the tests
#   FOREIGN_ROOT    a directory owned by another user (for the state-root ownership test)
#   SANDBOX_TEST_USER  the unprivileged test user (sbtest)
# The suites run unchanged as root and as the unprivileged user; `is_root` branches where the
# behaviour must differ.
#
# Per test, common_setup makes:
#   TEST_DIR  the test's own directory (removed by teardown)
#   ROOT      the --root state directory for `sb` (0700)
#   BUNDLE    a bundle directory holding rootfs/ (a copy of ROOTFS); make_bundle adds config.json
#   HOSTDIR   a host directory (mode 0777) that tests bind-mount into containers
# and cds into BUNDLE.

bats_require_minimum_version 1.5.0

: "${SANDBOX:?SANDBOX must point to the sandbox binary (use run-suite.sh)}"
: "${ROOTFS:?ROOTFS must point to a busybox rootfs (use run-suite.sh)}"

# Time limit for one runtime invocation: a hang fails the test (status 124) instead of the suite.
SB_TIMEOUT=${SB_TIMEOUT:-60}

is_root() { [ "$(id -u)" = 0 ]; }

common_setup() {
  TEST_DIR=$(mktemp -d "${SANDBOX_IT_TMP:-${TMPDIR:-/tmp}}/t.XXXXXX")
  chmod 755 "$TEST_DIR"
  ROOT=$TEST_DIR/state
  mkdir -m 700 "$ROOT"
  BUNDLE=$TEST_DIR/bundle
  mkdir "$BUNDLE"
  cp -a "$ROOTFS" "$BUNDLE/rootfs"
  HOSTDIR=$TEST_DIR/host
  mkdir "$HOSTDIR"
  chmod 777 "$HOSTDIR"
  EXTRA_ROOTS=()
  export TEST_DIR ROOT BUNDLE HOSTDIR
  cd "$BUNDLE"
}

common_teardown() {
  cd /
  thaw_test_cgroups
  local r id
  for r in "${ROOT:-}" "${EXTRA_ROOTS[@]}"; do
    [ -n "$r" ] && [ -d "$r" ] && [ ! -L "$r" ] || continue
    for id in $(timeout 30 "$SANDBOX" --root "$r" list -q 2>/dev/null); do
      timeout 30 "$SANDBOX" --root "$r" delete -f "$id" >/dev/null 2>&1 || true
    done
  done
  # Files a container wrote as a subordinate id cannot be removed by the rootless user:
  # run-suite.sh removes everything as root at the end.
  [ -z "${TEST_DIR:-}" ] || rm -rf "$TEST_DIR" 2>/dev/null || true
}

setup() { common_setup; }
teardown() { common_teardown; }

# sb ARGS...: the runtime with this test's state root.
sb() {
  timeout -k 10 "$SB_TIMEOUT" "$SANDBOX" --root "$ROOT" "$@"
}

# detached COMMAND...: for commands that leave a container behind (create, run -d). Without a
# terminal the container inherits the runtime's stdio, so a bats `run` capturing it through a
# pipe would wait until the container exits. detached gives the command (and so the container)
# a file instead and prints what the command wrote to it.
detached() {
  local io rc=0
  io=$(mktemp "$TEST_DIR/io.XXXXXX")
  "$@" </dev/null >"$io" 2>&1 3>&- || rc=$?
  cat "$io"
  return "$rc"
}

# sbd ARGS...: sb, detached.
sbd() { detached sb "$@"; }

# make_bundle [--rootless|--no-rootless] [DIR]: `sandbox spec` into DIR (default $BUNDLE),
# with --rootless when not root unless told otherwise.
make_bundle() {
  local rootless=auto dir=$BUNDLE
  case "${1:-}" in
    --rootless) rootless=yes; shift ;;
    --no-rootless) rootless=no; shift ;;
  esac
  [ $# -eq 0 ] || dir=$1
  [ "$rootless" != auto ] || { is_root && rootless=no || rootless=yes; }
  local flags=()
  [ "$rootless" = no ] || flags+=(--rootless)
  "$SANDBOX" spec --bundle "$dir" "${flags[@]}" || return 1
  # The template asks for a terminal (runc's); the suites run without one unless they say so.
  CONFIG=$dir/config.json set_config '.process.terminal = false'
}

# new_bundle NAME: another bundle dir ($TEST_DIR/NAME, with a rootfs and config.json); prints it.
new_bundle() {
  local dir=$TEST_DIR/$1
  mkdir "$dir"
  cp -a "$ROOTFS" "$dir/rootfs"
  make_bundle "$dir" >/dev/null
  echo "$dir"
}

# set_config FILTER [JQ-OPTIONS...]: edit $CONFIG (default $BUNDLE/config.json) with jq.
set_config() {
  local filter=$1 cfg=${CONFIG:-$BUNDLE/config.json}
  shift
  jq "$@" "$filter" "$cfg" >"$cfg.new" || { rm -f "$cfg.new"; return 1; }
  mv "$cfg.new" "$cfg"
}

# json_array ARG...: the arguments as a JSON array of strings.
json_array() {
  local a json=
  for a in "$@"; do
    json+=${json:+,}$(jq -cn --arg v "$a" '$v') || return 1
  done
  echo "[$json]"
}

# set_args ARG...: process.args.
set_args() {
  set_config '.process.args = $a' --argjson a "$(json_array "$@")"
}

# add_bind SRC DEST [OPTION...]: a bind mount (options default to rbind,rw).
add_bind() {
  local src=$1 dst=$2
  shift 2
  [ $# -gt 0 ] || set -- rbind rw
  set_config '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o}]' \
    --arg d "$dst" --arg s "$src" --argjson o "$(json_array "$@")"
}

# add_tmpfs DEST [OPTION...]
add_tmpfs() {
  local dst=$1
  shift
  set_config '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": $o}]' \
    --arg d "$dst" --argjson o "$(json_array "$@")"
}

# add_caps CAP...: add capabilities to the bounding, effective and permitted sets.
add_caps() {
  set_config '.process.capabilities |= (.bounding += $c | .effective += $c | .permitted += $c)' \
    --argjson c "$(json_array "$@")"
}

# ensure_namespace TYPE: add a namespace of TYPE (no path) unless the config has one.
ensure_namespace() {
  set_config 'if any(.linux.namespaces[]; .type == $t) then . else .linux.namespaces += [{"type": $t}] end' \
    --arg t "$1"
}

# remove_namespace TYPE
remove_namespace() {
  set_config '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

has_namespace() {
  jq -e --arg t "$1" 'any(.linux.namespaces[]; .type == $t)' "$BUNDLE/config.json" >/dev/null
}

# run_in ID ARG...: set process.args to ARG... and run the container in the foreground
# (bats `run`: $status, $output, $lines).
run_in() {
  local id=$1
  shift
  set_args "$@"
  run sb run --bundle "$BUNDLE" "$id"
}

# state_of ID: the state JSON (stdout only).
state_of() { sb state "$1" 2>/dev/null; }
status_of() { state_of "$1" | jq -r .status; }
pid_of() { state_of "$1" | jq -r .pid; }

# wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for: $*"
      return 1
    fi
    sleep 0.1
  done
}

status_is() { [ "$(status_of "$1")" = "$2" ]; }
wait_status() { wait_for "${3:-10}" status_is "$1" "$2"; }

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
  local st
  st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
pid_gone() { ! pid_alive "$1"; }

# --- assertions (they print what they saw when they fail) ---

show_output() {
  echo "status: $status"
  echo "output:"
  printf '%s\n' "$output"
  if [ -n "${stderr:-}" ]; then
    echo "stderr:"
    printf '%s\n' "$stderr"
  fi
}

expect_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected exit status $1"
    show_output
    return 1
  fi
}

expect_output() {
  if [ "$output" != "$1" ]; then
    echo "expected output: $1"
    show_output
    return 1
  fi
}

expect_contains() {
  local s
  for s in "$@"; do
    if [[ "$output" != *"$s"* ]]; then
      echo "expected the output to contain: $s"
      show_output
      return 1
    fi
  done
}

expect_not_contains() {
  if [[ "$output" == *"$1"* ]]; then
    echo "expected the output not to contain: $1"
    show_output
    return 1
  fi
}

expect_one_line() {
  if [ "${#lines[@]}" -ne 1 ]; then
    echo "expected exactly one line of output, got ${#lines[@]}"
    show_output
    return 1
  fi
}

# expect_failure PHRASE: exit status 1 and a one-line error containing PHRASE.
expect_failure() {
  expect_status 1
  expect_one_line
  expect_contains "$1"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" != "$3" ]; then
    echo "$1: expected '$2', got '$3'"
    return 1
  fi
}

# expect_is ACTUAL EXPECTED: expect_eq with the value itself as the label.
expect_is() { expect_eq "value" "$2" "$1"; }

# assert_no_leftovers ID: nothing of container ID remains: no state directory, not listed,
# no process whose command line mentions the bundle, no mount below the test directory.
assert_no_leftovers() {
  local id=$1 ids
  if [ -e "$ROOT/$id" ] || [ -L "$ROOT/$id" ]; then
    echo "left behind: $ROOT/$id"
    ls -la "$ROOT/$id"
    return 1
  fi
  if ! ids=$(sb list -q); then
    echo "list failed after the error: $ids"
    return 1
  fi
  if grep -qxF -- "$id" <<<"$ids"; then
    echo "$id is still listed"
    sb list
    return 1
  fi
  if pgrep -f -- "$BUNDLE" >/dev/null; then
    echo "processes left behind:"
    pgrep -af -- "$BUNDLE"
    return 1
  fi
  if grep -F -- "$TEST_DIR" /proc/self/mountinfo; then
    echo "mounts left behind (above)"
    return 1
  fi
}

# subid_range FILE [USER]: "start count" of USER's first range in /etc/subuid or /etc/subgid
# (by name or uid), or nothing.
subid_range() {
  local file=$1 user=${2:-$(id -un)} uid
  uid=$(id -u "$user")
  awk -F: -v n="$user" -v u="$uid" '($1 == n || $1 == u) && $3 > 0 { print $2, $3; exit }' \
    "$file" 2>/dev/null
}

# The caller's subordinate ranges, when it has both and the setuid helpers are installed:
# what `spec --rootless` maps as ids 1..N.
have_subid_ranges() {
  [ -n "$(subid_range /etc/subuid)" ] && [ -n "$(subid_range /etc/subgid)" ] &&
    [ -u /usr/bin/newuidmap ] && [ -u /usr/bin/newgidmap ]
}

# The RFC3339 shape: 2026-08-21T10:11:12Z, 2026-08-21T10:11:12.123456789+02:00
RFC3339_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# --- cgroups ---
# run-suite.sh gives each suite a cgroup of its own, $SANDBOX_IT_CGROUP (e.g.
# /sandbox-test/sandbox-it.XXXX), and with SANDBOX_IT_CGROUP_PLACEMENT=test runs bats in
# $SANDBOX_IT_CGROUP/runner: in every hierarchy as root, in cgroup2 (delegated) for the
# rootless delegated suite.
CGROUP2=$(findmnt -rn -t cgroup2 -o TARGET 2>/dev/null | grep '^/sys/fs/cgroup' | head -1)

# cgroup_of PID [HIERARCHY]: PID's cgroup path in the cgroup2 hierarchy (default) or in the v1
# hierarchy HIERARCHY ("memory", "name=systemd").
cgroup_of() {
  local pid=$1 h=${2:-}
  if [ -z "$h" ]; then
    sed -n 's/^0:://p' "/proc/$pid/cgroup"
  else
    awk -F: -v h="$h" '{ n = split($2, c, ","); for (i = 1; i <= n; i++) if (c[i] == h) { sub(/^[^:]*:[^:]*:/, ""); print; exit } }' \
      "/proc/$pid/cgroup"
  fi
}

# v1_mount CONTROLLER: where the v1 hierarchy of CONTROLLER is mounted (nothing when none).
v1_mount() {
  findmnt -rn -t cgroup -o TARGET,FS-OPTIONS | awk -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }'
}

# freeze_cgroup DIR: makes the cgroup directory DIR (v1 freezer or cgroup2) and freezes it;
# teardown thaws it, kills what is in it and removes it.
FROZEN_CGROUPS=()
freeze_cgroup() {
  local dir=$1
  mkdir -p "$dir"
  FROZEN_CGROUPS+=("$dir")
  if [ -e "$dir/freezer.state" ]; then
    echo FROZEN >"$dir/freezer.state"
  else
    echo 1 >"$dir/cgroup.freeze"
  fi
}
thaw_test_cgroups() {
  local dir p
  for dir in "${FROZEN_CGROUPS[@]}"; do
    [ -d "$dir" ] || continue
    for p in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    if [ -e "$dir/freezer.state" ]; then echo THAWED >"$dir/freezer.state"; else echo 0 >"$dir/cgroup.freeze"; fi
    wait_for 10 sh -c "[ -z \"\$(cat $dir/cgroup.procs)\" ]" || true
    rmdir "$dir" 2>/dev/null || true
  done
  FROZEN_CGROUPS=()
}

# set_resources JSON: linux.resources = JSON.
set_resources() { set_config '.linux.resources = $r' --argjson r "$1"; }

# counter_args FILE: process args that write an increasing counter into FILE 10 times a second.
counter_args() {
  set_args sh -c "i=0; while true; do i=\$((i+1)); echo \$i > $1; sleep 0.1; done"
}
# counter_moves FILE: the counter in FILE changes within about 3 s. A read can land between the
# writer's truncate and its write (an empty file): such reads are not values, so an empty first
# read is retried and an empty later one skipped (one empty read made a resumed container look
# frozen under load).
counter_moves() {
  local a="" b i
  for i in 1 2 3 4 5; do
    a=$(cat "$1" 2>/dev/null)
    [ -n "$a" ] && break
    sleep 0.2
  done
  [ -n "$a" ] || return 1
  for i in 1 2 3 4 5 6; do
    sleep 0.5
    b=$(cat "$1" 2>/dev/null)
    [ -n "$b" ] && [ "$b" != "$a" ] && return 0
  done
  return 1
}
