#!/usr/bin/env bash
# The benchmark: sandbox side by side with runc and crun (and bubblewrap and a plain exec as
# floors), as root and as an unprivileged user, with cgroups and without, in one run.
#
#   sudo bench/run.sh            # the full run (about 5 minutes on 2 cores)
#   sudo bench/run.sh --quick    # a few rounds, to see that everything works
#   sudo bench/run.sh --only seccomp   # only the seccomp cases (combines with --quick)
#
# It installs what it needs from Debian (runc, crun, bubblewrap, hyperfine, busybox-static,
# time and the build packages), builds sandbox (Release) and the driver (bench/bench_driver.cpp)
# into build-bench/, makes a busybox bundle, and writes bench/results/<date>-raw.tsv (one line
# per measurement) and bench/results/<date>-report.md (the tables), which it also prints
# (<date>-seccomp-raw.tsv and <date>-seccomp-report.md with --only seccomp).
#
# Fairness (bench/README.md says more):
# - the same rootfs and the same config.json for every runtime, one bundle per container only
#   because cgroupsPath must differ between containers that live at once;
# - the same cgroup handling: "cgroups off" gives none to anybody (`--cgroup-manager
#   disabled`), "cgroups on" gives each container its own: cgroupfs under /sandbox-bench as root,
#   a systemd user scope rootless (`--systemd-cgroup`, a real `systemd --user`);
# - crun 1.8.1 refuses this machine's hybrid cgroup layout, so everything runs in a private
#   mount namespace where the cgroup2 mount shows no controllers (an empty file over
#   /sys/fs/cgroup/unified/cgroup.controllers): the v1 controllers are used, by all alike;
# - the runtimes take turns round by round, in an order that rotates, so that drift of the
#   machine falls on all of them.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=bench/run.sh
die() { echo "$prog: $*" >&2; exit 1; }

user=${SANDBOX_BENCH_USER:-${SANDBOX_TEST_USER:-sbtest}}
work=${SANDBOX_BENCH_WORKDIR:-/var/tmp/sandbox-bench}
build=$repo/build-bench
rounds=30 seq_rounds=3 seq=100 par=20 only=all

# ---- inside the private mount namespace (the second half, see the end) ----
if [ "${1:-}" = --inside ]; then
  shift
  raw=$1 rounds=$2 seq_rounds=$3 seq=$4 par=$5 only=$6
  # Every set-up also gets the seccomp cases (template-seccomp.json: profiles/default.json as
  # linux.seccomp); --only seccomp measures nothing else.
  extra=()
  [ "$only" = seccomp ] && extra=(--only seccomp)
  controllers=/sys/fs/cgroup/unified/cgroup.controllers
  if [ -f "$controllers" ]; then
    : >"$work/no-controllers"
    mount --bind "$work/no-controllers" "$controllers"
  fi
  measure() { # LABEL DIR CGROUPS -- runs the driver as the caller
    "$build/sandbox-bench" measure --label "$1" --workdir "$2" --template "$2/template.json" \
      --sandbox "$build/sandbox" --cgroups "$3" --rounds "$rounds" --seq-rounds "$seq_rounds" \
      --seq "$seq" --par "$par" --seccomp-template "$2/template-seccomp.json" "${extra[@]}"
  }
  as_user() { # LABEL CGROUPS: the driver as the user, in its login session when cgroups are on
    local args=(measure --label "$1" --workdir "$work/rootless" --template
      "$work/rootless/template.json" --sandbox "$build/sandbox" --cgroups "$2" --rounds "$rounds"
      --seq-rounds "$seq_rounds" --seq "$seq" --par "$par"
      --seccomp-template "$work/rootless/template-seccomp.json" "${extra[@]}")
    if [ "$2" = on ]; then
      "$repo/tests/systemd-user.sh" enter "$user" -- "$build/sandbox-bench" "${args[@]}"
    else
      (cd / && setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
        "$build/sandbox-bench" "${args[@]}")
    fi
  }
  for cg in off on; do
    echo "==> rootless ($user), cgroups $cg" >&2
    as_user "rootless, cgroups $cg" "$cg" >>"$raw"
    echo "==> root, cgroups $cg" >&2
    measure "root, cgroups $cg" "$work/root" "$cg" >>"$raw"
  done
  [ "$only" = seccomp ] && exit 0
  # A second opinion on the headline number from a tool of its own: hyperfine, same bundle.
  echo "==> hyperfine: run of /bin/true, root, cgroups off" >&2
  bundle=$work/root/bundles/root-cgroups-off-sandbox-true
  cbundle=$work/root/bundles/root-cgroups-off-crun-true
  hyperfine -N --warmup 5 --runs "$((rounds * 2))" --export-markdown "$work/hyperfine.md" \
    -n sandbox "$build/sandbox --root $work/root/hf-sandbox --cgroup-manager disabled run --bundle $bundle hf" \
    -n crun "crun --root $work/root/hf-crun --cgroup-manager=disabled run --bundle $cbundle hf" \
    >&2
  exit 0
