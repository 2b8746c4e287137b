#!/usr/bin/env bash
# Issue 12.8: includes, fstab files and stdin of /dev/zero read 4 GB+, /dev/urandom never
# ends, a FIFO blocks forever, a 2 GB sparse file was read whole. Includes and fstab
# files must be regular files (I002) of at most 16 MiB (I001); stdin is bounded too.
# limits: mem=512 time=30
. "$CASES/lib.sh"
mkfifo fifo.conf
truncate -s 2G sparse.conf
printf 'lxc.include = /dev/zero\nlxc.include = /dev/urandom\nlxc.include = %s/fifo.conf\nlxc.mount.fstab = %s/fifo.conf\n' "$WORK" "$WORK" > c.conf
run_lxconf lint c.conf
expect_rc 1
expect_out_has "I002"
expect_out_lacks "I001"
printf 'lxc.include = %s/sparse.conf\n' "$WORK" > s.conf
run_lxconf lint s.conf
expect_rc 1
expect_out_has "I001"
run_lxconf show sparse.conf
expect_rc 2
expect_err_has "I001"
RC=0; "$LXCONF" lint - </dev/zero >"$WORK/.out" 2>"$WORK/.err" || RC=$?
expect_rc 2
expect_err_has "I001"
RC=0; "$LXCONF" show - </dev/urandom >"$WORK/.out" 2>"$WORK/.err" || RC=$?
expect_rc 2
# The lint project file too (`--config`, or an `lxconf.toml` planted in a repository).
printf 'lxc.uts.name = a\n' > ok.conf
run_lxconf lint --config /dev/zero ok.conf
expect_rc 2
expect_err_has "not a regular file"
