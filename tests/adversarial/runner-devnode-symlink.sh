#!/usr/bin/env bash
# Review of issue 12: a mount over /dev brings a directory the config's author controls;
# a symlink there named like a device node (`full`) pointed the runner's chmod at a host
# file (made world-writable). Existing entries are now left alone, as liblxc does.
# needs: root
. "$CASES/lib.sh"
[ -x /bin/busybox ] || fail "busybox-static is needed"
mkdir -p rootfs/bin rootfs/dev rootfs/proc rootfs/sys rootfs/tmp evildev
cp /bin/busybox rootfs/bin/busybox
ln -s busybox rootfs/bin/sh
ln -s busybox rootfs/bin/true
echo secret > victim
chmod 600 victim
ln -s "$WORK/victim" evildev/full
cat > c.conf <<CONF
lxc.uts.name = d
lxc.rootfs.path = dir:$WORK/rootfs
lxc.init.cmd = /bin/true
lxc.mount.entry = $WORK/evildev dev none bind 0 0
CONF
run_lxconf run c.conf
[ "$(stat -c %a victim)" = 600 ] || fail "the victim's mode changed to $(stat -c %a victim)"
