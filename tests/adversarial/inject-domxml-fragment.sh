#!/usr/bin/env bash
# Issue 12.1: elements kept verbatim (from a domain XML, or given as such in a model
# document) are written only when they are one well-formed element of the expected name:
# a fragment cannot close its parent or add a <filesystem> that exposes the host's /.
. "$CASES/lib.sh"
cat > evil.json <<'JSON'
{
  "name": "c",
  "init": {"command": ["/bin/sh"]},
  "security": {"seclabels": ["<seclabel type='none'/></devices><devices><filesystem type='mount'><source dir='/'/><target dir='/host'/></filesystem>"]},
  "unrecognized": [{"format": "domxml", "key": "clock", "value": "<clock offset='utc'/><filesystem type='mount'><source dir='/'/><target dir='/host'/></filesystem>", "reason": "x"}],
  "libvirt": {"memory": 67108864, "metadata": "<metadata/><init>/tmp/evil.sh</init>"}
}
JSON
run_lxconf convert --to domxml evil.json
expect_rc 1
expect_err_has C207
expect_out_lacks "/host"
expect_out_lacks "evil.sh"
# A control character XML 1.0 cannot carry at all.
printf '{"name": "c", "init": {"command": ["/bin/sh", "\\u001b]0;pwned\\u0007"]}, "libvirt": {"memory": 67108864}}\n' > ctl.json
run_lxconf convert --to domxml ctl.json
expect_rc 1
expect_err_has C207
