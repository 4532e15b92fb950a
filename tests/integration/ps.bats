#!/usr/bin/env bats
# ps (host pids as JSON, or the host's ps cut down to the container) and features.

load helpers

setup() {
  common_setup
  make_bundle
}

# ps_count ID: how many pids `ps --format json` lists.
ps_count() { sb ps --format json "$1" | jq length; }
ps_count_is() { [ "$(ps_count "$1")" = "$2" ]; }

# share_pid_namespace: no pid namespace; /proc then cannot be mounted by a user namespace, so
# the host's is bound instead (as run.bats does).
share_pid_namespace() {
  remove_namespace pid
  set_config '.mounts |= map(if .destination == "/proc"
      then {"destination": "/proc", "type": "bind", "source": "/proc", "options": ["rbind", "nosuid", "noexec", "nodev"]}
      else . end)'
  set_config '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
}

@test "ps --format json: the init and its children, as host pids, ascending" {
  set_args sh -c 'sleep 200 & sleep 300 & wait'
  run sbd run -d --bundle "$BUNDLE" c1
  expect_status 0
  local init
  init=$(pid_of c1)
  wait_for 10 ps_count_is c1 3
  run sb ps --format json c1
  expect_status 0
  expect_one_line
  jq -e 'type == "array" and all(.[]; type == "number") and . == sort' <<<"$output" >/dev/null ||
    { show_output; false; }
  jq -e --argjson p "$init" 'index($p) != null' <<<"$output" >/dev/null || { show_output; false; }
  local p
  for p in $(jq -r '.[]' <<<"$output"); do
    pid_alive "$p"
    expect_eq "pid namespace of $p" "$(readlink "/proc/$init/ns/pid")" "$(readlink "/proc/$p/ns/pid")"
    [ "$p" = "$init" ] || expect_eq "parent of $p" "$init" "$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$p/stat")"
  done
  # -f is --format's short form.
  run sb ps -f json c1
  expect_status 0
  expect_eq "pids" 3 "$(jq length <<<"$output")"
}

@test "ps (table): the host's ps -ef header and only the container's lines" {
  set_args sh -c 'sleep 200 & sleep 300 & wait'
  sbd run -d --bundle "$BUNDLE" c1
  wait_for 10 ps_count_is c1 3
  local pids
  pids=$(sb ps --format json c1 | jq -r '.[]')
  run sb ps c1
  expect_status 0
  [[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD ]] || { show_output; false; }
  expect_eq "lines" 4 "${#lines[@]}"
  expect_contains "sleep 200" "sleep 300"
  local p
  for p in $pids; do
    printf '%s\n' "${lines[@]:1}" | awk -v p="$p" '$2 == p { found = 1 } END { exit !found }' ||
      { echo "pid $p is not in the table"; show_output; false; }
  done
}

@test "ps ID PS-OPTIONS: the options go to the host's ps, the PID column is found anywhere" {
  set_args sh -c 'sleep 200 & wait'
  sbd run -d --bundle "$BUNDLE" c1
  wait_for 10 ps_count_is c1 2
  run sb ps c1 -o pid,comm
  expect_status 0
  expect_eq "header" "PID COMMAND" "$(echo ${lines[0]})"
  expect_eq "lines" 3 "${#lines[@]}"
  expect_contains "$(pid_of c1) sh" sleep
  # Options after the id are ps's, even those that look like ours (runc does the same).
  run sb ps c1 -f
  expect_status 0
  [[ "${lines[0]}" =~ ^UID\ +PID ]] || { show_output; false; }
  # Without a PID column the filter cannot work: an error, not a guess.
  run sb ps c1 -o comm
  expect_failure "PID"
}

@test "ps lists a process started by exec" {
  set_args sleep 200
  sbd run -d --bundle "$BUNDLE" c1
  sbd exec -d --pid-file "$TEST_DIR/exec.pid" c1 sleep 300
  local exec_pid
  exec_pid=$(cat "$TEST_DIR/exec.pid")
  run sb ps --format json c1
  expect_status 0
  jq -e --argjson p "$exec_pid" --argjson i "$(pid_of c1)" 'index($p) != null and index($i) != null' \
    <<<"$output" >/dev/null || { echo "exec pid $exec_pid missing"; show_output; false; }
}

@test "ps of a container sharing our pid namespace: the init, its descendants, exec'd processes" {
  share_pid_namespace
  set_args sh -c 'sleep 200 & sleep 300 & wait'
  sbd run -d --bundle "$BUNDLE" c1
  wait_for 10 ps_count_is c1 3
  sbd exec -d --pid-file "$TEST_DIR/exec.pid" c1 sleep 400
  run sb ps --format json c1
  expect_status 0
  expect_eq "pids" 4 "$(jq length <<<"$output")"
  jq -e --argjson i "$(pid_of c1)" --argjson e "$(cat "$TEST_DIR/exec.pid")" \
    'index($i) != null and index($e) != null' <<<"$output" >/dev/null || { show_output; false; }
  # Nothing of the host: not this shell, not pid 1.
  jq -e --argjson me "$$" 'index($me) == null and index(1) == null' <<<"$output" >/dev/null ||
    { show_output; false; }
}

