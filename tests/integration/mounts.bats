#!/usr/bin/env bats
# Mounts (tmpfs, bind, ro bind, created destinations, symlinks that point outside the rootfs),
# /dev and linux.devices, pivot_root and --no-pivot.

load helpers

setup() {
  common_setup
  make_bundle
}

# mountinfo_line DEST: the container's mountinfo line for mount point DEST (last one wins).
mountinfo_of() {
  printf '%s\n' "${lines[@]}" | awk -v d="$1" '$5 == d' | tail -n 1
}

@test "the template's mounts are all mounted" {
  set_args cat /proc/self/mountinfo
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  local dest
  for dest in $(jq -r '.mounts[].destination' config.json); do
    [ -n "$(mountinfo_of "$dest")" ] || { echo "$dest is not mounted"; show_output; false; }
  done
  # And with the right types for the ones every container has.
  [[ "$(mountinfo_of /proc)" == *" - proc "* ]] || { show_output; false; }
  [[ "$(mountinfo_of /dev)" == *" - tmpfs "* ]] || { show_output; false; }
  [[ "$(mountinfo_of /dev/pts)" == *" - devpts "* ]] || { show_output; false; }
}

@test "tmpfs with size and mode options" {
  add_tmpfs /scratch nosuid nodev mode=1770 size=64k
  set_args sh -c 'stat -c %a /scratch; cat /proc/self/mountinfo'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_eq mode 1770 "${lines[0]}"
  local line
  line=$(mountinfo_of /scratch)
  [[ "$line" == *" - tmpfs "* ]] || { show_output; false; }
  [[ "$line" == *"size=64k"* ]] || { echo "$line"; false; }
  [[ "$line" =~ [\ ,]nosuid[\ ,] ]] && [[ "$line" =~ [\ ,]nodev[\ ,] ]] || { echo "$line"; false; }
  # The size is enforced.
  set_args sh -c 'dd if=/dev/zero of=/scratch/big bs=1k count=200'
  run sb run --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "No space left on device"
}

@test "a tmpfs mounted read-only" {
  add_tmpfs /rotmp ro
  run_in c1 touch /rotmp/x
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains "Read-only file system"
}

@test "a rw bind mount: writes show on the host" {
  echo from-host >"$HOSTDIR/in"
  add_bind "$HOSTDIR" /data
  run_in c1 sh -c 'cat /data/in; echo from-container >/data/out'
  expect_status 0
  expect_output from-host
  expect_eq "file written inside" from-container "$(cat "$HOSTDIR/out")"
}

@test "a read-only bind mount refuses writes" {
  echo from-host >"$HOSTDIR/in"
  add_bind "$HOSTDIR" /data rbind ro
  run_in c1 sh -c 'cat /data/in; touch /data/new'
  [ "$status" -ne 0 ] || { show_output; false; }
  expect_contains from-host "Read-only file system"
  [ ! -e "$HOSTDIR/new" ]
  # bind (not rbind) with ro too.
  add_bind "$HOSTDIR" /data2 bind ro
  run_in c2 touch /data2/new
  expect_contains "Read-only file system"
  # The host directory itself stays writable.
  touch "$HOSTDIR/still-writable"
}

@test "a bind mount of a file" {
  echo file-content >"$HOSTDIR/file"
  add_bind "$HOSTDIR/file" /etc/myfile bind ro
  run_in c1 cat /etc/myfile
  expect_status 0
  expect_output file-content
  [ -f "$BUNDLE/rootfs/etc/myfile" ] # the mount point was created as a file
}

@test "destinations that do not exist are created, nested ones too" {
  add_tmpfs /a/b/c
  add_bind "$HOSTDIR" /x/y/z
  [ ! -e "$BUNDLE/rootfs/a" ] && [ ! -e "$BUNDLE/rootfs/x" ]
  set_args sh -c 'test -d /a/b/c && test -d /x/y/z && grep -c -E " /a/b/c | /x/y/z " /proc/self/mountinfo'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_output 2
}

@test "a symlink in the rootfs pointing outside does not escape it" {
  local name=sandbox-escape-test-$$-$RANDOM
  [ ! -e "/etc/$name" ]
  ln -s /etc "$BUNDLE/rootfs/evil"
  ln -s ../../../../../../../../etc "$BUNDLE/rootfs/evil2"
  add_tmpfs "/evil/$name"
  add_bind "$HOSTDIR" "/evil2/$name-bind"
  set_args sh -c "grep -E ' /etc/$name | /etc/$name-bind ' /proc/self/mountinfo | wc -l"
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_output 2
  # Nothing was created or mounted on the host's /etc; the mount points are inside rootfs/etc.
  [ ! -e "/etc/$name" ] || { echo "created /etc/$name on the host"; false; }
  [ ! -e "/etc/$name-bind" ] || { echo "created /etc/$name-bind on the host"; false; }
  if grep " /etc/$name" /proc/self/mountinfo; then echo "mounted on the host"; false; fi
  [ -d "$BUNDLE/rootfs/etc/$name" ]
  [ -d "$BUNDLE/rootfs/etc/$name-bind" ]
}

