#!/usr/bin/env bash
# Issue 12.9: writers used to leave root's owner and tempfile's mode 0600 on the files they
# rewrote; owner, group, mode and extended attributes are kept.
# needs: root
. "$CASES/lib.sh"
printf 'lxc.utsname = web\n' > config
chown 1234:5678 config
chmod 0640 config
python3 -c "import os; os.setxattr('config', 'user.tag', b'kept'); os.setxattr('config', 'security.tag', b'label')" \
  || fail "cannot set xattrs here"
run_lxconf upgrade -i config
expect_rc 0
grep -q 'lxc.uts.name' config || fail "not upgraded"
for f in config config.bak; do
  [ "$(stat -c '%u:%g %a' $f)" = "1234:5678 640" ] || fail "$f: $(stat -c '%u:%g %a' $f)"
done
python3 -c "import os; assert os.getxattr('config', 'user.tag') == b'kept'; assert os.getxattr('config', 'security.tag') == b'label'" \
  || fail "xattrs lost"
