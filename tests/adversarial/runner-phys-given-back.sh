#!/usr/bin/env bash
# Issue 12.4: a veth passed as `phys` was destroyed with the container's network namespace
# (docs/runner.md promised it goes back to the host). It is given back, under its name.
# Everything happens in a private network namespace.
# needs: root
. "$CASES/lib.sh"
printf 'lxc.uts.name = ph\nlxc.init.cmd = /bin/true\nlxc.net.0.type = phys\nlxc.net.0.link = advp0\nlxc.net.0.name = eth1\n' > c.conf
cat > inside.sh <<SH
ip link add advp0 type veth peer name advp0p || exit 3
"$LXCONF" run c.conf > "$WORK/.out" 2> "$WORK/.err"
echo \$? > "$WORK/rc"
ip link show advp0 > /dev/null 2>&1 && echo back > "$WORK/back"
ip link del advp0 2> /dev/null
exit 0
SH
unshare --net sh inside.sh || fail "could not set up the private network namespace"
RC=$(cat rc)
expect_rc 0
[ -e back ] || fail "the phys interface was not given back to the host"
exit 0
