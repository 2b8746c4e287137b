#!/usr/bin/env bash
# Issue 12.3: a container name that is not one safe path component must not make
# --output-dir write outside the directory.
. "$CASES/lib.sh"
mkdir out
printf 'lxc.uts.name = ../escaped\nlxc.rootfs.path = dir:/srv/x\n' > c.conf
run_lxconf domxml-from-native lxc-tools --output-dir out c.conf
[ -e escaped.xml ] && fail "wrote outside the output directory"
expect_rc 1
expect_err_has "M035"
# An absolute name, and one with a control character.
printf "lxc.uts.name = $WORK/abs\\n" > abs.conf
run_lxconf domxml-from-native lxc-tools --output-dir out abs.conf
[ -e "$WORK/abs.xml" ] && fail "wrote to an absolute name"
expect_rc 1
expect_err_has "M035"
printf 'lxc.uts.name = a\x1bb\n' > ctl.conf
run_lxconf domxml-from-native lxc-tools --output-dir out ctl.conf
expect_rc 1
[ -n "$(ls out)" ] && fail "wrote a file for a refused name: $(ls out)"
# --name is checked before anything is read.
run_lxconf domxml-from-native lxc-tools --output-dir out --name .. c.conf
expect_rc 2
expect_err_has "M035"
# lint flags the name.
run_lxconf lint c.conf
expect_out_has "M035"
