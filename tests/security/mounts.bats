#!/usr/bin/env bats
# Probes 9 and 10, which hold today and must keep holding:
#  9. Mount destinations that are symlinks out of the rootfs (in the image, absolute and ../
#     forms, or swapped in by a running container while another container on the same rootfs
#     is created): the mount lands inside the rootfs, never on the host.
# 10. /dev/null and /dev links of the image (CVE-2025-31133): masked paths stay masked with the
#     real null device, and image symlinks at /dev/null, /dev/ptmx, /dev/console lead nowhere on
#     the host.

load helpers
load security-helpers

setup() {
  security_setup
  add_out_mount
  mkdir -p "$TEST_DIR/src"
  echo from-src >"$TEST_DIR/src/srcfile"
  echo from-src >"$TEST_DIR/srcfile"
  mkdir "$HOSTDIR/target"
}
teardown() { security_teardown; }

# assert_target_empty: nothing appeared in the host directory the symlinks point to.
assert_target_empty() {
  local found
  found=$(find "$HOSTDIR/target" -mindepth 1 2>/dev/null)
  [ -z "$found" ] || { echo "ESCAPE: created on the host: $found"; return 1; }
  ! findmnt -rn -o TARGET | grep -F "$HOSTDIR" || { echo "ESCAPE: a mount on the host (above)"; return 1; }
}

# expect_ran_or_refused: the container ran (it printed ran) or the runtime refused with a
# one-line error.
expect_ran_or_refused() {
  show_output
  if [ "$status" -eq 0 ]; then
    expect_contains ran
  else
    expect_status 1
    expect_one_line
  fi
}

@test "mount-symlink: absolute symlink destinations out of the rootfs (tmpfs, dir bind, file bind)" {
  ln -s "$HOSTDIR/target/tmpfs-dir" "$BUNDLE/rootfs/evil-tmpfs"
  ln -s "$HOSTDIR/target/bind-dir" "$BUNDLE/rootfs/evil-bind"
  ln -s "$HOSTDIR/target/bind-file" "$BUNDLE/rootfs/evil-file"
  add_tmpfs /evil-tmpfs
  add_bind "$TEST_DIR/src" /evil-bind rbind rw
  add_bind "$TEST_DIR/srcfile" /evil-file bind rw
  run_in c1 sh -c 'touch /evil-tmpfs/inside /evil-bind/inside 2>&1; echo PWNED >> /evil-file; echo ran'
  expect_ran_or_refused
  assert_target_empty
  # When it ran, the destinations were resolved inside the rootfs (created there).
  if [ "$status" -eq 0 ]; then
    [ -d "$BUNDLE/rootfs$HOSTDIR/target/tmpfs-dir" ] && [ -d "$BUNDLE/rootfs$HOSTDIR/target/bind-dir" ] ||
      { echo "the mounts did not land inside the rootfs"; find "$BUNDLE/rootfs$HOSTDIR" 2>&1 | head; false; }
  fi
}

@test "mount-symlink: ../ symlink destinations out of the rootfs" {
  local up=../../../../../../../../../../../..
  ln -s "$up$HOSTDIR/target/tmpfs-dir" "$BUNDLE/rootfs/evil-tmpfs"
  ln -s "$up$HOSTDIR/target/bind-dir" "$BUNDLE/rootfs/evil-bind"
  mkdir -p "$BUNDLE/rootfs/deep/er"
  ln -s "../../$up$HOSTDIR/target/nested" "$BUNDLE/rootfs/deep/er/evil"
  add_tmpfs /evil-tmpfs
  add_bind "$TEST_DIR/src" /evil-bind rbind rw
  add_tmpfs /deep/er/evil/sub
  run_in c1 sh -c 'touch /evil-tmpfs/inside /evil-bind/inside 2>&1; echo ran'
  expect_ran_or_refused
  assert_target_empty
}

