#!/usr/bin/env bash
# Issue 12.2: on a full disk, upgrade --in-place used to replace a good CONFIG.bak by a
# partial copy. Now the old backup and the config stay whole and the error names the file.
# needs: root
. "$CASES/lib.sh"
# A private mount namespace: the small tmpfs goes away with the case.
if [ -z "${IN_NS:-}" ]; then
  IN_NS=1 exec unshare -m bash "$0"
fi
mkdir fs
mount -t tmpfs -o size=64k lxconf-case fs || fail "cannot mount a tmpfs"
cd fs
{ printf 'lxc.utsname = web\n'; head -c 20000 /dev/zero | tr '\0' '#'; echo; } > config
cp config config.orig
echo 'good old backup' > config.bak
dd if=/dev/zero of=filler bs=4k 2>/dev/null
run_lxconf upgrade -i config
expect_rc 2
expect_err_has "config.bak"
expect_err_has "No space left"
[ "$(cat config.bak)" = 'good old backup' ] || fail "the old backup was damaged"
cmp -s config config.orig || fail "the config changed"
ls -A | grep -q '^\.lxconf-' && fail "temporary files left behind"
exit 0
