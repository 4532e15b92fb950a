# The kill-at-random-points harness (kill-points.bats): SIGKILL the runtime process, as an
# engine's timeout would, at a random moment of create, run -d, run (foreground), start, exec or
# delete -f, then check that `list` shows every container with a trace and that `delete -f` of
# each leaves no process, cgroup, systemd scope, host mount or state directory.
#
# Only the runtime is killed, never its process group: what it made (the init, helpers) is what
# the test looks for afterwards.
#
# Knobs (environment):
#   KILL_POINTS  points in total (default 204: 34 per command, 6 commands)
#   KILL_SEED    base seed; point N uses seed KILL_SEED+N, so one point replays alone with
#                KILL_SEED=S KILL_ONLY=N (both are printed with every failure)
#   KILL_ONLY    run only these point numbers (space-separated)
#   KILL_DELAY   with KILL_ONLY: the delay (microseconds) instead of the seed's; the normal
#                durations are measured anew on every run, so the seed alone gives another one
#
# Every container of a run is named kp<TAG>-<N>-<cmd> and runs `sleep 7<TAG><NNN>` (or, for the
# short-lived foreground processes, `sh -c '...' 7<TAG><NNN>`), so a leftover process is found in
# /proc/*/cmdline by the tag whether it is still the runtime's clone (its command line names the
# id) or already the container's program (the marker), and leads back to its point.

KP_COMMANDS=(create run-d run-fg start exec delete)

# kp_init: the run's tag, seed, drivers and scratch files.
kp_init() {
  KP_TAG=$(((RANDOM % 90000) + 10000))
  KP_SEED=${KILL_SEED:-$((RANDOM * 32768 + RANDOM))}
  KP_POINTS=${KILL_POINTS:-204}
  KP_PREFIX=kp$KP_TAG-
  KP_MARK=7$KP_TAG
  KP_DIR=$TEST_DIR/kp
  mkdir -p "$KP_DIR/bundles" "$KP_DIR/io"
  # The patterns live in a file: a pattern on grep's own command line would find grep.
  printf '%s\n' "$KP_PREFIX" "$KP_MARK" >"$KP_DIR/patterns"
  # The cgroup drivers the suites use. Root: cgroupfs (and systemd when a system manager
  # answers). Rootless: the user manager's scopes when run-suite.sh gave us a session, and
  # the default choice without one (cgroupfs in the delegated user slice, or no cgroup).
  KP_DRIVERS=()
  if is_root; then
    KP_DRIVERS+=(cgroupfs)
    systemctl is-system-running >/dev/null 2>&1 && KP_DRIVERS+=(systemd)
  else
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && KP_DRIVERS+=(systemd)
    KP_DRIVERS+=(default)
  fi
  KP_FAILS=()
  declare -gA KP_COUNT=() KP_INFO=() KP_SEEN=() KP_CHOSEN=()
}

# kp_sb DRIVER ARGS...: the runtime (exec'd, so that $! of `kp_sb ... &` is the runtime).
kp_sb() {
  local driver=$1
  shift
  case "$driver" in
    systemd) is_root && set -- --systemd-cgroup "$@" ;;
    default) exec env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR "$SANDBOX" --root "$ROOT" "$@" ;;
  esac
  exec "$SANDBOX" --root "$ROOT" "$@"
}

# kp_cmd DRIVER ARGS...: the runtime with a time limit (timeout 30: a hang is a failure, not a
# stuck suite); its output, in KP_OUT, goes through a file, since a container it starts inherits
# its stdout and would hold a pipe open.
kp_cmd() {
  local rc=0
  timeout -k 5 30 bash -c 'kp_sb "$@"' _ "$@" </dev/null >"$KP_DIR/out" 2>&1 3>&- || rc=$?
  KP_OUT=$(head -c 300 "$KP_DIR/out")
  return "$rc"
}

# kp_ok DRIVER ARGS...: a setup command, which must succeed.
kp_ok() {
  local rc=0
  kp_cmd "$@" || rc=$?
  [ "$rc" -eq 0 ] || echo "setup: ${*:2}: exit $rc: $KP_OUT"
  return "$rc"
}

