#!/usr/bin/env bash
# Issue 12.8: 6,000 attributes on one XML line printed 700 MB of stderr (each finding
# re-rendered the whole line) and located each value by searching the tag.
# limits: time=60
. "$CASES/lib.sh"
python3 -c "
attrs = ' '.join(f'a{i}=\"x\"' for i in range(6000))
print(\"<domain type='lxc'><name>a</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty' \" + attrs + '/></devices></domain>')" > d.xml
run_lxconf show d.xml
expect_rc 0
expect_err_has "a5999"
expect_err_size_below 8000000
