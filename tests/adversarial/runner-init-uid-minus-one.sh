#!/usr/bin/env bash
# Issue 12.5: uid 4294967295 is -1 to setresuid ("unchanged"): the command would keep uid 0
# and every capability. The runner refuses it and says why (R011).
. "$CASES/lib.sh"
printf 'lxc.uts.name = u\nlxc.init.cmd = /bin/true\nlxc.init.uid = 4294967295\n' > c.conf
run_lxconf run c.conf
expect_rc 1
expect_err_has "R011"
expect_err_has "4294967295"
printf 'lxc.uts.name = u\nlxc.init.cmd = /bin/true\nlxc.init.gid = 4294967295\n' > g.conf
run_lxconf run --plan g.conf
expect_rc 1
expect_err_has "R011"
exit 0
