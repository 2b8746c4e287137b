#!/usr/bin/env bash
# Issue 12.3: a container name that is not one safe path component must not make
# --output-dir write outside the directory.
. "$CASES/lib.sh"
mkdir out
printf 'lxc.uts.name = ../escaped\nlxc.rootfs.path = dir:/srv/x\n' > c.conf
run_lxconf domxml-from-native lxc-tools --output-dir out c.conf
[ -e escaped.xml ] && fail "wrote outside the output directory"
expect_rc_in 1 2