@test "kill --all ends every process ps listed, with or without a pid namespace" {
  local id
  for id in own shared; do
    [ "$id" = own ] || share_pid_namespace
    # The init waits in a trap-free shell: only --all reaches the sleeps.
    set_args sh -c 'sleep 200 & sleep 300 & wait'
    sbd run -d --bundle "$BUNDLE" "$id"
    wait_for 10 ps_count_is "$id" 3
    sbd exec -d "$id" sleep 400
    wait_for 10 ps_count_is "$id" 4
    local pids p
    pids=$(sb ps --format json "$id" | jq -r '.[]')
    run sb kill --all "$id" KILL
    expect_status 0
    wait_status "$id" stopped
    for p in $pids; do
      wait_for 10 pid_gone "$p" || { echo "$id: pid $p survived kill --all"; false; }
    done
  done
}

@test "ps of an unknown id: does not exist" {
  run sb ps missing-id
  expect_failure "does not exist"
  run sb ps --format json missing-id
  expect_failure "does not exist"
}

@test "ps of a created container lists its waiting init" {
  set_args true
  sbd create --bundle "$BUNDLE" c1
  run sb ps --format json c1
  expect_status 0
  expect_output "[$(pid_of c1)]"
}

@test "ps of a stopped container: no processes, not an error (as runc)" {
  set_args true
  sbd create --bundle "$BUNDLE" c1
  sb start c1
  wait_status c1 stopped
  run sb ps --format json c1
  expect_status 0
  expect_output "[]"
  run sb ps c1
  expect_status 0
  expect_one_line
  expect_contains PID
}

@test "ps without an id: usage error" {
  run sb ps
  expect_status 1
}

@test "features: the runtime-spec features document" {
  run "$SANDBOX" features
  expect_status 0
  local doc=$output
  jq -e . <<<"$doc" >/dev/null || { show_output; false; }
  local spec
  spec=$("$SANDBOX" --version | sed -n 's/^spec: //p')
  expect_eq "ociVersionMax" "$spec" "$(jq -r .ociVersionMax <<<"$doc")"
  expect_eq "ociVersionMin" 1.0.0 "$(jq -r .ociVersionMin <<<"$doc")"
  jq -e '.hooks == ["prestart", "createRuntime", "createContainer", "startContainer",
                    "poststart", "poststop"] and (.mountOptions | index("rro") and index("bind") and index("nosuid"))' \
    <<<"$doc" >/dev/null || { echo "hooks/mountOptions"; false; }
  jq -e '.linux.namespaces | index("user") and index("mount") and index("pid") and index("network")' \
    <<<"$doc" >/dev/null || { echo "namespaces"; false; }
  jq -e '.linux.capabilities | length > 30 and all(.[]; startswith("CAP_")) and index("CAP_SYS_ADMIN")' \
    <<<"$doc" >/dev/null || { echo "capabilities"; false; }
  jq -e '.linux.cgroup == {"v1": true, "v2": true, "systemd": true, "systemdUser": true, "rdma": false}' \
    <<<"$doc" >/dev/null || { echo "cgroup"; false; }
  jq -e '.linux.seccomp | .enabled and (.actions | index("SCMP_ACT_ERRNO")) and
      (.operators | index("SCMP_CMP_EQ")) and (.archs | index("SCMP_ARCH_X86_64")) and
      (.actions | index("SCMP_ACT_NOTIFY")) and (.knownFlags | length) == 3 and
      (.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG"))' <<<"$doc" >/dev/null || { echo "seccomp"; false; }
  # runc's key order.
  expect_eq "features keys" \
    '["ociVersionMin","ociVersionMax","hooks","mountOptions","linux","annotations","potentiallyUnsafeConfigAnnotations"]' \
    "$(jq -c keys_unsorted <<<"$doc")"
  expect_eq "features.linux keys" \
    '["namespaces","capabilities","cgroup","seccomp","apparmor","selinux","intelRdt","mountExtensions"]' \
    "$(jq -c '.linux | keys_unsorted' <<<"$doc")"
  # AppArmor profiles are applied where the host runs AppArmor.
  jq -e '.linux.apparmor.enabled == true and .linux.selinux.enabled == false and
      .linux.intelRdt.enabled == false and .linux.mountExtensions.idmap.enabled == false' \
    <<<"$doc" >/dev/null || { echo "apparmor/selinux/intelRdt/idmap"; false; }
  local version
  version=$("$SANDBOX" --version | sed -n 's/^sandbox version //p')
  expect_eq "org.sandbox.version" "$version" "$(jq -r '.annotations["org.sandbox.version"]' <<<"$doc")"
  jq -e '.annotations["org.sandbox.commit"] | length > 0' <<<"$doc" >/dev/null
  jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")' \
    <<<"$doc" >/dev/null || { echo "libseccomp version"; false; }
}

@test "features: every listed namespace, capability and mount option is accepted by create" {
  local doc
  doc=$("$SANDBOX" features)
  # The user namespace needs id maps: `spec --rootless` writes them, for root too.
  if is_root; then
    rm "$BUNDLE/config.json"
    make_bundle --rootless >/dev/null
  fi
  # Every capability in the bounding set, every namespace type, rro on a tmpfs.
  set_config '.process.capabilities.bounding = $c' --argjson c "$(jq -c .linux.capabilities <<<"$doc")"
  local t
  for t in $(jq -r '.linux.namespaces[]' <<<"$doc"); do
    ensure_namespace "$t"
  done
  add_tmpfs /mnt nosuid nodev rro
  set_args true
  run sbd create --bundle "$BUNDLE" c1
  expect_status 0
  sb delete -f c1
}
