#!/usr/bin/env bash
# Issue 12.10: ESC sequences in keys, values and XML reached the terminal raw (window
# title, clear screen). Every human output escapes control characters.
. "$CASES/lib.sh"
printf 'lxc.foo\033]0;pwned\007 = 1\nlxc.uts.name = a\033[2Jb\nlxc.arch = \033[31mx86\n\033[2J = 1\n' > c.conf
for fmt in human github; do
  run_lxconf lint --format "$fmt" c.conf
  expect_rc 1
  expect_no_control_chars
done
run_lxconf show c.conf
expect_no_control_chars
expect_err_has '\x1b'
printf "<domain type='lxc'><name>a</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty' x='\033]0;t\007'/></devices><title>a\033[2J</title></domain>\n" > d.xml
run_lxconf show d.xml
expect_no_control_chars
printf 'lxc.uts.name = a\033[2Jb\nlxc.rootfs.path = dir:/r\n' > e1.conf
printf 'lxc.uts.name = other\nlxc.rootfs.path = dir:/r\n' > e2.conf
run_lxconf equiv --static e1.conf e2.conf
expect_rc 1
expect_no_control_chars
cp e1.conf e3.conf
run_lxconf domxml-from-native lxc-tools --output-dir out e1.conf e3.conf
expect_no_control_chars
