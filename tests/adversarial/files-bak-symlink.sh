#!/usr/bin/env bash
# Issue 12.2: a planted CONFIG.bak symlink must be replaced, never followed (upgrade
# --in-place used to copy the old config over the link's target).
. "$CASES/lib.sh"
echo precious > victim
printf 'lxc.utsname = web\n' > config
ln -s victim config.bak
run_lxconf upgrade --in-place config
expect_rc 0
[ "$(cat victim)" = precious ] || fail "the symlink's target was overwritten"
[ -L config.bak ] && fail "config.bak is still the planted link"
grep -q 'lxc.utsname = web' config.bak || fail "config.bak does not hold the old config"
grep -q 'lxc.uts.name = web' config || fail "config not upgraded"
# A directory in the backup's place: refused, the error names it, the config is untouched.
printf 'lxc.utsname = db\n' > c2
mkdir c2.bak
run_lxconf upgrade --in-place c2
expect_rc 2
expect_err_has "c2.bak"
grep -q 'lxc.utsname = db' c2 || fail "c2 changed although its backup failed"
