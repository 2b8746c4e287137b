#!/usr/bin/env bash
# Issue 12.4: `lxc.net.0.veth.pair` naming an existing interface failed with EEXIST, then
# cleanup deleted that interface (a config naming lxcbr0 took the host bridge down).
# Everything happens in a private network namespace; nothing touches the host's network.
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = v\nlxc.init.cmd = /bin/true\nlxc.net.0.type = veth\nlxc.net.0.veth.pair = advx0\nlxc.net.0.name = eth0\n' > c.conf
cat > inside.sh <<SH
ip link add advx0 type veth peer name advx0p || exit 3
"$LXCONF" run c.conf > "$WORK/.out" 2> "$WORK/.err"
echo \$? > "$WORK/rc"
ip link show advx0 > /dev/null 2>&1 && echo kept > "$WORK/kept"
ip link del advx0 2> /dev/null
exit 0
SH
unshare --net sh inside.sh || fail "could not set up the private network namespace"
RC=$(cat rc)
expect_rc 1
expect_err_has "R012"
[ -e kept ] || fail "the existing interface was deleted"
exit 0
