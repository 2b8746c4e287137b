#!/usr/bin/env bash
# Issue 12.9: in-place writers must keep bytes they do not edit; invalid UTF-8 in comments
# used to become U+FFFD (EF BF BD).
. "$CASES/lib.sh"
printf '# caf\xe9 \xff\nlxc.utsname = web # \xe9\nlxc.rootfs.path = dir:/srv/web\n' > config
printf '# caf\xe9 \xff\nlxc.uts.name = web # \xe9\nlxc.rootfs.path = dir:/srv/web\n' > want
run_lxconf upgrade -i config
expect_rc 0
cmp -s config want || fail "upgrade changed bytes it did not edit: $(od -c config | head -3)"
printf '# caf\xe9 \xff\nlxc.utsname = web # \xe9\nlxc.rootfs.path = dir:/srv/web\n' > fix.conf
run_lxconf lint --fix fix.conf
expect_rc_in 0 1
cmp -s fix.conf want || fail "lint --fix changed bytes it did not edit: $(od -c fix.conf | head -3)"
