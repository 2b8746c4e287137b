#!/usr/bin/env bash
# Review of issue 12: a model document's `unrecognized` entries are written verbatim only
# when lxconf's own reader would keep them itself; others (any LXC key, any domain XML
# element) are reported as losses, never written.
. "$CASES/lib.sh"
cat > u.json <<'JSON'
{"hostname":"c","init":{"command":["/bin/sh"]},
 "unrecognized":[
  {"format":"lxc","key":"lxc.hook.pre-start","value":"/tmp/evil.sh","reason":"not typed by the model"},
  {"format":"lxc","key":"lxc.init.uid","value":"4294967295","reason":"not typed by the model"},
  {"format":"lxc","key":"lxc.include","value":"/etc/shadow","reason":"not typed by the model"}]}
JSON
run_lxconf convert --to lxc u.json
expect_out_lacks "lxc.hook"
expect_out_lacks "lxc.init.uid"
expect_out_lacks "lxc.include"
expect_err_has C101
cat > fs.json <<'JSON'
{"name":"smuggle","init":{"command":["/bin/sh"]},"libvirt":{"memory":67108864},
 "unrecognized":[
  {"format":"domxml","key":"devices/filesystem","value":"<filesystem type='mount'><source dir='/'/><target dir='/host'/></filesystem>","reason":"x"},
  {"format":"domxml","key":"os/init","value":"<init>/tmp/evil.sh</init>","reason":"x"},
  {"format":"domxml","key":"clock","value":"<clock offset='localtime'/>","reason":"x"}]}
JSON
run_lxconf convert --to domxml fs.json
expect_out_lacks "/host"
expect_out_lacks "evil.sh"
# What the reader itself keeps is written back.
expect_out_has "<clock offset='localtime'/>"
expect_err_has C301
