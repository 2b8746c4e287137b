#!/usr/bin/env bash
# Issue 12.12: kill -9 of the runner and its cleanup watcher together left
# lxconf.payload.* cgroups behind. The next run removes those whose runner is gone (R013).
# limits: time=30
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = s\nlxc.init.cmd = /bin/sleep 600\nlxc.cgroup2.pids.max = 40\n' > c.conf
"$LXCONF" run c.conf > .out 2> .err &
runner=$!
# Wait until the container runs in its cgroup (a cold machine may need more than a second).
for _ in $(seq 100); do
  made=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "lxconf.payload.*.$runner" 2> /dev/null)
  [ -n "$made" ] && pgrep -P "$runner" > /dev/null && break
  sleep 0.1
done
[ -n "$made" ] || fail "premise: the run made no cgroup in 10 s"
sleep 0.2
children=$(cat /proc/$runner/task/*/children 2> /dev/null)
[ -n "$children" ] || fail "no watcher or container process found"
# Freeze the runner first (it would clean up as soon as its container dies), then kill the
# watcher, so that nobody is left to clean up after the runner, then the runner.
kill -STOP "$runner"
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
