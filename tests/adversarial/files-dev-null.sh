#!/usr/bin/env bash
# Issue 12.9: as root, `-o /dev/null` used to rename a regular file over the device node.
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = web\n' > c.conf
# A private copy of a character device, so a regression cannot break the host's /dev/null.
mknod null c 1 3
run_lxconf convert --to lxc c.conf -o null
expect_rc 2
expect_err_has "character device"
[ -c null ] || fail "the device node was replaced"
ln -s null link
run_lxconf convert --to lxc c.conf -o link
expect_rc 2
[ -c null ] || fail "a device behind a symlink was replaced"
