#!/usr/bin/env bash
# Issue 12.9: outputs other than regular files (and `-`, stdout) are refused with exit 2,
# not replaced.
. "$CASES/lib.sh"
printf 'lxc.uts.name = web\n' > c.conf
mkfifo fifo
mkdir dir
for out in fifo dir; do
  run_lxconf convert --to json c.conf -o "$out"
  expect_rc 2
  expect_err_has "not a regular file"
done
[ -p fifo ] || fail "the FIFO was replaced"
run_lxconf convert --to lxc c.conf -o -
expect_rc 0
expect_out_has "lxc.uts.name = web"
[ -e ./- ] && fail "wrote a file named -"
exit 0
