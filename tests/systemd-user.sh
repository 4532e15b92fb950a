#!/usr/bin/env bash
# A real `systemd --user` (with its socket-activated session bus) for a test user, on a machine
# whose PID 1 is not systemd and that has no logind: this does by hand what logind and
# user@.service would do at login. The systemd cgroup driver's tests talk to it.
#
#   systemd-user.sh start USER          start the manager (idempotent) and wait until it answers
#   systemd-user.sh stop USER           stop the manager started here, remove the cgroups made here
#   systemd-user.sh env USER            print the client environment (two VAR=value lines)
#   systemd-user.sh enter USER -- CMD…  run CMD as USER inside the session scope, with that env
#
# Run as root. What `start` does (the recipe of the test machine's notes, "A real systemd user
# manager"):
# - /run/user/UID, 0700, owned by the user (logind's job);
# - user.slice/user-UID.slice/{user@UID.service,session-c1.scope} in every hierarchy systemd
#   uses (cgroup2 and the v1 name=systemd one on a hybrid host, /sys/fs/cgroup on a unified
#   one), delegated to the user: the manager runs in user@UID.service and moves processes into
#   its scopes, and callers live in session-c1.scope. On cgroup2 a move needs write access to
#   the common ancestor's cgroup.procs, hence user-UID.slice is the user's too;
# - systemd refuses a user instance unless /run/systemd/system exists, and creating that on the
#   host would make apt's scripts believe systemd is PID 1: the manager gets a private mount
#   namespace with a tmpfs on /run/systemd instead.
# State (the manager's pid, the cgroups made here, its log) is under /run/sandbox-systemd-user/UID.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: $*" >&2; exit 1; }
usage() {
  echo "usage: $prog start|stop|env USER" >&2
  echo "       $prog enter USER -- CMD [ARG...]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1 user=$2
shift 2
uid=$(id -u "$user" 2>/dev/null) || die "no such user: $user"
gid=$(id -g "$user")
rundir=/run/user/$uid
bus=$rundir/bus
state=/run/sandbox-systemd-user/$uid
log=$state/manager.log
slice=user.slice/user-$uid.slice
service=$slice/user@$uid.service
session=$slice/session-c1.scope

client_env=(XDG_RUNTIME_DIR="$rundir" DBUS_SESSION_BUS_ADDRESS="unix:path=$bus")

# The hierarchies systemd keeps its tree in: /sys/fs/cgroup on a unified host; on a hybrid
# (or legacy) one, the cgroup2 mount at unified/ and the v1 name=systemd one.
cgroup_mounts() {
  if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
    echo /sys/fs/cgroup
    return
  fi
  [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && echo /sys/fs/cgroup/unified
  grep -q '^[^ ]* /sys/fs/cgroup/systemd cgroup .*name=systemd' /proc/self/mounts &&
    echo /sys/fs/cgroup/systemd
  return 0
}

# as_user CMD...: CMD as the user with a clean login-like environment plus the client env.
as_user() {
  exec setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
    env "${client_env[@]}" "$@"
}

# join_session PID: PID into session-c1.scope in every hierarchy (where a login would put it).
join_session() {
  local m
  for m in $(cgroup_mounts); do
    [ -d "$m/$session" ] || die "$m/$session does not exist (run: $prog start $user)"
    echo "$1" >"$m/$session/cgroup.procs"
  done
}

# in_session CMD...: CMD as a session member, in a subshell (the caller stays where it is).
in_session() {
  (
    join_session "$BASHPID"
    cd /
    as_user "$@"
  )
}

# system_state: the manager's SystemState ("starting", "running", "degraded", ...), asked over
# the session bus as a session member; fails when nothing answers. This is what
# `systemctl --user is-system-running` prints, except that systemctl first checks sd_booted()
# (/run/systemd/system, which only exists in the manager's mount namespace) and says "offline"
# outside it.
system_state() {
  local out
  out=$(in_session busctl --user --timeout=2 get-property org.freedesktop.systemd1 \
    /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager SystemState 2>/dev/null) || return 1
  out=${out#s \"}
  echo "${out%\"}"
}

# The manager answers on the session bus and has finished starting up.
manager_ready() {
  case $(system_state) in
    running | degraded) true ;;
    *) false ;;
  esac
}

# Pids of the user's `systemd --user` processes, whoever started them.
user_managers() {
  pgrep -u "$uid" -x systemd || true
}

# The pid recorded by `start`, when that process is still the manager it started (same start
# time: a recycled pid is not ours).
recorded_pid() {
  local pid start
  [ -r "$state/pid" ] || return 1
  read -r pid start <"$state/pid" || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  [ "$(proc_start "$pid")" = "$start" ] || return 1
  echo "$pid"
}
# Field 22 of /proc/PID/stat (after the parenthesised comm, which may hold spaces).
proc_start() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  set -- $s
  echo "${20}"
}

