#!/usr/bin/env bash
# Issue 12.7: 1M unclosed <a> crashed the renderer; nesting 50,000 deep overflowed the
# stack in lint, 200,000 deep in every command. Nesting is limited (I006).
# limits: mem=1024 time=60
. "$CASES/lib.sh"
{ printf "<domain type='lxc'>"; head -c 1000000 /dev/zero | sed 's/\x0/<a>/g'; echo; } > open.xml
run_lxconf lint open.xml
expect_rc 1
expect_out_has "I006"
python3 -c "print(\"<domain type='lxc'>\" + '<a>'*200000 + '</a>'*200000 + '</domain>')" > deep.xml
for cmd in "lint" "show" "convert --to yaml" "domxml-to-native lxc-tools" "equiv deep.xml"; do
  run_lxconf $cmd deep.xml
  expect_rc_in 1 2
  expect_err_lacks "overflow"
done
run_lxconf show deep.xml
expect_err_has "I006"