@test "a destination with .. stays inside the rootfs" {
  add_tmpfs /../../../../escape-dotdot
  set_args sh -c 'grep -c " /escape-dotdot " /proc/self/mountinfo'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_output 1
  [ ! -e /escape-dotdot ]
  [ -d "$BUNDLE/rootfs/escape-dotdot" ]
}

@test "/dev has the default devices, links, pts and shm" {
  set_args sh -c '
    for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo "missing /dev/$d"; done
    [ -e /dev/ptmx ] || echo "missing /dev/ptmx"
    [ "$(readlink /dev/fd)" = /proc/self/fd ] || echo "bad /dev/fd"
    [ "$(readlink /dev/stdin)" = /proc/self/fd/0 ] || echo "bad /dev/stdin"
    [ "$(readlink /dev/stdout)" = /proc/self/fd/1 ] || echo "bad /dev/stdout"
    [ "$(readlink /dev/stderr)" = /proc/self/fd/2 ] || echo "bad /dev/stderr"
    [ -d /dev/shm ] || echo "missing /dev/shm"
    [ -d /dev/pts ] || echo "missing /dev/pts"
    stat -c "%n %t:%T" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
    echo x >/dev/null && echo null-ok
    [ "$(head -c 4 /dev/zero | od -An -tx1 | xargs)" = "00 00 00 00" ] && echo zero-ok
    [ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo urandom-ok
    echo x >/dev/full 2>/dev/null || echo full-ok
    ls /dev/fd/ >/dev/null && echo fd-ok
  '
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_not_contains missing
  expect_not_contains bad
  expect_contains "/dev/null 1:3" "/dev/zero 1:5" "/dev/full 1:7" "/dev/random 1:8" \
    "/dev/urandom 1:9" "/dev/tty 5:0" null-ok zero-ok urandom-ok full-ok fd-ok
}

@test "/dev has nothing but what the container gets" {
  run_in c1 ls /dev
  expect_status 0
  expect_not_contains sda
  expect_not_contains vda
  expect_not_contains kmsg
  expect_not_contains mem
}

@test "linux.devices: a configured device appears and works" {
  set_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]'
  run_in c1 sh -c 'stat -c "%F %t:%T" /dev/mynull; echo x >/dev/mynull && echo written'
  expect_status 0
  expect_contains "character special file 1:3" written
}

@test "linux.devices: a device in a new subdirectory" {
  set_config '.linux.devices = [{"path": "/dev/sub/zero2", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]'
  run_in c1 sh -c 'head -c 3 /dev/sub/zero2 | od -An -tx1 | xargs'
  expect_status 0
  expect_output "00 00 00"
}

@test "pivot_root: the old root is not reachable" {
  touch "$BUNDLE/rootfs/root/marker-in-rootfs"
  run_in c1 sh -c 'ls -A /home /root'
  expect_status 0
  expect_contains marker-in-rootfs
  expect_not_contains "$SANDBOX_TEST_USER"
  # No mount point of the container lies outside its root.
  run_in c2 sh -c "awk '{ print \$5 }' /proc/self/mountinfo | grep -F '$TEST_DIR'"
  expect_status 1
}

@test "--no-pivot (chroot) runs the container too" {
  set_args sh -c 'id -u; hostname; echo $$'
  run sbd create --no-pivot --bundle "$BUNDLE" c1
  expect_status 0
  sb start c1
  wait_status c1 stopped
  sb delete c1
  run sb run --no-pivot --bundle "$BUNDLE" c2
  expect_status 0
  expect_eq uid 0 "${lines[0]}"
  expect_eq hostname sandbox "${lines[1]}"
  expect_eq pid 1 "${lines[2]}"
}

@test "linux.rootfsPropagation is accepted" {
  local p
  for p in private slave; do
    set_config '.linux.rootfsPropagation = $p' --arg p "$p"
    run_in "c-$p" echo ok
    expect_status 0
    expect_output ok
  done
}

@test "mqueue and sysfs mounts" {
  set_config '.mounts |= map(select(.destination != "/dev/mqueue"))
              | .mounts += [{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]}]'
  set_args sh -c 'grep -E " /dev/mqueue | /sys " /proc/self/mountinfo; ls /sys/kernel >/dev/null && echo sys-ok'
  run sb run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains " - mqueue " sys-ok
}

