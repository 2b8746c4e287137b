#!/usr/bin/env bash
# Issue 12.9: a file with several hard links is rewritten in place: every link sees the
# new content (replacing it used to split the links).
. "$CASES/lib.sh"
printf 'lxc.utsname = web\n' > config
ln config other
run_lxconf upgrade -i config
expect_rc 0
[ "$(stat -c %h config)" = 2 ] || fail "hard link broken"
grep -q 'lxc.uts.name = web' other || fail "the other link does not see the upgrade"
cp config src.conf
run_lxconf convert --to json src.conf -o other
expect_rc 0
[ "$(stat -c %i config)" = "$(stat -c %i other)" ] || fail "convert -o broke the link"
