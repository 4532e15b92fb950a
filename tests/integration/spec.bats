#!/usr/bin/env bats
# sandbox spec: the template config.json, --rootless id mappings, never overwriting.

load helpers

@test "spec writes a config.json runc-style: a terminal, sh, read-only rootfs, hostname" {
  run "$SANDBOX" spec --bundle "$BUNDLE"
  expect_status 0
  local cfg=$BUNDLE/config.json
  jq -e . "$cfg" >/dev/null
  expect_eq "process.terminal" true "$(jq -r .process.terminal "$cfg")"
  expect_eq "first key" ociVersion "$(jq -r 'keys_unsorted[0]' "$cfg")"
  expect_eq "process.args" '["sh"]' "$(jq -c .process.args "$cfg")"
  expect_eq "root.path" rootfs "$(jq -r .root.path "$cfg")"
  expect_eq "root.readonly" true "$(jq -r .root.readonly "$cfg")"
  expect_eq "hostname" sandbox "$(jq -r .hostname "$cfg")"
  [[ "$(jq -r .ociVersion "$cfg")" == 1.* ]]
  # The namespaces every container gets.
  local ns
  for ns in pid mount ipc uts; do
    jq -e --arg t "$ns" 'any(.linux.namespaces[]; .type == $t)' "$cfg" >/dev/null ||
      { echo "no $ns namespace"; jq .linux.namespaces "$cfg"; false; }
  done
}

@test "spec without --bundle writes into the current directory" {
  cd "$BUNDLE"
  run "$SANDBOX" spec
  expect_status 0
  [ -f "$BUNDLE/config.json" ]
}

@test "spec without --rootless has no user namespace" {
  run "$SANDBOX" spec --bundle "$BUNDLE"
  expect_status 0
  run jq -e 'any(.linux.namespaces[]; .type == "user")' "$BUNDLE/config.json"
  [ "$status" -ne 0 ] || { echo "unexpected user namespace"; jq .linux "$BUNDLE/config.json"; false; }
}

@test "spec never overwrites an existing config.json" {
  echo '{"marker": true}' >"$BUNDLE/config.json"
  run "$SANDBOX" spec --bundle "$BUNDLE"
  expect_failure "already exists"
  expect_eq "config.json" '{"marker": true}' "$(cat "$BUNDLE/config.json")"
  run "$SANDBOX" spec --rootless --bundle "$BUNDLE"
  expect_failure "already exists"
  expect_eq "config.json" '{"marker": true}' "$(cat "$BUNDLE/config.json")"
}

@test "spec --rootless adds a user namespace and maps the caller to 0" {
  run "$SANDBOX" spec --rootless --bundle "$BUNDLE"
  expect_status 0
  local cfg=$BUNDLE/config.json uid gid
  uid=$(id -u)
  gid=$(id -g)
  jq -e 'any(.linux.namespaces[]; .type == "user" and (has("path") | not))' "$cfg" >/dev/null ||
    { jq .linux.namespaces "$cfg"; false; }
  expect_eq "first uid mapping" "{\"containerID\":0,\"hostID\":$uid,\"size\":1}" \
    "$(jq -c '.linux.uidMappings[0] | {containerID, hostID, size}' "$cfg")"
  expect_eq "first gid mapping" "{\"containerID\":0,\"hostID\":$gid,\"size\":1}" \
    "$(jq -c '.linux.gidMappings[0] | {containerID, hostID, size}' "$cfg")"
}

@test "spec --rootless maps the caller's subordinate ranges as ids 1..N when granted" {
  local cfg=$BUNDLE/config.json
  run "$SANDBOX" spec --rootless --bundle "$BUNDLE"
  expect_status 0
  if have_subid_ranges; then
    local us uc gs gc
    read -r us uc < <(subid_range /etc/subuid)
    read -r gs gc < <(subid_range /etc/subgid)
    expect_eq "uid mappings" 2 "$(jq '.linux.uidMappings | length' "$cfg")"
    expect_eq "second uid mapping" "{\"containerID\":1,\"hostID\":$us,\"size\":$uc}" \
      "$(jq -c '.linux.uidMappings[1] | {containerID, hostID, size}' "$cfg")"
    expect_eq "second gid mapping" "{\"containerID\":1,\"hostID\":$gs,\"size\":$gc}" \
      "$(jq -c '.linux.gidMappings[1] | {containerID, hostID, size}' "$cfg")"
  else
    # No grant in /etc/subuid (root usually has none): only the caller's own id.
    expect_eq "uid mappings" 1 "$(jq '.linux.uidMappings | length' "$cfg")"
    expect_eq "gid mappings" 1 "$(jq '.linux.gidMappings | length' "$cfg")"
  fi
}

@test "spec --bundle into a missing directory fails with one line" {
  run "$SANDBOX" spec --bundle "$TEST_DIR/nowhere"
  expect_status 1
  expect_one_line
}

# spec_like_runc [--rootless]: our template against runc's, in $BUNDLE and $TEST_DIR/runc;
# runc's own hostname and our extra masked path are the only lines allowed to differ.
spec_like_runc() {
  command -v runc >/dev/null || skip "runc is not installed"
  mkdir "$TEST_DIR/runc"
  run "$SANDBOX" spec "$@" --bundle "$BUNDLE"
  expect_status 0
  (cd "$TEST_DIR/runc" && runc spec "$@") || false
  # runc --rootless maps only the caller; so do we when no subordinate range is granted. With
  # a granted gid range, group 5 exists in the container and devpts keeps gid=5.
  local ours=$BUNDLE/config.json
  jq --tab '((.linux.gidMappings // []) | length > 1) as $ranged |
            .linux.uidMappings |= (if . then .[:1] else empty end) |
            .linux.gidMappings |= (if . then .[:1] else empty end) |
            if $ranged then .mounts |= map(if .type == "devpts" then .options -= ["gid=5"]
                                           else . end)
            else . end' "$ours" >"$ours.cut" || false
  run diff "$TEST_DIR/runc/config.json" <(printf '%s' "$(cat "$ours.cut")")
  show_output
  expect_eq "differing lines" \
    '< 	"hostname": "runc", > 	"hostname": "sandbox", < 			"/proc/scsi" > 			"/proc/scsi", > 			"/sys/devices/virtual/powercap"' \
    "$(grep '^[<>]' <<<"$output" | tr '\n' ' ' | sed 's/ $//')"
}

@test "spec is runc's template, key order and layout included" {
  spec_like_runc
}

@test "spec --rootless is runc's rootless template, key order and layout included" {
  spec_like_runc --rootless
}
