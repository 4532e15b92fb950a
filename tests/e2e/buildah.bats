#!/usr/bin/env bats
# buildah 1.28 (--isolation oci) drives sandbox: `bud` of a Containerfile with several RUN
# steps and a USER in the subuid range, then the built image's layers and files, and
# `buildah run` of it. Every check runs with runc first, the same way: where runc passes and
# sandbox fails, sandbox has the bug. run-e2e.sh runs this as root and as the test user (rootless
# buildah runs the runtime inside its own user namespace). Storage: vfs, below the staging
# directory.

load helpers

IMAGE=localhost/busybox

bd() { timeout -k 10 "$E2E_TIMEOUT" "$BUILDAH" "$@"; }

# runtime_path NAME: the binary buildah is given for runc or sandbox.
runtime_path() {
  case $1 in
    runc) command -v runc ;;
    sandbox) echo "$SANDBOX" ;;
  esac
}

# Flags every RUN container gets: no CNI network (it would make a bridge as root).
run_flags() {
  echo --isolation oci --network none
}
# As root, containers' cgroups go below a parent of the suite's own (bud and from take it).
cgroup_flags() {
  [ -z "${E2E_CGROUP_PARENT:-}" ] || echo --cgroup-parent "$E2E_CGROUP_PARENT"
}

teardown() {
  bd rm -a >/dev/null 2>&1 || true
}

# The host uid that uid 1000 of the build containers is: 1000 as root; rootless, the test
# user's subordinate range starts at container uid 1.
host_uid_of_1000() {
  if [ "$(id -u)" = 0 ]; then
    echo 1000
  else
    local start
    start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    echo $((start + 999))
  fi
}

# in_mount CONTAINER SCRIPT: SCRIPT (sh) with $m the container's mounted root; rootless,
# inside buildah's user namespace (ids as the container sees them).
in_mount() {
  local script="m=\$(\"\$0\" mount \"\$1\") && $2"
  if [ "$(id -u)" = 0 ]; then
    sh -c "$script" "$BUILDAH" "$1"
  else
    bd unshare sh -c "$script" "$BUILDAH" "$1"
  fi
}

write_containerfile() {
  mkdir -p "$BATS_TEST_TMPDIR/ctx"
  cat >"$BATS_TEST_TMPDIR/ctx/Containerfile" <<'EOF'
FROM localhost/busybox
RUN echo one >/step1 && mkdir /data
RUN cat /step1 >/step2 && echo two >>/step2
RUN chown 1000:1000 /data && touch /data/by-root
USER 1000:1000
RUN id >/data/id.txt && echo quiet >/dev/null && touch /data/by-user
EOF
}

check_bud() {
  local rt=$1 tag=localhost/built-$1
  write_containerfile
  # shellcheck disable=SC2046
  run bd bud --runtime "$(runtime_path "$rt")" $(run_flags) $(cgroup_flags) --pull=never --layers --no-cache -q \
    -t "$tag" -f "$BATS_TEST_TMPDIR/ctx/Containerfile" "$BATS_TEST_TMPDIR/ctx"
  expect_status 0
  # The base layer and one per RUN step (--no-cache: not the other runtime's); USER adds none.
  run bd inspect -f '{{len .OCIv1.RootFS.DiffIDs}} {{.OCIv1.Config.User}}' "$tag"
  expect_status 0
  expect_output "5 1000:1000"
  # What the steps wrote, read from a container of the image (not run).
  local c mnt
  c=$(bd from -q --pull=never "$tag")
  run in_mount "$c" 'cat "$m/step2" "$m/data/id.txt" && cd "$m" && stat -c "%n %u:%g" data/by-root data/by-user'
  expect_status 0
  expect_output "one
two
uid=1000(user) gid=1000(user) groups=1000(user)
data/by-root 0:0
data/by-user 1000:1000"
  # On the host, the USER step's file belongs to the host uid that container uid 1000 maps to.
  mnt=$(find "$BUILDAH_GRAPH/vfs/dir" -path '*/data/by-user' -print -quit)
  [ -n "$mnt" ] || { echo "no data/by-user in the vfs layers"; return 1; }
  expect_eq "host owner of data/by-user" "$(host_uid_of_1000)" "$(stat -c %u "$mnt")"
  bd rm "$c" >/dev/null
}

@test "bud: RUN steps, a USER in the subuid range, one layer per step" {
  both check_bud
}

check_run() {
  local rt=$1 c
  # shellcheck disable=SC2046
  c=$(bd from -q --pull=never $(cgroup_flags) "$IMAGE")
  # Output and exit code (buildah adds its own error line to stderr).
  # shellcheck disable=SC2046
  run --separate-stderr bd run --runtime "$(runtime_path "$rt")" $(run_flags) "$c" -- \
    sh -c 'echo out-$0; exit 3' "$rt"
  expect_status 3
  expect_output "out-$rt"
  # A user of the subuid range writes /dev/null (0666 whatever the umask) and sees its ids;
  # nothing on stderr (buildah asks for ambient capabilities the runtime drops quietly).
  # shellcheck disable=SC2046
  run --separate-stderr bd run --runtime "$(runtime_path "$rt")" $(run_flags) --user 1000:1000 "$c" -- \
    sh -c 'echo x >/dev/null && stat -c %a /dev/null && id'
  expect_status 0
  expect_output "666
uid=1000(user) gid=1000(user) groups=1000(user)"
  expect_eq "stderr" "" "$stderr"
  bd rm "$c" >/dev/null
}

@test "run: output, exit code, a subuid user writing /dev/null" {
  both check_run
}
