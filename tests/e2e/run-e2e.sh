#!/usr/bin/env bash
# End-to-end tests: real container engines drive sandbox in place of runc.
#
#   tests/e2e/run-e2e.sh <mode> <sandbox-binary>
#   modes: podman-rootless podman-root containerd docker-root docker-rootless buildah-root
#          buildah-rootless
#
# Run as root (ctest does, through tests/run.sh; tests/setup.sh installs podman, conmon,
# containerd, docker.io, rootlesskit, buildah and the rest). Everything lives in a staging
# directory under /tmp: the binary (a world-readable copy, named `sandbox` because podman's
# runtime_supports_json matches on the name), a busybox-static image, the engine's
# configuration, storage and runtime directories, and for containerd and docker a private
# daemon with its own socket (docker: setup-docker.bash; buildah: setup-buildah.bash). HOME
# is a directory of the staging directory too (podman keeps caches and user configuration
# there). Afterwards nothing is left:
# no container, no mount, no daemon (the daemon and podman's rootless pause process are ended by
# the pid they recorded), no network device, no state.
set -euo pipefail

usage() {
  echo "usage: $0 <podman-rootless|podman-root|containerd|docker-root|docker-rootless|buildah-root|buildah-rootless> <sandbox-binary>" >&2
  exit 2
}
[ $# -eq 2 ] || usage
mode=$1
binary=$2
test_user=${SANDBOX_TEST_USER:-sbtest}
case "$mode" in
  podman-rootless | podman-root | containerd) tools=(podman conmon containerd ctr) ;;
  docker-root) tools=(/usr/bin/docker dockerd containerd runc) ;;
  docker-rootless) tools=(/usr/bin/docker dockerd containerd runc rootlesskit newuidmap) ;;
  buildah-root | buildah-rootless) tools=(buildah runc) ;;
  *) usage ;;
esac
if [ "$(id -u)" != 0 ]; then
  echo "run-e2e.sh: run me as root (it drops to $test_user for the rootless modes)" >&2
  exit 1
fi
for tool in bats script /bin/busybox "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "run-e2e.sh: $tool is missing; run tests/setup.sh" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "run-e2e.sh: $binary: not an executable" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=setup-docker.bash
. "$here/setup-docker.bash"
# shellcheck source=setup-buildah.bash
. "$here/setup-buildah.bash"
stage=$(mktemp -d /tmp/sandbox-e2e.XXXXXX)
chmod 755 "$stage"
daemon_pid=
ctr_namespace=sandbox-e2e-$$
# The bridge of root podman's private network (at most 15 characters).
bridge=sbe2e$$
# The shim keeps sockets and fifos in /run/containerd whatever the daemon's config says; when
# that directory is ours (it did not exist before), it goes at the end.
had_run_containerd=false
[ ! -e /run/containerd ] || had_run_containerd=true
# Root podman's CNI calls keep their result cache in /var/lib/cni/results (emptied when the
# container goes) and network namespaces in /run/netns: directories we made go at the end.
host_dirs=()
for d in /var/lib/cni /var/lib/cni/results /run/netns; do
  [ -e "$d" ] || host_dirs=("$d" "${host_dirs[@]}")
done

