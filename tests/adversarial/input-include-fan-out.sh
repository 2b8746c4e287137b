#!/usr/bin/env bash
# Issue 12.8: 40 files each including the next twice made 2^40 reads. Each file is read
# once, and at most 1,000 includes are applied (I004); 30 files here, since a chain of
# 40 stops first at the depth limit (I005, below).
# limits: time=30
. "$CASES/lib.sh"
for i in $(seq 0 29); do
  n=$((i + 1))
  printf 'lxc.include = %s/f%d.conf\nlxc.include = %s/f%d.conf\n' "$WORK" $n "$WORK" $n > f$i.conf
done
printf 'lxc.uts.name = x\n' > f30.conf
run_lxconf lint f0.conf
expect_rc 1
expect_out_has "I004"
# A chain deeper than 32 (I005).
for i in $(seq 0 49); do printf 'lxc.include = %s/d%d.conf\n' "$WORK" $((i + 1)) > d$i.conf; done
printf 'lxc.uts.name = x\n' > d50.conf
run_lxconf lint d0.conf
expect_rc 1
expect_out_has "I005"
# A directory include of a huge directory: only `*.conf` names are kept, and at most one
# more than the include limit (the listing itself cannot eat memory).
mkdir big
for i in $(seq 1 1100); do echo "lxc.uts.name = n$i" > "big/f$i.conf"; done
for i in $(seq 1 2000); do : > "big/other$i"; done
printf 'lxc.include = %s/big/\n' "$WORK" > big.conf
run_lxconf show big.conf
expect_rc 1
expect_err_has I004
