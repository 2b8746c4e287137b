#!/usr/bin/env bash
# Issue 12.5: uid 4294967295 is -1 to setresuid ("unchanged"): the command would keep uid 0
# and every capability. The LXC reader refuses it (M041); a model document reaches the
# runner directly, which refuses it too and says why (M041).
. "$CASES/lib.sh"
printf 'lxc.uts.name = u\nlxc.init.cmd = /bin/true\nlxc.init.uid = 4294967295\n' > c.conf
run_lxconf run c.conf
expect_rc 1
expect_err_has "M041"
printf '{"hostname": "u", "init": {"command": ["/bin/true"], "uid": 4294967295}}\n' > u.json
run_lxconf run u.json
expect_rc 1
expect_err_has "M041"
expect_err_has "4294967295"
printf '{"hostname": "u", "init": {"command": ["/bin/true"], "gid": 4294967295}}\n' > g.json
run_lxconf run --plan g.json
expect_rc 1
expect_err_has "M041"
