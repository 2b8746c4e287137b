#!/usr/bin/env bash
# Issue 12.6: `run` skipped seccomp and AppArmor without a word. Now every setting it does
# not apply is a coded warning, and `--strict` refuses to start anything.
. "$CASES/lib.sh"
cat > c.conf <<CONF
lxc.uts.name = conf
lxc.init.cmd = /bin/sh -c "touch $WORK/started"
lxc.seccomp.profile = /usr/share/lxc/config/common.seccomp
lxc.apparmor.profile = lxc-container-default
lxc.net.0.type = empty
lxc.net.0.script.up = /bin/true
CONF
run_lxconf run --plan c.conf
expect_rc 0
expect_err_has "R001"
expect_err_has "R002"
expect_err_has "R004"
run_lxconf run --strict c.conf
expect_rc 1
expect_err_has "R001"
expect_err_has "--strict"
[ -e started ] && fail "--strict started the container"
exit 0
