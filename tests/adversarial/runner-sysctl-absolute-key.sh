#!/usr/bin/env bash
# Review of issue 12: `/proc/sys` joined with an absolute sysctl key is the key itself,
# so `lxc.sysctl./tmp/x = v` made `run` write a host file as root (before the uid switch).
# The LXC reader, lint and the runner refuse such keys (M040).
# needs: root
. "$CASES/lib.sh"
echo orig > victim
printf '{"hostname":"c","init":{"command":["/bin/true"],"uid":65534},"sysctls":[{"key":"%s","value":"pwned"}]}\n' "$WORK/victim" > s.json
run_lxconf run s.json
expect_rc 1
expect_err_has M040
[ "$(cat victim)" = orig ] || fail "the host file was written"
run_lxconf run --plan s.json
expect_rc 1
printf 'lxc.uts.name = c\nlxc.init.cmd = /bin/true\nlxc.sysctl.%s = pwned\n' "$WORK/victim" > s.conf
run_lxconf run s.conf
expect_rc 1
expect_err_has M040
[ "$(cat victim)" = orig ] || fail "the host file was written"