@test "an unknown mount type fails with one line and no leftovers" {
  set_config '.mounts += [{"destination": "/weird", "type": "nosuchfs", "source": "none"}]'
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 1
  expect_one_line
  assert_no_leftovers c1
}

@test "a bind mount of a missing source fails with one line and no leftovers" {
  add_bind "$TEST_DIR/does-not-exist" /data
  set_args true
  run sb run --bundle "$BUNDLE" c1
  expect_status 1
  expect_one_line
  expect_contains does-not-exist
  assert_no_leftovers c1
}

@test "tmpfs with tmpcopyup starts with the directory's content; propagation options work" {
  mkdir -p "$BUNDLE/rootfs/data/sub"
  echo kept >"$BUNDLE/rootfs/data/sub/file"
  ln -s sub/file "$BUNDLE/rootfs/data/link"
  chmod 750 "$BUNDLE/rootfs/data/sub"
  add_tmpfs /data rw rprivate nosuid nodev tmpcopyup
  run_in c1 sh -c 'cat /data/link; stat -c %a /data/sub; grep " /data " /proc/self/mounts; echo new >/data/sub/x'
  expect_status 0
  expect_contains kept 750 "tmpfs /data tmpfs"
  # The copy is the tmpfs's: the image's directory is untouched.
  [ ! -e "$BUNDLE/rootfs/data/sub/x" ]
}

@test "proc, sysfs and mqueue show the config's source in mountinfo" {
  # runtime-tools' runtimetest reads mountinfo's source field (it panicked on "none").
  run_in c1 sh -c 'grep -E " (/proc|/sys|/dev/mqueue) " /proc/self/mountinfo'
  expect_status 0
  expect_contains " - proc proc " " - mqueue mqueue "
  # A rootless container may get the host's /sys bound instead of a sysfs of its own.
  if is_root; then expect_contains " - sysfs sysfs "; fi
  expect_not_contains " none "
}

@test "device nodes have exactly the configured mode, whatever the caller's umask" {
  set_config '.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 5,
    "fileMode": 438}, {"path": "/dev/myfifo", "type": "p", "fileMode": 432}]'
  run_in c1 stat -c "%n %a" /dev/null /dev/zero /dev/tty /dev/mydev /dev/myfifo
  expect_status 0
  # 0666 for the defaults (rootless: the host's nodes, bound, are 0666 too); 0660 for the FIFO.
  expect_contains "/dev/null 666" "/dev/zero 666" "/dev/tty 666" "/dev/mydev 666" \
    "/dev/myfifo 660"
}

@test "a non-root user inside can write /dev/null" {
  if ! is_root && ! have_subid_ranges; then
    skip "uid 1000 needs a subordinate id range"
  fi
  set_config '.process.user = {"uid": 1000, "gid": 1000}'
  run_in c1 sh -c 'echo x >/dev/null && echo null-ok'
  expect_status 0
  expect_contains null-ok
}

@test "a read-only /dev still gets devpts, mqueue, shm, the devices and links; ro at the end" {
  set_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
  set_args sh -c 'cat /proc/self/mountinfo; test -c /dev/null && echo >/dev/null && echo null-ok
    test -L /dev/fd && echo links-ok; touch /dev/new-file'
  run sb run --bundle "$BUNDLE" c1
  # touch fails: /dev itself is read-only in the end.
  expect_status 1
  expect_contains null-ok links-ok "Read-only file system"
  local dest
  for dest in $(jq -r '.mounts[].destination | select(startswith("/dev/"))' config.json); do
    [ -n "$(mountinfo_of "$dest")" ] || { echo "$dest is not mounted"; show_output; false; }
  done
  [[ "$(mountinfo_of /dev)" =~ \ ro[\ ,] ]] || { echo "/dev is not read-only"; show_output; false; }
  # devpts below it stays writable (the container's ptys).
  [[ "$(mountinfo_of /dev/pts)" =~ \ rw[\ ,] ]] || { show_output; false; }
}

@test "a rootfs whose /proc or /sys is a symlink is refused, not followed" {
  local dir dirs=proc
  # runc's rootless template binds the host's /sys (no network namespace of its own, so no
  # sysfs): a bind follows its destination inside the rootfs, as runc's does.
  jq -e '.mounts[] | select(.destination == "/sys") | .type == "sysfs"' config.json >/dev/null &&
    dirs="proc sys"
  for dir in $dirs; do
    rm -rf "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys"
    mkdir "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/sys"
    rmdir "$BUNDLE/rootfs/$dir"
    ln -s /tmp "$BUNDLE/rootfs/$dir"
    run_in "c-$dir" true
    expect_failure "/$dir is a symlink in the rootfs"
    assert_no_leftovers "c-$dir"
  done
}

