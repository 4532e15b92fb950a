#!/usr/bin/env bash
# Install sandbox on a Debian 12 machine and run a first rootless container:
#
#   sudo ./install.sh
#
# 1. installs the build and runtime packages (tests/install-deps.sh),
# 2. builds into build/ (Release) and installs `sandbox` to $PREFIX/bin (default /usr/local),
# 3. runs a container as a normal user, without sudo: $SUDO_USER when that is not root,
#    else the user `sbtest` (created with a subordinate id range if missing), and prints
#    its output.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$repo"
PREFIX=${PREFIX:-/usr/local}

if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run me as root: sudo ./install.sh" >&2
  exit 1
fi

# shellcheck source=tests/install-deps.sh
. "$repo/tests/install-deps.sh"

echo "==> Installing packages"
install_packages

echo "==> Building"
build=$repo/build
if [ -f "$build/CMakeCache.txt" ] &&
   ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$repo" "$build/CMakeCache.txt"; then
  rm -rf "$build" # configured for another source tree (a moved clone)
fi
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX"
cmake --build "$build" -j"$(nproc)"

echo "==> Installing to $PREFIX"
cmake --install "$build"
sandbox=$PREFIX/bin/sandbox
"$sandbox" --version

# The demo runs as a normal user.
user=${SUDO_USER:-}
if [ -z "$user" ] || [ "$user" = root ] || ! id -u "$user" >/dev/null 2>&1; then
  user=${SANDBOX_TEST_USER:-sbtest}
  ensure_user "$user"
fi
uid=$(id -u "$user")
echo "==> A first rootless container, as $user (uid $uid), without sudo"
if [ -z "$(awk -F: -v n="$user" -v u="$uid" '$1 == n || $1 == u' /etc/subuid)" ]; then
  echo "    ($user has no range in /etc/subuid: the container gets the single-id mapping)"
fi

demo=$(mktemp -d /tmp/sandbox-demo.XXXXXX)
state=/tmp/sandbox-demo-$uid
cleanup() {
  as_user "$sandbox" --root "$state" delete -f demo >/dev/null 2>&1 || true
  rm -rf --one-file-system "$demo"
  rm -rf --one-file-system "$state" 2>/dev/null || true
}
as_user() {
  (cd "$demo" && setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
    env -u XDG_RUNTIME_DIR "$@")
}
trap cleanup EXIT
chown "$user:" "$demo"
chmod 755 "$demo"

# What the user does (README, "Usage"): a busybox rootfs, spec --rootless, run.
as_user sh -ec '
  mkdir -p rootfs/bin rootfs/proc rootfs/sys rootfs/dev rootfs/tmp rootfs/etc rootfs/root
  cp /bin/busybox rootfs/bin/busybox
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "rootfs/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" >rootfs/etc/passwd
  echo "root:x:0:" >rootfs/etc/group
'
as_user "$sandbox" spec --rootless
as_user sh -ec '
  jq ".process.args = [\"sh\", \"-c\", \"echo hello from a rootless container; id; hostname; echo uid_map:; cat /proc/self/uid_map\"]" \
    config.json >config.json.new
  mv config.json.new config.json
'
echo "    \$ sandbox --root $state run demo"
set +e
as_user "$sandbox" --root "$state" run demo </dev/null 2>&1 | sed 's/^/    /'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
  echo "==> The demo container failed (exit status $rc)" >&2
  exit 1
fi
echo "==> Done: sandbox is installed as $sandbox. See README.md for the workflow."
