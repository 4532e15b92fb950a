#!/usr/bin/env bats
# User ids: uid 0 inside is the caller outside; the subordinate range gives uid 1000 inside
# a subordinate id outside; the single-id fallback; groups.

load helpers

setup() {
  common_setup
  make_bundle
  add_bind "$HOSTDIR" /host
}

# use_range_mapping: make ids 1..65536 inside map to a range outside, and set RANGE_UID and
# RANGE_GID to that range's first host uid and gid. Rootless that is the caller's grant from
# /etc/subuid and /etc/subgid, as written by `spec --rootless`; root (which has no grant) maps a
# range of its choice in a user namespace of the same shape. Skips the test when the
# unprivileged user has no grant.
use_range_mapping() {
  if is_root; then
    rm -f "$BUNDLE/config.json"
    "$SANDBOX" spec --rootless --bundle "$BUNDLE" >/dev/null
    set_config '.process.terminal = false'
    add_bind "$HOSTDIR" /host
    set_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1},
                                      {"containerID": 1, "hostID": 300000, "size": 65536}]
              | .linux.gidMappings = .linux.uidMappings'
    RANGE_UID=300000
    RANGE_GID=300000
  else
    have_subid_ranges || skip "no subordinate id range for $(id -un) in /etc/subuid and /etc/subgid"
    jq -e '.linux.uidMappings | length == 2' "$BUNDLE/config.json" >/dev/null ||
      { echo "spec --rootless did not map the subordinate range"; jq .linux "$BUNDLE/config.json"; return 1; }
    RANGE_UID=$(subid_range /etc/subuid | cut -d' ' -f1)
    RANGE_GID=$(subid_range /etc/subgid | cut -d' ' -f1)
  fi
}

# use_single_mapping: only the caller is mapped (to 0), as `spec --rootless` writes for a user
# without a grant; root gets the same shape from `spec --rootless`.
use_single_mapping() {
  if is_root; then
    rm -f "$BUNDLE/config.json"
    "$SANDBOX" spec --rootless --bundle "$BUNDLE" >/dev/null
    set_config '.process.terminal = false'
    add_bind "$HOSTDIR" /host
  fi
  set_config '.linux.uidMappings = [.linux.uidMappings[0]] | .linux.gidMappings = [.linux.gidMappings[0]]'
}

@test "uid 0 inside is the caller outside" {
  run_in c1 sh -c 'id -u; id -g; touch /host/by-root; mkdir /host/dir-by-root'
  expect_status 0
  expect_eq "uid inside" 0 "${lines[0]}"
  expect_eq "gid inside" 0 "${lines[1]}"
  expect_eq "owner of the file outside" "$(id -u):$(id -g)" "$(stat -c %u:%g "$HOSTDIR/by-root")"
  expect_eq "owner of the dir outside" "$(id -u):$(id -g)" "$(stat -c %u:%g "$HOSTDIR/dir-by-root")"
}

@test "the uid map shows the caller as 0" {
  run_in c1 cat /proc/self/uid_map /proc/self/gid_map
  expect_status 0
  if is_root; then
    # No user namespace: the initial identity map.
    [[ "${lines[0]}" =~ ^\ *0\ +0\ +4294967295$ ]] || { show_output; false; }
  else
    [[ "${lines[0]}" =~ ^\ *0\ +$(id -u)\ +1$ ]] || { show_output; false; }
    if have_subid_ranges; then
      local us uc
      read -r us uc < <(subid_range /etc/subuid)
      [[ "${lines[1]}" =~ ^\ *1\ +$us\ +$uc$ ]] || { show_output; false; }
    fi
  fi
}

@test "files the container's root creates in the rootfs belong to the caller" {
  set_config '.root.readonly = false'
  run_in c1 touch /created-inside
  expect_status 0
  expect_eq "owner" "$(id -u)" "$(stat -c %u "$BUNDLE/rootfs/created-inside")"
}

@test "with a subordinate range, uid 1000 inside works and its files show the subordinate id" {
  use_range_mapping
  local us=$RANGE_UID gs=$RANGE_GID
  set_config '.process.user = {"uid": 1000, "gid": 1000}'
  run_in c1 sh -c 'id -u; id -g; touch /host/by-1000; mkdir /host/dir-by-1000'
  expect_status 0
  expect_eq "uid inside" 1000 "${lines[0]}"
  expect_eq "gid inside" 1000 "${lines[1]}"
  expect_eq "owner of the file outside" "$((us + 999)):$((gs + 999))" "$(stat -c %u:%g "$HOSTDIR/by-1000")"
  expect_eq "owner of the dir outside" "$((us + 999)):$((gs + 999))" "$(stat -c %u:%g "$HOSTDIR/dir-by-1000")"
}

@test "with a subordinate range, root inside can chown to mapped ids" {
  use_range_mapping
  local us=$RANGE_UID gs=$RANGE_GID
  add_caps CAP_CHOWN
  run_in c1 sh -c 'touch /host/f && chown 1234:1235 /host/f && stat -c %u:%g /host/f'
  expect_status 0
  expect_output 1234:1235
  expect_eq "owner outside" "$((us + 1233)):$((gs + 1234))" "$(stat -c %u:%g "$HOSTDIR/f")"
}

@test "without a range, the single-id map still gives uid 0 (direct write, setgroups denied)" {
  use_single_mapping
  run_in c1 sh -c 'id -u; cat /proc/self/uid_map | wc -l; touch /host/single'
  expect_status 0
  expect_eq "uid inside" 0 "${lines[0]}"
  expect_eq "uid_map lines" 1 "${lines[1]}"
  expect_eq "owner outside" "$(id -u)" "$(stat -c %u "$HOSTDIR/single")"
}

@test "process.user uid and gid (uid 1000, gid 1000)" {
  if ! is_root; then
    use_range_mapping
  fi
  set_config '.process.user = {"uid": 1000, "gid": 1000}'
  run_in c1 sh -c 'id -u; id -g; id -G'
  expect_status 0
  expect_eq "uid" 1000 "${lines[0]}"
  expect_eq "gid" 1000 "${lines[1]}"
  expect_eq "groups" 1000 "${lines[2]}"
}

@test "process.user additionalGids are visible in id -G" {
  if ! is_root; then
    use_range_mapping
  fi
  set_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 3000]}'
  run_in c1 id -G
  expect_status 0
  expect_eq "groups" "1000 2000 3000" "$(tr ' ' '\n' <<<"$output" | sort -n | xargs)"
}

@test "root with additionalGids" {
  if ! is_root; then
    use_range_mapping
  fi
  set_config '.process.user = {"uid": 0, "gid": 0, "additionalGids": [2000]}'
  run_in c1 id -G
  expect_status 0
  expect_eq "groups" "0 2000" "$(tr ' ' '\n' <<<"$output" | sort -n | xargs)"
}

@test "an unmapped uid in process.user fails with one line and no leftovers" {
  use_single_mapping
  set_config '.process.user = {"uid": 1000, "gid": 1000}'
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 1
  expect_one_line
  assert_no_leftovers c1
}