# make_cgroup MOUNT PATH: mkdir MOUNT/PATH and its missing parents, remembering what was made
# here (only that is removed by `stop`).
make_cgroup() {
  local m=$1 rel=$2 part path=""
  local IFS=/
  for part in $rel; do
    path=${path:+$path/}$part
    if [ ! -d "$m/$path" ]; then
      mkdir "$m/$path"
      echo "$m/$path" >>"$state/cgroups"
    fi
  done
}

# delegate DIR: the directory and the files a delegatee writes become the user's (as
# systemd's Delegate=yes does); `tasks` is v1's cgroup.procs for threads.
delegate() {
  local f
  chown "$uid:$gid" "$1"
  for f in cgroup.procs cgroup.threads cgroup.subtree_control tasks; do
    [ -e "$1/$f" ] && chown "$uid:$gid" "$1/$f"
  done
  return 0
}

# On a unified host, offer the usual controllers (those user@.service delegates) to the user's
# tree, in the cgroups made here only. A hybrid host's cgroup2 has none of them: a no-op there.
enable_controllers() {
  local dir=$1 c
  grep -qx "$dir" "$state/cgroups" 2>/dev/null || return 0
  for c in cpu memory pids io; do
    grep -qw "$c" "$dir/cgroup.controllers" 2>/dev/null &&
      echo "+$c" >"$dir/cgroup.subtree_control" 2>/dev/null
  done
  return 0
}

show_log() {
  [ -s "$log" ] || return 0
  echo "--- last lines of $log:" >&2
  tail -n 25 "$log" >&2
}

do_start() {
  [ -x /lib/systemd/systemd ] || die "/lib/systemd/systemd is missing (apt-get install systemd dbus dbus-user-session)"
  [ -e /usr/lib/systemd/user/dbus.socket ] ||
    die "no dbus.socket user unit: the manager would have no session bus (apt-get install dbus-user-session)"
  mkdir -p "$state"
  chmod 755 /run/sandbox-systemd-user "$state"

  local pid
  if pid=$(recorded_pid) && manager_ready; then
    echo "$prog: systemd --user for $user already running (pid $pid)"
    return 0
  fi

  # /run/user/UID as logind makes it.
  mkdir -p /run/user
  chmod 755 /run/user
  [ -d "$rundir" ] || mkdir -m 700 "$rundir"
  chown "$uid:$gid" "$rundir"
  chmod 700 "$rundir"

  local mounts m
  mounts=$(cgroup_mounts)
  [ -n "$mounts" ] || die "no cgroup2 or name=systemd hierarchy is mounted under /sys/fs/cgroup"
  for m in $mounts; do
    make_cgroup "$m" "$service"
    make_cgroup "$m" "$session"
    [ "$(stat -fc %T "$m")" = cgroup2fs ] && enable_controllers "$m/user.slice" &&
      enable_controllers "$m/$slice"
    delegate "$m/$slice"
    delegate "$m/$service"
    delegate "$m/$session"
  done

  # A manager that answers but was not started here (or whose pid file is gone): use it.
  if manager_ready; then
    echo "$prog: a systemd --user for $user is already running (not started by $prog)"
    return 0
  fi
  if pid=$(recorded_pid); then
    # Ours, but not ready (yet): give it the usual time below.
    echo "$prog: systemd --user for $user (pid $pid) is not ready yet; waiting"
  else
    # A second manager would share the first one's cgroup, runtime directory and sockets.
    local others
    others=$(user_managers | tr '\n' ' ')
    [ -z "$others" ] ||
      die "another systemd --user for $user (pid ${others% }) runs but does not answer on $bus; stop it first"
    : >"$log"
    local procs_files=""
    for m in $mounts; do procs_files+=" $m/$service/cgroup.procs"; done
    # The manager's process: a private mount namespace whose /run/systemd has system/, moved
    # into user@UID.service, then the user's. setsid without --fork keeps the pid (a
    # background job of a script is not a group leader), so $! is the manager itself.
    # Its log goes to stderr (the log file): there is no journald here. The tmpfs is 32 MiB
    # (it holds next to nothing): `systemctl --user daemon-reload` refuses to run with less
    # than 16 MiB free on /run/systemd.
    setsid unshare -m --propagation private -- /bin/sh -c '
        set -e
        mount -t tmpfs -o mode=0755,size=32m sandbox-systemd-user /run/systemd
        mkdir /run/systemd/system
        for f in $1; do echo $$ >"$f"; done
        shift
        exec "$@"' sh "$procs_files" \
      setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
      env XDG_RUNTIME_DIR="$rundir" SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 \
      /lib/systemd/systemd --user </dev/null >>"$log" 2>&1 &
    pid=$!
    sleep 0.1
    [ -r "/proc/$pid/stat" ] || { show_log; die "systemd --user for $user exited at once"; }
    echo "$pid $(proc_start "$pid")" >"$state/pid"
    echo "$prog: started systemd --user for $user (pid $pid, log $log)"
  fi

  local deadline=$((SECONDS + 15)) st
  while [ "$SECONDS" -lt "$deadline" ]; do
    st=$(system_state) || st=""
    case $st in
      running | degraded)
        echo "$prog: systemd --user for $user is $st; bus $bus"
        return 0
        ;;
    esac
    [ -r "/proc/$pid/stat" ] || { show_log; die "systemd --user for $user (pid $pid) exited"; }
    sleep 0.2
  done
  echo "$prog: systemd --user for $user (pid $pid) is not ready after 15 s:" \
    "${st:-no answer on $bus}" >&2
  show_log
  exit 1
}

