#!/usr/bin/env bash
# Issue 12.1: glibc's getmntent keeps a carriage return inside an fstab field, but an LXC
# line ends there: inlining such an entry would add a key of the attacker's choosing.
. "$CASES/lib.sh"
printf '/srv/a\rlxc.hook.pre-start=/tmp/evil.sh /b none bind 0 0\n' > evil.fstab
printf 'lxc.mount.fstab = evil.fstab\n' > c.conf
run_lxconf convert --to lxc --inline-fstab --include-base . c.conf
expect_rc 1
expect_err_has C103
expect_out_lacks "lxc.hook"
