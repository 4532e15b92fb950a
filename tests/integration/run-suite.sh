#!/usr/bin/env bash
# Run one integration suite against a built sandbox binary.
#
#   tests/integration/run-suite.sh <rootless|root> <sandbox-binary> <suite.bats>
#
# Run as root (ctest does, through tests/run.sh). It stages everything the suite needs in a
# world-readable directory under /tmp, so the source and build trees may live where the test
# user cannot read them (e.g. under /root): a copy of the binary, the suites and helpers, and
# a busybox-static rootfs. Then it runs bats on the suite, as root (mode root) or as the
# unprivileged test user `sbtest` (mode rootless; tests/setup.sh creates it), with a clean
# environment: SANDBOX, ROOTFS and SANDBOX_IT_TMP point into the staging directory, HOME is
# the user's, XDG_RUNTIME_DIR is unset. Afterwards it removes the staging directory (as root,
# so files that a container wrote as a subordinate id go too).
set -euo pipefail

usage() {
  echo "usage: $0 <rootless|root> <sandbox-binary> <suite.bats>" >&2
  exit 2
}
[ $# -eq 3 ] || usage
mode=$1
binary=$2
suite=$3
test_user=${SANDBOX_TEST_USER:-sbtest}

case "$mode" in
  root | rootless) ;;
  *) usage ;;
esac
if [ "$(id -u)" != 0 ]; then
  echo "run-suite.sh: run me as root (it drops to $test_user for the rootless mode)" >&2
  exit 1
fi
[ -x "$binary" ] || { echo "run-suite.sh: $binary: not an executable" >&2; exit 1; }
[ -f "$suite" ] || { echo "run-suite.sh: $suite: no such suite" >&2; exit 1; }
command -v bats >/dev/null || { echo "run-suite.sh: bats is missing; run tests/setup.sh" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "run-suite.sh: /bin/busybox is missing; run tests/setup.sh" >&2; exit 1; }
if [ "$mode" = rootless ] && ! id -u "$test_user" >/dev/null 2>&1; then
  echo "run-suite.sh: user $test_user does not exist; run tests/setup.sh" >&2
  exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite_name=$(basename "$suite")

