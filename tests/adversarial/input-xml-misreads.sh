#!/usr/bin/env bash
# Issue 12.11: the lxc: namespace was matched by prefix; duplicate <name> took the last
# (libvirt takes the first); a BOM or UTF-16 made a domain XML an empty LXC config
# (exit 0); invalid UTF-8 was accepted silently.
. "$CASES/lib.sh"
body="<name>first</name><name>second</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty'/></devices>"
share="<lxc:namespace><lxc:sharenet type='netns' value='blue'/></lxc:namespace>"
printf "<domain type='lxc' xmlns:lxc='http://example.com/other'>%s%s</domain>\n" "$body" "$share" > other-uri.xml
run_lxconf show other-uri.xml
expect_out_lacks "/run/netns/blue"
printf "<domain type='lxc' xmlns:l='http://libvirt.org/schemas/domain/lxc/1.0'>%s%s</domain>\n" "$body" "${share//lxc:/l:}" > prefix.xml
run_lxconf show prefix.xml
expect_out_has "/run/netns/blue"
expect_out_has '"first"'
expect_out_lacks '"second"'
expect_err_has "X009"
printf '\357\273\277' > bom.xml; cat prefix.xml >> bom.xml
run_lxconf show bom.xml
expect_rc 0
expect_out_has '"first"'
printf '\377\376' > utf16.xml; iconv -f UTF-8 -t UTF-16LE prefix.xml >> utf16.xml
run_lxconf show utf16.xml
expect_rc 0
expect_out_has '"first"'
printf "<domain type='lxc'><name>caf\351</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty'/></devices></domain>\n" > latin1.xml
run_lxconf show latin1.xml
expect_rc 1
expect_err_has "X008"
# An LXC config with invalid UTF-8 is read on, as liblxc does.
printf 'lxc.uts.name = caf\351\nlxc.arch = \377\376\n' > c.conf
run_lxconf show c.conf
expect_rc_in 0 1
# UTF-32 with a byte order mark, and UTF-16 with a newline before the root.
printf '\377\376\000\000' > utf32.xml; iconv -f UTF-8 -t UTF-32LE prefix.xml >> utf32.xml
run_lxconf show utf32.xml
expect_rc 0
expect_out_has '"first"'
printf '\376\377' > nl16.xml; { echo; cat prefix.xml; } | iconv -f UTF-8 -t UTF-16BE >> nl16.xml
run_lxconf show nl16.xml
expect_rc 0
expect_out_has '"first"'
