#!/usr/bin/env bash
# Issue 12.9: writing through symlinks must not let whoever can write a shared output
# directory aim root's write at any file: a link owned by neither the user nor the
# directory's owner is not followed (the kernel's protected_symlinks rule, everywhere).
# needs: root
. "$CASES/lib.sh"
echo precious > victim
printf 'lxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\n' > c.conf
mkdir out
chmod 1777 out
ln -s "$WORK/victim" out/web.xml
chown -h 1234 out/web.xml
run_lxconf domxml-from-native lxc-tools --output-dir out c.conf
expect_rc 2
expect_err_has "owned by uid 1234"
[ "$(cat victim)" = precious ] || fail "followed a planted link"