fi

# ---- outside: install, build, prepare, then run the second half ----
[ "$(id -u)" = 0 ] || die "run me as root (sudo $0): it installs packages and measures as root too"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=3 seq_rounds=1 seq=10 par=5 ;;
    --only) [ "${2:-}" = seccomp ] || die "usage: $prog [--quick] [--only seccomp]"
      only=seccomp
      shift ;;
    *) die "usage: $prog [--quick] [--only seccomp]" ;;
  esac
  shift
done

# shellcheck source=tests/install-deps.sh
. "$repo/tests/install-deps.sh"
echo "==> Installing packages" >&2
SANDBOX_PACKAGES+=(runc crun bubblewrap hyperfine time)
install_packages >&2
prepare_devices
ensure_user "$user" >&2

echo "==> Building sandbox and the driver (Release) in $build" >&2
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSANDBOX_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target sandbox sandbox-systemd sandbox-seccomp \
  sandbox-bench >&2
# The user must be able to run them: the checkout may be under a 0700 home.
setpriv --reuid="$user" --regid="$user" --init-groups test -x "$build/sandbox" ||
  die "$user cannot run $build/sandbox: make the checkout readable for it (chmod o+x on its directories)"

echo "==> Preparing the bundle in $work" >&2
rm -rf "$work"
mkdir -p "$work/root" "$work/rootless"
chmod 755 "$work"
# One busybox rootfs for all (the bundles name it by absolute root.path); read-only for all.
for mode in root rootless; do
  rootfs=$work/$mode/rootfs
  mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc}
  cp /bin/busybox "$rootfs/bin/busybox"
  for c in sh true sleep; do ln -s busybox "$rootfs/bin/$c"; done
done
chown -R "$user:$(id -g "$user")" "$work/rootless"
# The template: sandbox's own `spec` (the same document runc's and crun's `spec` make), at
# ociVersion 1.0.2 because crun 1.8.1 refuses any version it does not know.
fix_template() {
  jq '.ociVersion = "1.0.2" | .process.terminal = false' "$1/config.json" >"$1/template.json"
  rm "$1/config.json"
}
(cd "$work/root" && "$build/sandbox" spec && fix_template "$work/root")
(cd "$work/rootless" && setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
  bash -c "cd '$work/rootless' && '$build/sandbox' spec --rootless && jq '.ociVersion = \"1.0.2\" | .process.terminal = false' config.json > template.json && rm config.json")

# The same template with the shipped default profile as linux.seccomp, for every runtime.
for mode in root rootless; do
  jq --slurpfile p "$repo/profiles/default.json" '.linux.seccomp = $p[0]' \
    "$work/$mode/template.json" >"$work/$mode/template-seccomp.json"
done

echo "==> A systemd user manager for $user (rootless cgroups go through it)" >&2
"$repo/tests/systemd-user.sh" start "$user" >&2

stamp=$(date -u +%Y-%m-%d)
mkdir -p "$repo/bench/results"
suffix=
[ "$only" = seccomp ] && suffix=-seccomp
raw=$repo/bench/results/$stamp$suffix-raw.tsv
report=$repo/bench/results/$stamp$suffix-report.md
: >"$raw"
chmod 644 "$raw"
cleanup_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/sandbox-bench /sys/fs/cgroup/sandbox-bench; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}
trap cleanup_cgroups EXIT
unshare -m --propagation private "$0" --inside "$raw" "$rounds" "$seq_rounds" "$seq" "$par" "$only"

{
  echo "# sandbox benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)," \
    "$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- sandbox $("$build/sandbox" --version | sed -n 's/^commit: //p'), $(crun --version | head -1)," \
    "runc $(runc --version | sed -n 's/^runc version //p'), $(bwrap --version)"
  echo "- rounds: $rounds (runs, lifecycle, exec, RSS), $seq_rounds ($seq sequential runs; two" \
    "parallel loops of $par runs each); the order of the runtimes rotates every round"
  echo "- raw data: bench/results/$(basename "$raw")"
  echo "- runc has no \"cgroups off\" as root and no rootless systemd driver on cgroup v1 (n/a)"
  echo "- seccomp cases: profiles/default.json as linux.seccomp, the same config for all; a" \
    "runtime that refuses it is n/a with its message; the syscall loop (2000 times" \
    "\`echo x > /tmp/f\`, /tmp a tmpfs) and its recording are sandbox only, $((rounds / 3 > 0 ? rounds / 3 : 1)) rounds"
  "$build/sandbox-bench" report "$raw"
  if [ "$only" = all ]; then
    echo
    echo "### hyperfine's own timing of run, root, cgroups off (mean ± σ)"
    echo
    cat "$work/hyperfine.md"
  fi
} >"$report"
cat "$report"
echo "==> Wrote $report and $raw" >&2