cleanup() {
  local rc=$?
  set +e
  if [ "$mode" = containerd ] && [ -n "$daemon_pid" ]; then
    local c
    for c in $("$stage/bin/ctr-e2e" containers list -q 2>/dev/null); do
      "$stage/bin/ctr-e2e" task kill -s KILL "$c" >/dev/null 2>&1
      sleep 0.2
      "$stage/bin/ctr-e2e" task delete "$c" >/dev/null 2>&1
      "$stage/bin/ctr-e2e" containers delete "$c" >/dev/null 2>&1
    done
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
    # The state root the shim gave sandbox for our namespace.
    rm -rf "/run/containerd/runc/$ctr_namespace"
    rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo 2>/dev/null
    [ "$had_run_containerd" = true ] || rmdir /run/containerd 2>/dev/null
  fi
  if [[ "$mode" == podman-* ]] && [ -x "$stage/bin/podman-e2e" ]; then
    run_as_runner "$stage/bin/podman-e2e" rm -a -f -t 0 >/dev/null 2>&1
    # Rootless podman keeps a pause process holding its user namespace; it recorded its pid.
    local pause
    for pause in "$stage"/xdg/libpod/tmp/pause.pid "$stage"/tmp/pause.pid; do
      [ -f "$pause" ] && kill "$(cat "$pause")" 2>/dev/null
    done
  fi
  [[ "$mode" != docker-* ]] || cleanup_docker
  [[ "$mode" != buildah-* ]] || cleanup_buildah
  # Root podman's private CNI network: its bridge stays on the host after the last container.
  if [ "$mode" = podman-root ]; then
    ! ip link show "$bridge" >/dev/null 2>&1 || ip link delete "$bridge"
    local d
    for d in "${host_dirs[@]}"; do
      rmdir "$d" 2>/dev/null
    done
  fi
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null
  done < <(findmnt -rn -o TARGET | grep -F "$stage/" | sort -r)
  rm -rf --one-file-system "$stage"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

runner=root
[[ "$mode" != *-rootless ]] || runner=$test_user
run_as_runner() {
  if [ "$runner" = root ]; then
    env -i "${env_vars[@]}" "$@"
  else
    setpriv --reuid="$runner" --regid="$runner" --init-groups --reset-env env -i "${env_vars[@]}" "$@"
  fi
}

mkdir -m 755 "$stage/bin"
install -m 755 "$binary" "$stage/bin/sandbox"
install -m 755 "$(dirname "$binary")/sandbox-systemd" "$stage/bin/sandbox-systemd"
install -m 644 "$here"/*.bats "$here"/helpers.bash "$stage/"

# The image: busybox-static with one symlink per applet, root and a user 1000.
rootfs=$stage/rootfs
mkdir -p "$rootfs"/{bin,etc,root,home/user,proc,sys,dev,run,var/tmp}
mkdir -m 1777 "$rootfs/tmp"
install -m 755 /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$stage/busybox.tar" .
chmod 644 "$stage/busybox.tar"

mkdir -m 755 "$stage/bats-tmp"
# A home of our own: podman writes its blob-info cache below $HOME/.local/share (rootless) and
# reads $HOME/.config/containers; neither may touch (or depend on) the user's real home.
mkdir -m 700 "$stage/home"
chown "$runner:" "$stage/bats-tmp" "$stage/home"
env_vars=(
  TMPDIR="$stage/bats-tmp"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  HOME="$stage/home"
  USER="$runner"
  LOGNAME="$runner"
  LANG=C.UTF-8
  TERM=xterm
  E2E_STAGE="$stage"
  E2E_MODE="$mode"
  SANDBOX="$stage/bin/sandbox"
)

# quietly COMMAND...: set-up steps show what they wrote only when they fail.
quietly() {
  local out=$stage/quietly.out rc=0
  "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "run-e2e.sh: failed ($rc): $*" >&2
    cat "$out" >&2
  fi
  rm -f "$out"
  return "$rc"
}

# own_cache: a command prefix for root podman commands that copy an image (import, save).
# containers/image keeps root's blob-info cache in /var/lib/containers/cache whatever --root
# says; these commands run in a mount namespace of their own with a tmpfs over that directory
# (or over its nearest existing parent), so the host's cache stays as it was.
own_cache=(unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=0700 e2e-cache "$0" && exec "$@"')
cache_dir=/var/lib/containers/cache
while [ ! -d "$cache_dir" ]; do cache_dir=$(dirname "$cache_dir"); done
own_cache+=("$cache_dir")

# podman-e2e: podman with the staged configuration, storage and runtime. Everything it keeps
# (storage, run directories, its XDG_RUNTIME_DIR) is below the staging directory.
setup_podman() {
  mkdir -p "$stage/xdg" "$stage/tmp" "$stage/graph" "$stage/runroot"
  chmod 700 "$stage/xdg"
  cat >"$stage/containers.conf" <<CONF
[containers]
# cgroups are issue 4: until sandbox manages them, a limit it would not apply is refused, so
# the engine must not ask for one by default.
pids_limit = 0
$([ "$mode" = podman-root ] && echo 'default_ulimits = ["nofile=20000:20000", "nproc=32767:32767"]')

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$stage/tmp"
runtime_supports_json = ["sandbox"]
runtime_supports_nocgroup = ["sandbox"]

[network]
network_backend = "cni"
network_config_dir = "$stage/cni"
$([ "$mode" = podman-root ] && echo "default_network = \"sbe2e\"")
CONF
  # Root podman's containers join a private CNI network: a bridge of our own (deleted at the
  # end), addresses kept below the staging directory, and no firewall or masquerading rules
  # (the stock network would leave iptables chains and the cni-podman0 bridge behind).
  # Rootless podman uses slirp4netns and needs none of it.
  mkdir -p "$stage/cni"
  if [ "$mode" = podman-root ]; then
    cat >"$stage/cni/sbe2e.conflist" <<CONF
{
  "cniVersion": "0.4.0",
  "name": "sbe2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": false,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$stage/cni/ipam",
        "ranges": [[{ "subnet": "10.213.$(($$ % 250)).0/24" }]]
      }
    }
  ]
}
CONF
  fi
  cat >"$stage/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$stage/graph"
runroot = "$stage/runroot"
CONF
  cat >"$stage/bin/podman-e2e" <<WRAP
#!/bin/sh
exec podman --root "$stage/graph" --runroot "$stage/runroot" --runtime "$stage/bin/sandbox" "\$@"
WRAP
  chmod 755 "$stage/bin/podman-e2e"
  chmod 644 "$stage/containers.conf" "$stage/storage.conf"
  env_vars+=(
    CONTAINERS_CONF="$stage/containers.conf"
    CONTAINERS_STORAGE_CONF="$stage/storage.conf"
    XDG_RUNTIME_DIR="$stage/xdg"
    PODMAN="$stage/bin/podman-e2e"
  )
  if [ "$runner" != root ]; then
    chown -R "$runner:" "$stage/xdg" "$stage/tmp" "$stage/graph" "$stage/runroot" "$stage/cni"
    # /dev/fuse and /dev/net/tun without udev are 0600 (tests/setup.sh opens them up).
    quietly run_as_runner "$stage/bin/podman-e2e" import -q "$stage/busybox.tar" localhost/busybox
  else
    env_vars+=(E2E_SUBNET="10.213.$(($$ % 250)).")
    quietly run_as_runner "${own_cache[@]}" "$stage/bin/podman-e2e" import -q "$stage/busybox.tar" \
      localhost/busybox
  fi
}

# ctr-e2e: ctr against a private containerd (own config, root, state, sockets).
setup_containerd() {
  local c=$stage/containerd
  mkdir -p "$c"
  cat >"$c/config.toml" <<CONF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd-ttrpc.sock"
[debug]
  address = "$c/debug.sock"
CONF
  containerd --config "$c/config.toml" >"$c/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do
    [ -S "$c/containerd.sock" ] && ctr -a "$c/containerd.sock" version >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! ctr -a "$c/containerd.sock" version >/dev/null 2>&1; then
    echo "run-e2e.sh: containerd did not come up; its log:" >&2
    tail -30 "$c/daemon.log" >&2
    return 1
  fi
  cat >"$stage/bin/ctr-e2e" <<WRAP
#!/bin/sh
exec ctr -a "$c/containerd.sock" -n "$ctr_namespace" "\$@"
WRAP
  chmod 755 "$stage/bin/ctr-e2e"
  env_vars+=(CTR="$stage/bin/ctr-e2e" SANDBOX_STATE="/run/containerd/runc/$ctr_namespace")
  # The image goes through an OCI archive, made by a podman of our own.
  local pm=(podman --root "$stage/graph" --runroot "$stage/runroot" --tmpdir "$stage/tmp")
  quietly env HOME="$stage/home" "${own_cache[@]}" "${pm[@]}" import -q "$stage/busybox.tar" localhost/busybox >/dev/null
  quietly env HOME="$stage/home" "${own_cache[@]}" "${pm[@]}" save -q --format oci-archive -o "$stage/busybox.oci" \
    localhost/busybox >/dev/null
  quietly "$stage/bin/ctr-e2e" image import --base-name localhost/busybox "$stage/busybox.oci"
}

case "$mode" in
  podman-*) setup_podman; suite=podman.bats ;;
  containerd) setup_containerd; suite=containerd.bats ;;
  docker-*) setup_docker; suite=docker.bats ;;
  buildah-*) setup_buildah; suite=buildah.bats ;;
esac
bats_cmd=(bats --tap --timing --print-output-on-failure "$stage/$suite")
# Root buildah writes its blob-info cache to the host's /var/lib/containers: not under own_cache.
[ "$mode" != buildah-root ] || bats_cmd=("${own_cache[@]}" "${bats_cmd[@]}")

echo "# e2e $mode, as $runner, staged in $stage"
cd "$stage"
set +e
run_as_runner "${bats_cmd[@]}" </dev/null
rc=$?
set -e
if [ "$rc" != 0 ] && [ "$mode" = containerd ]; then
  echo "# containerd log:"; tail -30 "$stage/containerd/daemon.log" | sed 's/^/# /'
fi
if [ "$rc" != 0 ] && [[ "$mode" == docker-* ]]; then
  echo "# dockerd log:"; grep -v 'level=info' "$stage/docker/daemon.log" | tail -30 | sed 's/^/# /'
fi
exit "$rc"