# cgroup_empty DIR: no process in DIR or below it.
cgroup_empty() {
  local f
  while IFS= read -r f; do
    grep -q . "$f" 2>/dev/null && return 1  # (cgroup files always have size 0)
  done < <(find "$1" -name cgroup.procs 2>/dev/null)
  return 0
}

do_stop() {
  local pid i
  if pid=$(recorded_pid); then
    # A user manager answers SIGTERM by starting exit.target: its units stop, then it exits.
    kill -TERM "$pid"
    for i in $(seq 100); do
      [ -r "/proc/$pid/stat" ] || break
      sleep 0.1
    done
    if [ -r "/proc/$pid/stat" ]; then
      echo "$prog: systemd --user (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    echo "$prog: stopped systemd --user for $user (pid $pid)"
  else
    echo "$prog: no systemd --user started by $prog for $user is running"
  fi
  rm -f "$state/pid"

  # The cgroups made here, deepest first. What the manager made below user@UID.service goes
  # with it once empty; a cgroup that still holds processes stays (and is said).
  if [ -s "$state/cgroups" ]; then
    local dir left=()
    while IFS= read -r dir; do
      [ -d "$dir" ] || continue
      if ! cgroup_empty "$dir"; then
        left+=("$dir")
        continue
      fi
      case $dir in
        */user@"$uid".service) find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true ;;
      esac
      rmdir "$dir" 2>/dev/null || left+=("$dir")
    done < <(sort -r "$state/cgroups")
    if [ ${#left[@]} -gt 0 ]; then
      printf '%s\n' "${left[@]}" >"$state/cgroups"
      echo "$prog: left in place (not empty): ${left[*]}" >&2
    else
      rm -f "$state/cgroups"
      echo "$prog: removed the cgroups made for $user"
    fi
  fi
}

case $cmd in
  start)
    [ $# -eq 0 ] || usage
    [ "$(id -u)" = 0 ] || die "run me as root"
    do_start
    ;;
  stop)
    [ $# -eq 0 ] || usage
    [ "$(id -u)" = 0 ] || die "run me as root"
    do_stop
    ;;
  env)
    [ $# -eq 0 ] || usage
    printf '%s\n' "${client_env[@]}"
    ;;
  enter)
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || usage
    [ "$(id -u)" = 0 ] || die "run me as root"
    join_session "$$"
    as_user "$@"
    ;;
  *) usage ;;
esac