# kp_bundle N ARG...: a bundle holding only config.json (root.path is the shared rootfs).
kp_bundle() {
  local dir=$KP_DIR/bundles/$1
  shift
  mkdir -p "$dir"
  jq --arg r "$BUNDLE/rootfs" --argjson a "$(json_array "$@")" \
    '.root.path = $r | .process.args = $a' "$BUNDLE/config.json" >"$dir/config.json" 2>&1
  echo "$dir"
}

now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }

# kp_prepare CMD N ID DRIVER: the container a point's command acts on; sets KP_ARGS to the
# command that will be killed.
kp_prepare() {
  local cmd=$1 n=$2 id=$3 driver=$4 mark
  mark=$KP_MARK$(printf %03d "$n")
  local short=(sh -c 'sleep 0.1; exit 0' "$mark")
  local b
  case "$cmd" in
    run-fg) b=$(kp_bundle "$n" "${short[@]}") ;;
    *) b=$(kp_bundle "$n" sleep "$mark") ;;
  esac
  case "$cmd" in
    create) KP_ARGS=(create --bundle "$b" "$id") ;;
    run-d) KP_ARGS=(run -d --bundle "$b" "$id") ;;
    run-fg) KP_ARGS=(run --bundle "$b" "$id") ;;
    start) kp_ok "$driver" create --bundle "$b" "$id" && KP_ARGS=(start "$id") ;;
    exec) kp_ok "$driver" run -d --bundle "$b" "$id" && KP_ARGS=(exec "$id" "${short[@]}") ;;
    delete) kp_ok "$driver" run -d --bundle "$b" "$id" && KP_ARGS=(delete -f "$id") ;;
  esac
}

# kp_measure DRIVER: the normal duration (microseconds) of each command, from one untouched
# run each (after one warm-up create), into KP_DUR[CMD]; the containers are removed.
kp_measure() {
  local driver=$1 cmd t0 t1 id
  declare -gA KP_DUR
  kp_prepare create 999 "${KP_PREFIX}warm" "$driver" && kp_ok "$driver" "${KP_ARGS[@]}" || return 1
  # Which driver the runtime took (for the summary; "default" is its own choice).
  KP_CHOSEN[$driver]=$(jq -r '.cgroup.driver // "none"' "$ROOT/${KP_PREFIX}warm/state.json" 2>/dev/null)
  kp_ok "$driver" delete -f "${KP_PREFIX}warm" || return 1
  for cmd in "${KP_COMMANDS[@]}"; do
    id=${KP_PREFIX}m-$cmd
    kp_prepare "$cmd" 998 "$id" "$driver" || return 1
    t0=$(now_us)
    kp_ok "$driver" "${KP_ARGS[@]}" || return 1
    t1=$(now_us)
    KP_DUR[$driver:$cmd]=$((t1 - t0))
    kp_ok "$driver" delete -f "$id" || return 1
  done
}

