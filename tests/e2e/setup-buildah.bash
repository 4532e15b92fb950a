# Private storage and the base image for the buildah suites; sourced by run-e2e.sh, which
# provides stage, mode, runner, env_vars, quietly, run_as_runner and own_cache.
#
# buildah keeps everything below the staging directory: storage (vfs: plain directories, no
# mount to leave behind), its run root, and (rootless) its XDG_RUNTIME_DIR. Containers run with
# --network none: buildah would otherwise set up its CNI network (as root a cni-podman0 bridge
# and iptables chains that stay on the host). Root buildah's blob-info cache goes to
# /var/lib/containers/cache whatever --root says, so as root every buildah command runs under
# own_cache (a tmpfs over that directory in a mount namespace of its own).

buildah_cgroup_parent=

# buildah_as_runner ARGS...: the staged buildah as the runner (as root, under own_cache).
buildah_as_runner() {
  if [ "$mode" = buildah-root ]; then
    run_as_runner "${own_cache[@]}" "$stage/bin/buildah-e2e" "$@"
  else
    run_as_runner "$stage/bin/buildah-e2e" "$@"
  fi
}

setup_buildah() {
  local b=$stage/buildah
  mkdir -p "$b/graph" "$b/runroot" "$b/tmp" "$stage/xdg"
  chmod 700 "$stage/xdg"
  cat >"$b/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$b/graph"
runroot = "$b/runroot"
CONF
  chmod 644 "$b/storage.conf"
  cat >"$stage/bin/buildah-e2e" <<WRAP
#!/bin/sh
exec buildah --root "$b/graph" --runroot "$b/runroot" --storage-driver vfs "\$@"
WRAP
  chmod 755 "$stage/bin/buildah-e2e"
  chown -R "$runner:" "$b" "$stage/xdg"
  env_vars+=(
    CONTAINERS_STORAGE_CONF="$b/storage.conf"
    XDG_RUNTIME_DIR="$stage/xdg"
    BUILDAH="$stage/bin/buildah-e2e"
    BUILDAH_GRAPH="$b/graph"
    E2E_TEST_USER="$test_user"
  )
  if [ "$mode" = buildah-root ]; then
    # RUN containers' cgroups below a parent of our own (removed at the end).
    buildah_cgroup_parent=/sandbox-e2e-buildah-$$
    env_vars+=(E2E_CGROUP_PARENT="$buildah_cgroup_parent")
  fi
  # The base image: the busybox tarball added to an empty container, committed (no runtime
  # involved, nothing pulled).
  local c
  c=$(buildah_as_runner from scratch) || return 1
  quietly buildah_as_runner add "$c" "$stage/busybox.tar" /
  quietly buildah_as_runner config --cmd /bin/sh "$c"
  quietly buildah_as_runner commit -q --rm "$c" localhost/busybox
}

cleanup_buildah() {
  [ -x "$stage/bin/buildah-e2e" ] || return 0
  buildah_as_runner rm -a >/dev/null 2>&1
  if [ -n "$buildah_cgroup_parent" ]; then
    local h
    for h in /sys/fs/cgroup/*/; do
      [ -d "$h$buildah_cgroup_parent" ] &&
        find "$h$buildah_cgroup_parent" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  fi
  return 0
}
