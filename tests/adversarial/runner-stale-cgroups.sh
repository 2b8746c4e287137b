#!/usr/bin/env bash
# Issue 12.12: kill -9 of the runner and its cleanup watcher together left
# lxconf.payload.* cgroups behind. The next run removes those whose runner is gone (R013).
# limits: time=30
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = s\nlxc.init.cmd = /bin/sleep 600\nlxc.cgroup2.pids.max = 40\n' > c.conf
"$LXCONF" run c.conf > .out 2> .err &
runner=$!
sleep 1
children=$(cat /proc/$runner/task/*/children 2> /dev/null)
[ -n "$children" ] || fail "no watcher or container process found"
# The watcher first, so that nobody is left to clean up after the runner.
for c in $children; do kill -KILL "$c" 2> /dev/null; done
kill -KILL "$runner"
wait "$runner" 2> /dev/null
sleep 0.5
left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "lxconf.payload.*.$runner" 2> /dev/null)
[ -n "$left" ] || fail "premise: the kill left no cgroup behind"
printf 'lxc.uts.name = s\nlxc.init.cmd = /bin/true\nlxc.cgroup2.pids.max = 40\n' > t.conf
run_lxconf run t.conf
expect_rc 0
expect_err_has "R013"
left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "lxconf.payload.*.$runner" 2> /dev/null)
[ -z "$left" ] || fail "left behind: $left"
exit 0