# kp_point N CMD DRIVER: one kill point.
kp_point() {
  local n=$1 cmd=$2 driver=$3 id=$KP_PREFIX$1-$2 dur delay pid
  RANDOM=$((KP_SEED + n))
  dur=${KP_DUR[$driver:$cmd]}
  delay=${KILL_DELAY:-$(((RANDOM * 32768 + RANDOM) % (dur + 1)))}
  KP_INFO[$n]="point $n: $cmd, driver $driver, kill after ${delay}us of ~${dur}us (replay: KILL_SEED=$KP_SEED KILL_ONLY=$n KILL_DELAY=$delay)"
  if ! kp_prepare "$cmd" "$n" "$id" "$driver"; then
    kp_fail "$n" setup "could not prepare $id"
    return
  fi
  kp_sb "$driver" "${KP_ARGS[@]}" </dev/null >"$KP_DIR/io/$n" 2>&1 3>&- &
  pid=$!
  [ "$delay" -lt 1000 ] || sleep "$((delay / 1000000)).$(printf %06d $((delay % 1000000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# kp_fail N WHAT DETAIL: one failed assertion, counted by kind and command.
kp_fail() {
  local n=$1 what=$2 key
  key="$what: $3"
  [ -z "${KP_SEEN[$key]:-}" ] || return 0
  KP_SEEN[$key]=1
  KP_COUNT[$what]=$((${KP_COUNT[$what]:-0} + 1))
  KP_FAILS+=("${KP_INFO[$n]:-point $n}: $what: $3")
}

# kp_point_of NAME: the point number in an id (kp<TAG>-<N>-cmd) or marker (7<TAG><NNN>).
kp_point_of() {
  local s=$1
  if [[ $s =~ ${KP_PREFIX}([0-9]+)- ]]; then
    echo "$((10#${BASH_REMATCH[1]}))"
  elif [[ $s =~ ${KP_MARK}([0-9]{3}) ]]; then
    echo "$((10#${BASH_REMATCH[1]}))"
  else
    echo "?"
  fi
}

# kp_pids: "PID CMDLINE" of live processes of this run (zombies have no command line).
kp_pids() {
  local f pid
  for f in $(grep -laFf "$KP_DIR/patterns" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    echo "$pid $(tr '\0' ' ' <"$f" 2>/dev/null)"
  done
}

# kp_cgroups: cgroup directories of this run in every hierarchy (cgroup2 and v1).
kp_cgroups() {
  local mnt
  for mnt in $(findmnt -rn -t cgroup,cgroup2 -o TARGET | grep '^/sys/fs/cgroup'); do
    find "$mnt" -type d -name "*$KP_PREFIX*" -prune 2>/dev/null
  done
  return 0
}

# kp_scopes: systemd units of this run (sandbox-ID.scope, src/cgroup/path.cpp).
kp_scopes() {
  local flags=()
  is_root || flags=(--user)
  if is_root; then systemctl is-system-running >/dev/null 2>&1 || return 0; fi
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || is_root || return 0
  systemctl "${flags[@]}" list-units --all --no-legend --plain "sandbox-$KP_PREFIX*" 2>/dev/null |
    awk '{ print $1 }'
}

# kp_check DRIVER: after a batch: list shows every state directory, delete -f of each works,
# and nothing of any container of this run is left.
kp_check() {
  local driver=$1 rc id dirs listed
  dirs=$(find "$ROOT" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
  rc=0
  kp_cmd "$driver" list -q || rc=$?
  if [ "$rc" -ne 0 ]; then
    kp_fail "$(kp_point_of "$dirs")" list-failed "exit $rc: $KP_OUT"
    listed=
  else
    listed=$(sort "$KP_DIR/out")
  fi
  for id in $dirs; do
    grep -qxF -- "$id" <<<"$listed" || kp_fail "$(kp_point_of "$id")" unlisted-state "$id has a state directory but is not listed"
  done
  for id in $(sort -u <<<"$dirs"$'\n'"$listed"); do
    rc=0
    kp_cmd "$driver" delete -f "$id" || rc=$?
    [ "$rc" -eq 0 ] || kp_fail "$(kp_point_of "$id")" delete-failed "delete -f $id: exit $rc: $KP_OUT"
  done
  kp_leftovers "$driver"
}

# kp_leftovers DRIVER: count (and then remove, so that the next batch starts clean) what
# delete -f left.
kp_leftovers() {
  local driver=$1 pids line pid dir unit i id scopes
  # Units first: killing a leftover process below may end its scope.
  scopes=$(kp_scopes)
  # A process that delete -f killed may take a moment to go.
  for i in 1 2 3 4 5; do
    pids=$(kp_pids)
    [ -n "$pids" ] || break
    sleep 0.2
  done
  while read -r pid line; do
    [ -n "$pid" ] || continue
    kp_fail "$(kp_point_of "$line")" process "pid $pid ($line) outlived delete -f"
    kill -KILL "$pid" 2>/dev/null || true
  done <<<"$pids"
  for unit in $scopes; do
    kp_fail "$(kp_point_of "$unit")" scope "$unit is still loaded"
    if is_root; then systemctl stop "$unit"; else systemctl --user stop "$unit"; fi >/dev/null 2>&1 || true
  done
  # One failure per container, naming its directories; the count of directories is kept too
  # (the issue's figure).
  declare -A dirs_of=()
  for dir in $(kp_cgroups); do
    id=${dir##*/}
    dirs_of[$id]+=" $dir"
    KP_CGROUP_DIRS=$((${KP_CGROUP_DIRS:-0} + 1))
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  for id in "${!dirs_of[@]}"; do
    kp_fail "$(kp_point_of "$id")" cgroup "$id left $(wc -w <<<"${dirs_of[$id]}") directories:${dirs_of[$id]}"
  done
  while read -r line; do
    [ -n "$line" ] || continue
    kp_fail "$(kp_point_of "$line")" mount "$line"
  done < <(grep -F -- "$TEST_DIR" /proc/self/mountinfo | awk '{ print $5 }')
  for dir in $(find "$ROOT" -mindepth 1 -maxdepth 1 -printf '%f\n'); do
    kp_fail "$(kp_point_of "$dir")" state-dir "$ROOT/$dir"
    rm -rf "${ROOT:?}/$dir" 2>/dev/null || true
  done
}

# kp_run: measure, then every point in batches of one point per command, the driver
# alternating by batch; prints a summary to the TAP stream and fails with every failure listed.
kp_run() {
  export -f kp_sb is_root
  export KP_DIR
  export SANDBOX ROOT
  local d b n cmd per t0 t_measure t_points=0 t_check=0 t
  t0=$(now_us)
  for d in "${KP_DRIVERS[@]}"; do
    kp_measure "$d" || { echo "measuring with driver $d failed"; return 1; }
  done
  t_measure=$(($(now_us) - t0))
  per=$(((KP_POINTS + ${#KP_COMMANDS[@]} - 1) / ${#KP_COMMANDS[@]}))
  n=0
  for ((b = 0; b < per; b++)); do
    d=${KP_DRIVERS[b % ${#KP_DRIVERS[@]}]}
    local ran=0
    t=$(now_us)
    for cmd in "${KP_COMMANDS[@]}"; do
      if [ -z "${KILL_ONLY:-}" ] || [[ " $KILL_ONLY " == *" $n "* ]]; then
        kp_point "$n" "$cmd" "$d" 2>/dev/null # (no "Killed" job notices)
        ran=1
      fi
      n=$((n + 1))
    done
    t_points=$((t_points + $(now_us) - t))
    t=$(now_us)
    [ "$ran" = 0 ] || kp_check "$d"
    t_check=$((t_check + $(now_us) - t))
  done
  {
    echo "# kill points: $n ($per per command), drivers: ${KP_DRIVERS[*]}, seed $KP_SEED"
    echo "# time: measuring $((t_measure / 1000))ms, points $((t_points / 1000))ms, checks $((t_check / 1000))ms"
    for d in "${KP_DRIVERS[@]}"; do
      echo "# driver $d: the runtime chose ${KP_CHOSEN[$d]:-?}"
      for cmd in "${KP_COMMANDS[@]}"; do printf '# %s %s: ~%dms\n' "$d" "$cmd" "$((${KP_DUR[$d:$cmd]} / 1000))"; done
    done
    for k in "${!KP_COUNT[@]}"; do echo "# failures: $k: ${KP_COUNT[$k]}"; done
    [ -z "${KP_CGROUP_DIRS:-}" ] || echo "# cgroup directories left: $KP_CGROUP_DIRS"
  } >&3
  if [ "${#KP_FAILS[@]}" -gt 0 ]; then
    for k in "${!KP_COUNT[@]}"; do echo "$k: ${KP_COUNT[$k]}"; done
    [ -z "${KP_CGROUP_DIRS:-}" ] || echo "cgroup directories left: $KP_CGROUP_DIRS"
    printf '%s\n' "${KP_FAILS[@]}"
    return 1
  fi
}
