# A private docker daemon for the docker suites; sourced by run-e2e.sh, which provides stage,
# mode, runner, test_user, here, env_vars, quietly and run_as_runner.
#
# docker-root: dockerd as root in a mount namespace of its own with a tmpfs over /run, so it
# starts its own managed containerd (it would adopt one listening on /run/containerd) and its
# shims' sockets stay private. docker-rootless: dockerd as the test user through Debian's
# rootlesskit (its own user and mount namespaces; /etc and /run copied up), started from the
# user's session scope of a real `systemd --user` with its XDG_RUNTIME_DIR, as a login would.
# In both, the daemon's data root, exec root, pid file, socket and configuration are below
# $stage/docker; containers use --network none, so no bridge, iptables rule or proxy is made.
# The runtimes: `sandbox` (the staged binary) and docker's built-in `runc`, side by side.

docker_dir=
docker_cgroup_parent=
docker_daemon_pid=

setup_docker() {
  docker_dir=$stage/docker
  mkdir -p "$docker_dir/cli"
  local cgroup_line=
  if [ "$mode" = docker-root ]; then
    # Containers' cgroups below a parent of our own (removed at the end), not the machine's.
    docker_cgroup_parent=/sandbox-e2e-docker-$$
    cgroup_line="\"cgroup-parent\": \"$docker_cgroup_parent\","
  fi
  cat >"$docker_dir/daemon.json" <<CONF
{
  "runtimes": { "sandbox": { "path": "$stage/bin/sandbox" } },
  "hosts": ["unix://$docker_dir/docker.sock"],
  "data-root": "$docker_dir/data",
  "exec-root": "$docker_dir/exec",
  "pidfile": "$docker_dir/docker.pid",
  "storage-driver": "overlay2",
  "bridge": "none",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  "userland-proxy": false,
  $cgroup_line
  "log-driver": "json-file"
}
CONF
  chmod 644 "$docker_dir/daemon.json"
  chown -R "$runner:" "$docker_dir"

  if [ "$mode" = docker-root ]; then
    # setsid and unshare (without --fork) keep the pid: $! is dockerd itself.
    setsid unshare -m --propagation private -- sh -c \
      'mount -t tmpfs -o mode=0755,size=64m sandbox-e2e-run /run && exec "$@"' sh \
      dockerd --config-file "$docker_dir/daemon.json" </dev/null >"$docker_dir/daemon.log" 2>&1 &
  else
    bash "$here/../systemd-user.sh" start "$test_user" >/dev/null
    # $! is rootlesskit's parent process; dockerd is its grandchild (docker.pid has its pid).
    setsid bash "$here/../systemd-user.sh" enter "$test_user" -- \
      env HOME="$stage/home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      rootlesskit --net=host --copy-up=/etc --copy-up=/run --propagation=rslave \
      --state-dir="$docker_dir/rootlesskit" \
      dockerd --config-file "$docker_dir/daemon.json" </dev/null >"$docker_dir/daemon.log" 2>&1 &
  fi
  docker_daemon_pid=$!

  # The Debian client (20.10) explicitly: /usr/local/bin/docker may be a newer one.
  cat >"$stage/bin/docker-e2e" <<WRAP
#!/bin/sh
DOCKER_CONFIG="$docker_dir/cli" exec /usr/bin/docker -H "unix://$docker_dir/docker.sock" "\$@"
WRAP
  chmod 755 "$stage/bin/docker-e2e"
  local _
  for _ in $(seq 150); do
    run_as_runner "$stage/bin/docker-e2e" version >/dev/null 2>&1 && break
    kill -0 "$docker_daemon_pid" 2>/dev/null || break
    sleep 0.2
  done
  if ! run_as_runner "$stage/bin/docker-e2e" version >/dev/null 2>&1; then
    echo "run-e2e.sh: dockerd did not come up; its log:" >&2
    tail -30 "$docker_dir/daemon.log" >&2
    return 1
  fi
  env_vars+=(DOCKER="$stage/bin/docker-e2e" E2E_TEST_USER="$test_user")
  [ -z "$docker_cgroup_parent" ] || env_vars+=(E2E_CGROUP_PARENT="$docker_cgroup_parent")
  quietly run_as_runner "$stage/bin/docker-e2e" import "$stage/busybox.tar" localhost/busybox
}

# cleanup_docker: remove every container, stop the daemon (it stops its containerd), and
# remove the cgroup parent. The daemon's mounts went with its mount namespace.
cleanup_docker() {
  [ -n "$docker_daemon_pid" ] || return 0
  local ids
  ids=$(run_as_runner "$stage/bin/docker-e2e" ps -aq 2>/dev/null)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || run_as_runner "$stage/bin/docker-e2e" rm -f $ids >/dev/null 2>&1
  local dockerd_pid=$docker_daemon_pid
  [ "$mode" = docker-root ] || dockerd_pid=$(cat "$docker_dir/docker.pid" 2>/dev/null)
  [ -z "$dockerd_pid" ] || kill -TERM "$dockerd_pid" 2>/dev/null
  local _
  for _ in $(seq 150); do
    kill -0 "$docker_daemon_pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$docker_daemon_pid" 2>/dev/null; then
    echo "run-e2e.sh: dockerd did not stop in 30 s; killing it" >&2
    [ -z "$dockerd_pid" ] || kill -KILL "$dockerd_pid" 2>/dev/null
    kill -KILL "$docker_daemon_pid" 2>/dev/null
  fi
  wait "$docker_daemon_pid" 2>/dev/null
  if [ -n "$docker_cgroup_parent" ]; then
    local h
    for h in /sys/fs/cgroup/*/; do
      [ -d "$h$docker_cgroup_parent" ] &&
        find "$h$docker_cgroup_parent" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  fi
  return 0
}
