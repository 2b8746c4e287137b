#!/usr/bin/env bash
# Issue 12.5: an `lxc.proc.*` key is joined to /proc/PID by liblxc; `../../x` writes a host
# file as root. The runner refuses such keys itself (M040), whatever reader made the model.
. "$CASES/lib.sh"
cat > m.json <<JSON
{"init": {"command": ["/bin/true"]},
 "proc": [{"key": "../../../../$WORK/victim", "value": "owned"}]}
JSON
run_lxconf run --from json m.json
expect_rc 1
expect_err_has "M040"
[ -e victim ] && fail "the proc key wrote a host file"
printf 'lxc.uts.name = p\nlxc.init.cmd = /bin/true\nlxc.proc.../../../..%s/victim2 = owned\n' "$WORK" > c.conf
run_lxconf run c.conf
expect_rc 1
[ -e victim2 ] && fail "the proc key wrote a host file"
exit 0
