#!/usr/bin/env bash
# Issue 12.8: 32k-deep YAML took 18 s (libyaml is quadratic in nesting) and deep
# documents recurse; nesting past 100 is refused before parsing (I006).
# limits: time=20
. "$CASES/lib.sh"
python3 -c "print('name: ' + '['*32000 + ']'*32000)" > deep.yaml
python3 -c "print('{\"name\": ' + '['*32000 + ']'*32000 + '}')" > deep.json
for f in deep.yaml deep.json; do
  run_lxconf lint "$f"
  expect_rc 1
  expect_out_has "I006"
  run_lxconf show "$f"
  expect_rc 1
  expect_err_has "I006"
done
