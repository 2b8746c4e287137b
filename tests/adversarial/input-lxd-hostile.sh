#!/usr/bin/env bash
# Issue 16: hostile LXD instance YAML under a memory and time limit: an alias bomb stops at
# the node budget (D015), deep nesting is refused before parsing (I006), also in a
# --profile file, and a raw.lxc of 100,000 lines is read line by line, located, in time.
# limits: mem=512 time=30
. "$CASES/lib.sh"
python3 - <<'PY'
lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
prev = "a"
for c in "bcdefghij":
    lines.append(f"{c}: &{c} [" + ", ".join([f"*{prev}"] * 10) + "]")
    prev = c
lines.append("config: {}")
lines.append("profiles: []")
open("bomb.yaml", "w").write("\n".join(lines) + "\n")
open("deep.yaml", "w").write("config: " + "[" * 32000 + "]" * 32000 + "\nprofiles: []\n")
open("deep-profile.yaml", "w").write("name: p\nconfig: " + "{a: " * 32000 + "x" + "}" * 32000 + "\n")
raw = "".join(f"    lxc.environment = V{i}=x\n" for i in range(100000))
open("raw.yaml", "w").write("config:\n  security.privileged: \"true\"\n  raw.lxc: |\n" + raw + "devices:\n  root: {path: /, pool: default, type: disk}\nprofiles: []\n")
PY
run_lxconf lint bomb.yaml
expect_rc 1
expect_out_has "D015"
run_lxconf show --from lxd deep.yaml
expect_rc 1
expect_err_has "I006"
printf 'config: {}\nprofiles:\n- p\n' > inst.yaml
run_lxconf show --from lxd --profile deep-profile.yaml inst.yaml
expect_rc 1
expect_err_has "I006"
run_lxconf show --from lxd raw.yaml
expect_rc 0
expect_out_has "V99999"
