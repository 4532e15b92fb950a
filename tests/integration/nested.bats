#!/usr/bin/env bats
# The runtime started as uid 0 inside a user namespace it did not make, with no user namespace
# in config.json: exactly how rootless podman runs its OCI runtime. No mknod is possible there,
# so devices are bind-mounted, and sysfs is bind-mounted when the network namespace is not ours.

load helpers

# in_userns ARGS...: run the runtime as root of a fresh user namespace (caller mapped to 0).
in_userns() {
  unshare --user --map-root-user timeout -k 10 "$SB_TIMEOUT" "$SANDBOX" --root "$ROOT" "$@"
}

setup() {
  common_setup
  make_bundle --no-rootless
}

@test "uid 0 in another user namespace: no new user namespace, devices bound, /dev works" {
  set_args sh -c 'id -u; wc -l < /proc/self/uid_map; stat -c "%t:%T" /dev/null; echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c'
  run in_userns run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "uid inside" 0 "${lines[0]}"
  # The caller's single-id map, not a nested map of our own: no user namespace was added.
  expect_eq "uid_map lines" 1 "${lines[1]}"
  expect_eq "null device numbers" "1:3" "${lines[2]}"
  expect_eq "writing /dev/null" null-ok "${lines[3]}"
  expect_eq "bytes from /dev/zero" 4 "${lines[4]}"
  assert_no_leftovers c1
}

@test "uid 0 in another user namespace without a network namespace: sysfs is bound from the host" {
  remove_namespace network
  set_args sh -c 'ls /sys/class >/dev/null && echo sys-ok; awk "\$5 == \"/sys\"" /proc/self/mountinfo | wc -l'
  run in_userns run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "sysfs readable" sys-ok "${lines[0]}"
  expect_eq "one mount at /sys" 1 "${lines[1]}"
}

@test "uid 0 in another user namespace with a network namespace: sysfs is mounted" {
  ensure_namespace network
  # The filesystem type is the field after the "-" separator (optional fields come before it).
  set_args sh -c 'awk "\$5 == \"/sys\" { for (i = 7; i <= NF; i++) if (\$i == \"-\") { print \$(i+1); exit } }" /proc/self/mountinfo'
  run in_userns run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq "filesystem at /sys" sysfs "${lines[0]}"
}
