#!/usr/bin/env bash
# Issue 12.7: `lxconf schema | head -c 10` panicked on the closed pipe. Every command
# writing stdout ends quietly instead.
. "$CASES/lib.sh"
printf 'lxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\n' > c.conf
for cmd in "schema" "show c.conf" "convert --to yaml c.conf" "domxml-from-native lxc-tools c.conf" "lint --format json c.conf"; do
  # shellcheck disable=SC2086
  "$LXCONF" $cmd 2>"$WORK/.err" | head -c 10 >/dev/null
  rc=${PIPESTATUS[0]}
  [ "$rc" -lt 100 ] || fail "lxconf $cmd exited with $rc on a closed pipe"
  expect_err_lacks "panicked"
done
