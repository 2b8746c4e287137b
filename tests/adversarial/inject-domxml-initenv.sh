#!/usr/bin/env bash
# Issue 12.1 (critical): a newline in a domain XML value must never become an LXC line of
# its own (here an lxc.hook.pre-start that liblxc would run as root on the host).
. "$CASES/lib.sh"
cat > evil.xml <<'XML'
<domain type='lxc'>
  <name>evil</name>
  <memory unit='KiB'>65536</memory>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c&#10;lxc.hook.start-host = /tmp/evil.sh</initarg>
    <initenv name='X'>1&#10;lxc.hook.pre-start = /tmp/evil.sh</initenv>
    <initdir><![CDATA[/
lxc.hook.mount = /tmp/evil.sh]]></initdir>
  </os>
  <devices>
    <filesystem type='mount'>
      <source dir='/srv&#13;lxc.hook.stop = /tmp/evil.sh'/>
      <target dir='/'/>
    </filesystem>
    <interface type='bridge'>
      <source bridge='br0&#10;lxc.hook.post-stop = /tmp/evil.sh'/>
      <target dev='veth0&#10;lxc.hook.autodev = /tmp/evil.sh'/>
    </interface>
  </devices>
</domain>
XML
for flags in "" "--strict" "--legacy"; do
  run_lxconf domxml-to-native lxc-tools $flags -o out.conf evil.xml
  expect_rc 1
  expect_err_has C103
  [ -e out.conf ] && fail "a config was written"
done
run_lxconf convert --to lxc evil.xml
expect_rc 1
expect_out_lacks "lxc.hook"
