#!/usr/bin/env bash
# Issue 12.1: every string of a JSON or YAML model document is checked before it reaches
# an LXC line, an fstab line or domain XML.
. "$CASES/lib.sh"
cat > evil.json <<'JSON'
{
  "hostname": "web\nlxc.hook.pre-start = /tmp/evil.sh",
  "init": {"command": ["/bin/sh", "-c\rlxc.hook.mount = /tmp/evil.sh"], "cwd": "/\u0000x",
           "env": [{"name": "A", "value": "1\nlxc.hook.stop = /tmp/evil.sh"}]},
  "mounts": [{"source": "/srv\rlxc.hook.start-host = /tmp/evil.sh", "target": "/mnt", "fstype": "none", "bind": "bind"}]
}
JSON
run_lxconf convert --to lxc evil.json
expect_rc 1
expect_err_has C103
expect_out_lacks "lxc.hook"
run_lxconf convert --to fstab evil.json
expect_rc 1
expect_err_has C103
# The same document as YAML.
cat > evil.yaml <<'YAML'
hostname: "web\nlxc.hook.pre-start = /tmp/evil.sh"
YAML
run_lxconf convert --from yaml --to lxc evil.yaml
expect_rc 1
expect_err_has C103
# Blanks at the ends and quotes are kept by quoting, not refused.
printf '{"hostname": " web ", "init": {"cwd": "\\"/srv\\""}}\n' > quoted.json
run_lxconf convert --to lxc quoted.json
expect_rc 0
expect_out_has 'lxc.uts.name = " web "'
expect_out_has 'lxc.init.cwd = ""/srv""'
