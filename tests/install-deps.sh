#!/usr/bin/env bash
# Package and test-user set-up shared by tests/setup.sh and install.sh.
# Source it (it defines functions) or run it (it installs the packages and the test user).
# Idempotent: apt is skipped when every package is already installed.

# Everything the build, the unit tests and the integration suites use.
SANDBOX_PACKAGES=(
  cmake make g++ pkg-config git
  nlohmann-json3-dev libcli11-dev libseccomp-dev libcap-dev libfmt-dev libgtest-dev libgmock-dev
  uidmap busybox-static bats jq procps util-linux coreutils passwd
  # The style check (tests/check-format.sh).
  clang-format
  # The engines of the end-to-end tests (tests/e2e) and what rootless podman needs (podman
  # only recommends most of it); tmux drives their terminal tests, ip removes root podman's
  # private bridge.
  podman conmon fuse-overlayfs slirp4netns catatonit containernetworking-plugins containerd
  tmux iproute2
  # docker (a private root dockerd, and a rootless one through rootlesskit) and buildah; runc is
  # what their suites compare sandbox with.
  docker.io rootlesskit buildah runc
  # The systemd cgroup driver (sd-bus) and the real `systemd --user` its tests talk to
  # (tests/systemd-user.sh; dbus-user-session gives the user manager its session bus).
  libsystemd-dev systemd dbus dbus-user-session
  # The fuzz targets (tests/fuzz): libFuzzer, ASan and UBSan come with clang's runtime.
  clang-14 libclang-rt-14-dev
)

# install_packages: apt-get update once and install what is missing.
install_packages() {
  local missing=() p
  for p in "${SANDBOX_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" != "ii " ]; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all packages already installed"
  else
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # No package may start a system daemon (docker.io's init script would start dockerd and
    # containerd on the host): a policy-rc.d that refuses every start, for this install only.
    local policy=/usr/sbin/policy-rc.d made_policy=false rc=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\n# tests/install-deps.sh: start no service while packages install\nexit 101\n' >"$policy"
      chmod 755 "$policy"
      made_policy=true
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || rc=$?
    [ "$made_policy" = false ] || rm -f "$policy"
    [ "$rc" = 0 ] || return "$rc"
  fi
  # newuidmap/newgidmap map subordinate ranges for unprivileged users: they must be setuid root.
  local helper
  for helper in /usr/bin/newuidmap /usr/bin/newgidmap; do
    if [ ! -u "$helper" ] || [ "$(stat -c %u "$helper")" != 0 ]; then
      chown root:root "$helper"
      chmod 4755 "$helper"
      echo "install-deps: made $helper setuid root"
    fi
  done
}

# prepare_devices: without udev, /dev/fuse and /dev/net/tun are 0600; udev's default rules make
# them 0666, and fuse-overlayfs and slirp4netns need that as a normal user.
prepare_devices() {
  local dev
  for dev in /dev/fuse /dev/net/tun; do
    [ -c "$dev" ] && chmod 0666 "$dev"
  done
  return 0
}

# prepare_runtime_dir NAME: /run/user/UID, 0700 and owned by the user, as logind would make it
# (there is no logind here). Rootless podman and systemd --user expect it.
prepare_runtime_dir() {
  local uid dir
  uid=$(id -u "$1") || return 1
  dir=/run/user/$uid
  if [ ! -d "$dir" ]; then
    mkdir -p /run/user
    chmod 755 /run/user
    mkdir -m 700 "$dir"
  fi
  chown "$1:$(id -g "$1")" "$dir"
  chmod 700 "$dir"
}

# The first id after every range already handed out in /etc/subuid and /etc/subgid (>= 100000).
_next_free_subid() {
  awk -F: 'BEGIN { n = 100000 } NF >= 3 && $2 + $3 > n { n = $2 + $3 } END { print n }' \
    /etc/subuid /etc/subgid 2>/dev/null
}

# ensure_user NAME: an unprivileged user with a home and a 65536-id range in /etc/subuid and
# /etc/subgid (useradd -m gives one; add one when it is missing).
ensure_user() {
  local user=$1 start
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$user"
    echo "install-deps: created user $user"
  fi
  touch /etc/subuid /etc/subgid
  if ! grep -q "^$user:" /etc/subuid; then
    start=$(_next_free_subid)
    usermod --add-subuids "$start-$((start + 65535))" "$user"
    echo "install-deps: granted $user subordinate uids $start-$((start + 65535))"
  fi
  if ! grep -q "^$user:" /etc/subgid; then
    start=$(_next_free_subid)
    usermod --add-subgids "$start-$((start + 65535))" "$user"
    echo "install-deps: granted $user subordinate gids $start-$((start + 65535))"
  fi
  prepare_runtime_dir "$user"
  # Unprivileged user namespaces are what rootless containers stand on.
  if ! (cd / && setpriv --reuid="$user" --regid="$user" --init-groups --reset-env unshare -Ur true) \
      >/dev/null 2>&1; then
    echo "install-deps: WARNING: $user cannot create a user namespace (unshare -Ur);" \
         "rootless containers will not work" >&2
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: run me as root (sudo $0)" >&2
    exit 1
  fi
  install_packages
  prepare_devices
  ensure_user "${SANDBOX_TEST_USER:-sbtest}"
fi