stage=$(mktemp -d /tmp/sandbox-it.XXXXXX)
# The suite's own cgroups (see place_in_test_cgroups): /sandbox-test/<stage name> in every
# hierarchy it uses. Containers with a relative or default cgroupsPath nest under them; the
# machine's own cgroups are never written.
test_cgroup=/sandbox-test/$(basename "$stage")
cgroup_mounts() { findmnt -rn -t cgroup,cgroup2 -o TARGET | grep "^/sys/fs/cgroup" || true; }
cleanup() {
  local rc=$?
  remove_test_cgroups
  # A runtime bug could leave a mount on the host below the staging directory: detach those
  # first, and never let rm cross into another file system.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "$stage/" | sort -r)
  rm -rf --one-file-system "$stage" || true
  exit "$rc"
}
# remove_test_cgroups: kill whatever a failed test left in the suite's cgroups, then remove
# them, children first. Only directories below $test_cgroup are touched.
remove_test_cgroups() {
  local mnt dir pid
  for mnt in $(cgroup_mounts); do
    [ -d "$mnt$test_cgroup" ] || continue
    if [ -f "$mnt$test_cgroup/cgroup.kill" ]; then
      echo 1 >"$mnt$test_cgroup/cgroup.kill" 2>/dev/null || true
    elif [ -f "$mnt$test_cgroup/freezer.state" ]; then
      echo THAWED >"$mnt$test_cgroup/freezer.state" 2>/dev/null || true
    fi
    for pid in $(find "$mnt$test_cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null); do
      kill -9 "$pid" 2>/dev/null || true
    done
  done
  sleep 0.2
  for mnt in $(cgroup_mounts); do
    [ -d "$mnt$test_cgroup" ] || continue
    find "$mnt$test_cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
    rmdir "$mnt/sandbox-test" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$stage"

# The binary, the suite and the helpers, readable by everyone. SANDBOX_PROBE (set by ctest)
# is helpers/probe.cpp, which the terminal, fd and notify tests use on both sides.
install -m 755 "$binary" "$stage/sandbox"
# The systemd cgroup driver's helper, found next to the runtime.
install -m 755 "$(dirname "$binary")/sandbox-systemd" "$stage/sandbox-systemd"
# The seccomp agent (found next to the runtime) and its tests' loader, staged when built.
for extra in sandbox-seccomp tests/sandbox-seccomp-loader; do
  [ ! -x "$(dirname "$binary")/$extra" ] || install -m 755 "$(dirname "$binary")/$extra" "$stage/"
done
probe=${SANDBOX_PROBE:-$(dirname "$binary")/sandbox-probe}
[ -x "$probe" ] || { echo "run-suite.sh: $probe: not built" >&2; exit 1; }
install -m 755 "$probe" "$stage/sandbox-probe"
# tests/security's attacker (SANDBOX_ATTACKER, set by ctest), staged when built.
attacker=${SANDBOX_ATTACKER:-$(dirname "$binary")/tests/sandbox-attacker}
[ ! -x "$attacker" ] || install -m 755 "$attacker" "$stage/sandbox-attacker"
# The shipped seccomp profiles, where `spec --seccomp NAME` finds them next to the runtime.
mkdir -m 755 "$stage/profiles"
install -m 644 "$here"/../../profiles/*.json "$stage/profiles/"
mkdir -m 755 "$stage/suites"
install -m 644 "$here"/*.bash "$stage/suites/"
# A suite from another directory (tests/security) may bring helpers of its own.
suite_dir=$(cd "$(dirname "$suite")" && pwd)
if [ "$suite_dir" != "$here" ] && compgen -G "$suite_dir/*.bash" >/dev/null; then
  install -m 644 "$suite_dir"/*.bash "$stage/suites/"
fi
install -m 644 "$suite" "$stage/suites/$suite_name"

# A busybox-static rootfs: the binary, one relative symlink per applet in /bin (made from the
# host side), the usual top-level directories, and root plus a user 1000 in passwd/group.
rootfs=$stage/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,root,home/user,mnt,run,var}
mkdir -m 1777 "$rootfs/tmp"
install -m 755 /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
user:x:1000:
extra:x:2000:
nogroup:x:65534:
GROUP
chmod 755 "$rootfs/root"
chmod -R a+rX "$rootfs/etc"

# Scratch space for the per-test directories (bundles, state roots), owned by whoever runs
# the tests; bats keeps its own temporary files there too.
mkdir -m 755 "$stage/tmp"
runner=root
if [ "$mode" = rootless ]; then
  runner=$test_user
  chown "$test_user:" "$stage/tmp"
fi
runner_home=$(getent passwd "$runner" | cut -d: -f6)

# A state root owned by someone other than the runner, which sandbox must refuse:
# the test user's for root, root's for the test user.
mkdir -m 755 "$stage/foreign-root"
if [ "$mode" = root ] && id -u "$test_user" >/dev/null 2>&1; then
  chown "$test_user:" "$stage/foreign-root"
  chmod 700 "$stage/foreign-root"
fi

# place_in_test_cgroups PID: moves PID (the process that becomes bats) into
# $test_cgroup/runner: for root in every hierarchy, so that the containers' default cgroups
# nest under the suite's own; for the rootless delegated-cgroup suite in cgroup2 only, with
# $test_cgroup delegated to the test user (chowned as systemd delegates: the directory,
# cgroup.procs, cgroup.threads, cgroup.subtree_control).
place_in_test_cgroups() {
  local pid=$1 mnt dir f
  for mnt in $(cgroup_mounts); do
    if [ "$(stat -f -c %T "$mnt")" != cgroup2fs ]; then
      [ "$mode" = root ] || [ "$delegate_v1" = yes ] || continue
    elif [ "$delegate_v1" = yes ]; then
      continue  # the v1 suite: cgroup2 stays the machine's
    fi
    dir=$mnt$test_cgroup
    mkdir -p "$dir/runner"
    # A new v1 cpuset is empty and takes no processes until it has cpus and mems.
    for f in cpuset.cpus cpuset.mems; do
      if [ -f "$dir/$f" ]; then
        cat "$mnt/$f" >"$mnt/sandbox-test/$f" 2>/dev/null || true
        cat "$mnt/$f" >"$dir/$f"
        cat "$mnt/$f" >"$dir/runner/$f"
      fi
    done
    if [ "$mode" = rootless ] && [ "$delegate_v1" = yes ]; then
      # v1 delegation by ownership, as runc's rootless tests set it up: the whole directory.
      chown -R "$test_user:" "$dir"
    elif [ "$mode" = rootless ]; then
      chown "$test_user:" "$dir" "$dir/cgroup.procs" "$dir/cgroup.threads" \
        "$dir/cgroup.subtree_control"
    fi
    echo "$pid" >"$dir/runner/cgroup.procs"
  done
}
# enter_session_scope PID: the systemd suite runs as a member of the test user's session
# scope (tests/systemd-user.sh made it), in cgroup2 and name=systemd, as a login would place it.
enter_session_scope() {
  local pid=$1 uid mnt
  uid=$(id -u "$test_user")
  for mnt in $(cgroup_mounts); do
    local scope=$mnt/user.slice/user-$uid.slice/session-c1.scope
    [ -d "$scope" ] && echo "$pid" >"$scope/cgroup.procs"
  done
  return 0
}
cgroup_placement=none
delegate_v1=no
[ "$mode" = root ] && cgroup_placement=test
if [ "$mode" = rootless ]; then
  case "$suite_name" in
    cgroups-delegated.bats) cgroup_placement=test ;;
    cgroups-delegated-v1.bats) cgroup_placement=test delegate_v1=yes ;;
    # kill-points and load cover the user manager's scopes too (and the default choice
    # without a session, by unsetting its variables per command).
    cgroups-systemd.bats | kill-points.bats | load.bats) cgroup_placement=session ;;
  esac
fi
session_env=()
if [ "$cgroup_placement" = session ]; then
  # A real systemd --user for the test user (idempotent: started once, shared by reruns).
  if bash "$here/../systemd-user.sh" start "$test_user"; then
    uid=$(id -u "$test_user")
    session_env=(XDG_RUNTIME_DIR="/run/user/$uid"
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus")
  else
    echo "run-suite.sh: could not start systemd --user for $test_user" >&2
    exit 1
  fi
fi

env_vars=(
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  HOME="$runner_home"
  USER="$runner"
  LOGNAME="$runner"
  LANG=C.UTF-8
  TMPDIR="$stage/tmp"
  SANDBOX="$stage/sandbox"
  PROBE="$stage/sandbox-probe"
  ATTACKER="$stage/sandbox-attacker"
  ROOTFS="$rootfs"
  SANDBOX_IT_TMP="$stage/tmp"
  FOREIGN_ROOT="$stage/foreign-root"
  SANDBOX_IT_MODE="$mode"
  SANDBOX_TEST_USER="$test_user"
  SANDBOX_IT_CGROUP="$test_cgroup"
  SANDBOX_IT_CGROUP_PLACEMENT="$cgroup_placement"
  SANDBOX_IT_V1_DELEGATED="$delegate_v1"
)
# kill-points.bats: the number of points and a seed to replay, when given.
for v in KILL_POINTS KILL_SEED KILL_ONLY KILL_DELAY; do
  [ -z "${!v:-}" ] || env_vars+=("$v=${!v}")
done
bats_cmd=(bats --tap --timing --print-output-on-failure "$stage/suites/$suite_name")

echo "# suite $suite_name, mode $mode, as $runner, staged in $stage"
cd "$stage"
set +e
(
  # This subshell becomes bats: it enters the suite's cgroups first (the runner shell stays
  # where it is, so the cgroups can be removed afterwards).
  case "$cgroup_placement" in
    test) place_in_test_cgroups "$BASHPID" ;;
    session) enter_session_scope "$BASHPID" ;;
  esac
  if [ "$mode" = root ]; then
    exec env -i "${env_vars[@]}" "${bats_cmd[@]}" </dev/null
  else
    exec setpriv --reuid="$test_user" --regid="$test_user" --init-groups --reset-env \
      env -i "${env_vars[@]}" "${session_env[@]}" "${bats_cmd[@]}" </dev/null
  fi
)
rc=$?
set -e
exit "$rc"
