#!/usr/bin/env bash
# Issue 12.10: `lxc.include = /etc/shadow` printed shadow lines in human diagnostics (CI
# logs are public). A file included or referenced that does not parse as a config is
# located, never shown.
. "$CASES/lib.sh"
printf 'root:$6$SECRETHASH:19000:0:99999:7:::\nuser:$6$OTHERSECRET:19000::::::\n' > shadow
printf 'lxc.uts.name = a\nlxc.include = %s/shadow\n' "$WORK" > c.conf
printf 'lxc.uts.name = a\nlxc.mount.fstab = %s/shadow\n' "$WORK" > f.conf
for f in c.conf f.conf; do
  for cmd in "lint" "show"; do
    run_lxconf $cmd "$f"
    expect_err_lacks "SECRET"
    expect_out_lacks "SECRET"
  done
done
run_lxconf lint c.conf
expect_out_has "shadow:1:1"