@test "mount-symlink race: a container swaps a mount destination for a symlink while another is created on the same rootfs" {
  # Container A shares B's rootfs (bind-mounted at /shared) and swaps /shared/mnt/d between a
  # directory and a symlink to the host's $HOSTDIR/target/race.
  local shared=$BUNDLE/rootfs
  local a
  a=$(new_bundle a)
  install -m 755 "$ATTACKER" "$a/rootfs/bin/sandbox-attacker"
  CONFIG=$a/config.json add_bind "$shared" /shared rbind rw
  CONFIG=$a/config.json add_bind "$OUT" /out rbind rw
  CONFIG=$a/config.json set_config '.root.readonly = false'
  CONFIG=$a/config.json set_config '.process.args = ["sh", "-c", $s]' \
    --arg s "sandbox-attacker swap /shared/mnt $HOSTDIR/target/race 60 >/out/swaps; touch /out/swapped"
  run sbd run -d --bundle "$a" swapper
  expect_status 0
  wait_for 10 test -L "$shared/mnt/alt"
  add_bind "$TEST_DIR/src" /mnt/d rbind rw
  set_args true
  local i refused=0 ran=0
  for i in $(seq 1 25); do
    if sb run --bundle "$BUNDLE" "b$i" >/dev/null 2>&1; then ran=$((ran + 1)); else refused=$((refused + 1)); fi
    sb delete -f "b$i" >/dev/null 2>&1 || true
    [ ! -e "$HOSTDIR/target/race" ] || break
  done
  echo "runs: $ran ran, $refused refused"
  sb kill swapper KILL >/dev/null 2>&1 || true
  assert_target_empty
  # Not vacuous: the swapper was swapping all along (it is killed before it reports, so look
  # at its symlink: still there).
  [ -L "$shared/mnt/alt" ] || [ -L "$shared/mnt/d" ]
  [ $((ran + refused)) -ge 10 ]
}

# dev_case: the container reads and writes the masked /etc/secret; the host's victim file must
# stay as it was and its content must not show.
dev_case() {
  echo SECRET >"$BUNDLE/rootfs/etc/secret"
  echo HOSTDATA >"$HOSTDIR/victim"
  set_config '.linux.maskedPaths += ["/etc/secret"]'
  run_in c1 sh -c 'echo "secret=[$(cat /etc/secret 2>&1)]"; echo PWNED > /etc/secret; echo PWNED > /dev/null; echo ran'
  show_output
  expect_eq "host victim" HOSTDATA "$(cat "$HOSTDIR/victim")"
  expect_not_contains HOSTDATA
  expect_not_contains SECRET
  expect_ran_or_refused
  if [ "$status" -eq 0 ]; then expect_contains "secret=[]"; fi
}

@test "dev-null: an image /dev/null symlink to a host file (with the /dev tmpfs)" {
  rm -f "$BUNDLE/rootfs/dev/null"
  ln -s "$HOSTDIR/victim" "$BUNDLE/rootfs/dev/null"
  dev_case
}

@test "dev-null: an image /dev/null symlink to a host file (no /dev mount: the image's /dev)" {
  set_config '.mounts |= map(select(.destination != "/dev"))'
  rm -f "$BUNDLE/rootfs/dev/null"
  ln -s "$HOSTDIR/victim" "$BUNDLE/rootfs/dev/null"
  dev_case
}

@test "dev-null: an image /dev/null symlink to /proc/sys/kernel/hostname (no /dev mount)" {
  set_config '.mounts |= map(select(.destination != "/dev"))'
  rm -f "$BUNDLE/rootfs/dev/null"
  ln -s /proc/sys/kernel/hostname "$BUNDLE/rootfs/dev/null"
  set_config '.hostname = "HOSTDATA-name"'
  dev_case
}

@test "dev-links: image /dev/ptmx and /dev/console symlinks to host files do not redirect (no /dev mount)" {
  set_config '.mounts |= map(select(.destination != "/dev"))'
  echo HOSTDATA >"$HOSTDIR/ptmx"
  echo HOSTDATA >"$HOSTDIR/console"
  mkdir -p "$BUNDLE/rootfs/dev/pts"
  ln -sfn "$HOSTDIR/ptmx" "$BUNDLE/rootfs/dev/ptmx"
  ln -sfn "$HOSTDIR/console" "$BUNDLE/rootfs/dev/console"
  run_in c1 sh -c 'echo PWNED > /dev/ptmx 2>/dev/null; echo PWNED > /dev/console 2>/dev/null; echo "ptmx=$(readlink /dev/ptmx)"; echo ran'
  show_output
  expect_eq "host ptmx victim" HOSTDATA "$(cat "$HOSTDIR/ptmx")"
  expect_eq "host console victim" HOSTDATA "$(cat "$HOSTDIR/console")"
  expect_ran_or_refused
}
