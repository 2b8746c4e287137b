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
# The same link in a directory the link's owner owns (their home, say): still not
# followed to a file that owner does not own (review finding: root overwrote its own file).
mkdir home
chown 1234 home
ln -s "$WORK/victim" home/web.xml
chown -h 1234 home/web.xml
run_lxconf domxml-from-native lxc-tools --output-dir home c.conf
expect_rc 2
[ "$(cat victim)" = precious ] || fail "followed a user's link to root's file"
