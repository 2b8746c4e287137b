#!/usr/bin/env bash
# Issue 12.9: a symlinked config is written through to its target (the link used to be
# replaced by a regular file, leaving the target old); a dangling link is not followed.
. "$CASES/lib.sh"
mkdir real
printf 'lxc.utsname = web\n' > real/config
ln -s real/config config
run_lxconf upgrade -i config
expect_rc 0
[ -L config ] || fail "the symlink was replaced"
grep -q 'lxc.uts.name = web' real/config || fail "the target was not upgraded"
ln -s nowhere/x dangling
run_lxconf convert --to lxc real/config -o dangling
expect_rc 2
expect_err_has "dangling"
[ -e nowhere ] && fail "followed a dangling link"
exit 0
