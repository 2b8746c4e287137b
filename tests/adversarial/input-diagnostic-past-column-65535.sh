#!/usr/bin/env bash
# Issue 12.7: miette panicked ("Formatting argument out of range") on a diagnostic that
# starts past column 65,535; snippets are now cut to a window around the label.
. "$CASES/lib.sh"
{ printf 'lxc.tty.max ='; head -c 65600 /dev/zero | tr '\0' ' '; printf 'abc\n'; } > c.conf
run_lxconf lint c.conf
expect_rc 1
expect_out_has "I003"
# A domain XML finding at column 70,000 of one line (no line limit for XML).
{ printf "<domain type='lxc'>"; head -c 70000 /dev/zero | tr '\0' ' '
  printf "<name>a</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty' bogus='1'/></devices></domain>\n"; } > d.xml
run_lxconf show d.xml
expect_rc 0
expect_err_has "X002"
expect_err_size_below 4000
