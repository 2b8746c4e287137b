#!/usr/bin/env bash
# Issue 12.5: lxc.proc keys are joined to /proc/PID by liblxc without checking (`..`
# writes a host file as root); uid 4294967295 is (uid_t)-1, "unchanged", so init stays root.
. "$CASES/lib.sh"
printf 'lxc.proc.../../../tmp/victim = X\n' > proc.conf
for cmd in show lint "convert --to json"; do
  run_lxconf $cmd proc.conf
  expect_rc 1
  expect_output_has M040
done
# Located at the key, not the value.
run_lxconf show proc.conf
expect_err_has "proc.conf:1:1"
printf '{"proc": [{"key": "../../tmp/victim", "value": "X"}]}\n' > proc.json
run_lxconf convert --to lxc proc.json
expect_rc 1
expect_err_has C103
run_lxconf lint proc.json
expect_rc 1
expect_out_has M040
printf 'lxc.init.uid = 4294967295\n' > uid.conf
run_lxconf show uid.conf
expect_rc 1
expect_err_has M041
printf 'lxc.init.gid = 4294967296\n' > gid.conf
run_lxconf show gid.conf
expect_rc 1
expect_err_has "does not fit in 32 bits"
printf '{"init": {"uid": 4294967295}}\n' > uid.json
run_lxconf convert --to lxc uid.json
expect_rc 1
expect_err_has C103
