#!/usr/bin/env bash
# Issue 12.12: with `--init direct` the command is PID 1 of its pid namespace, and the
# kernel drops signals PID 1 has no handler for: SIGTERM and Ctrl-C did not stop it.
# limits: time=30
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = d\nlxc.init.cmd = /bin/sleep 600\n' > c.conf
# Job control: without it the shell starts background jobs with SIGINT ignored, and an
# ignored signal is (rightly) left ignored by the container's command.
set -m
for sig in TERM INT; do
  "$LXCONF" run --init direct c.conf > .out 2> .err &
  pid=$!
  sleep 1
  kill -"$sig" "$pid"
  waited=0
  while kill -0 "$pid" 2> /dev/null && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2> /dev/null; then
    kill -KILL "$pid"
    fail "SIG$sig did not stop the container"
  fi
  rc=0; wait "$pid" || rc=$?
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" -eq "$want" ] || fail "SIG$sig: exit $rc, expected $want"
done
exit 0