@test "--no-pivot: a nested user namespace cannot mount a fresh procfs or sysfs" {
  # The kernel allows it only while a whole proc (sysfs) is visible in the mount namespace:
  # the host's, left under the moved rootfs, must be gone or covered (runc's msMoveRoot).
  # Mapping root in the nested user namespace takes CAP_SETFCAP; a tmpfs shows the nested
  # namespace may mount at all; its own network namespace lets it try sysfs.
  add_caps CAP_SYS_ADMIN CAP_SETFCAP
  set_args unshare -mrpfn sh -c 'mount -t tmpfs none /mnt && echo tmpfs-mounted
    mount -t proc none /proc && echo proc-mounted
    mount -t sysfs none /sys && echo sysfs-mounted; echo done'
  local flags
  for flags in --no-pivot ""; do
    run sb run $flags --bundle "$BUNDLE" c1
    expect_status 0
    expect_contains tmpfs-mounted done
    expect_not_contains proc-mounted
    expect_not_contains sysfs-mounted
    expect_contains "mount: permission denied"
  done
}

@test "a bind source only the caller can reach works in a user namespace container (root)" {
  is_root || skip "root binds a 0700 directory of its own into a container with mapped ids"
  # The container's root is host uid 300000, which may not enter the source: the runtime opens
  # it before the init enters the user namespace (as runc and crun do).
  rm -f "$BUNDLE/config.json"
  "$SANDBOX" spec --rootless --bundle "$BUNDLE" >/dev/null
  set_config '.process.terminal = false'
  set_config '.linux.uidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
            | .linux.gidMappings = .linux.uidMappings'
  chown -R 300000:300000 "$BUNDLE/rootfs"
  # The directory bound is open to all; the one above it (the way there) is root's alone.
  mkdir -m 700 "$TEST_DIR/secret"
  mkdir -m 755 "$TEST_DIR/secret/shared"
  echo behind-a-0700-dir >"$TEST_DIR/secret/shared/file"
  chmod 644 "$TEST_DIR/secret/shared/file"
  add_bind "$TEST_DIR/secret/shared" /data rbind ro
  run_in c1 cat /data/file
  expect_status 0
  expect_output behind-a-0700-dir
  # The options still apply to the clone.
  run_in c2 touch /data/new
  expect_status 1
  expect_contains "Read-only file system"
}

@test "a bind source given relative to the bundle" {
  mkdir "$BUNDLE/relative-src"
  echo relative >"$BUNDLE/relative-src/file"
  add_bind relative-src /data
  run_in c1 cat /data/file
  expect_status 0
  expect_output relative
}

@test "cgroup mount: the own cgroup is bound with what is mounted below it (root, user namespace)" {
  is_root || skip "root mounts a file over a cgroup file in a private mount namespace"
  [ -n "$CGROUP2" ] || skip "no cgroup2 mount"
  rm -f "$BUNDLE/config.json"
  "$SANDBOX" spec --rootless --bundle "$BUNDLE" >/dev/null
  set_config '.process.terminal = false
            | .linux.uidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
            | .linux.gidMappings = .linux.uidMappings
            | del(.linux.namespaces[] | select(.type == "cgroup"))'
  chown -R 300000:300000 "$BUNDLE/rootfs"
  set_args sh -c 'cat /sys/fs/cgroup/unified/cgroup.stat 2>/dev/null || cat /sys/fs/cgroup/cgroup.stat; echo ran'
  # Without a cgroup manager the container's cgroup2 directory is the caller's own; a file
  # bound over one of its files is a submount the user namespace locks (bench/run.sh does
  # this to cgroup.controllers).
  local own
  own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
  echo "covered" >"$TEST_DIR/cover"
  run unshare -m --propagation private sh -c '
    mount --bind "$1" "$2/cgroup.stat" &&
    exec timeout 60 "$3" --root "$4" --cgroup-manager disabled run --bundle "$5" c1' \
    sh "$TEST_DIR/cover" "$CGROUP2$own" "$SANDBOX" "$ROOT" "$BUNDLE"
  expect_status 0
  expect_contains covered ran
}

# issue 13: /dev/ptmx in linux.devices (some engines list it). runc runs it: root makes the
# node, rootless binds the host's; either way /dev/ptmx then still opens a pty.
@test "linux.devices: /dev/ptmx listed runs, and /dev/ptmx still gives ptys" {
  set_config '.linux.devices = [{"path": "/dev/ptmx", "type": "c", "major": 5, "minor": 2, "fileMode": 438, "uid": 0, "gid": 0}]'
  run_in c1 sh -c 'echo "link: $(readlink /dev/ptmx)"; (exec 3<>/dev/ptmx) && echo pty-ok'
  expect_status 0
  expect_contains "link: pts/ptmx" pty-ok
}
