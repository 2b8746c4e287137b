//! Input limits (I001–I006) and the domain XML reader's encoding and duplicate checks
//! (X008–X010). Their checks live in `lxconf-parse` (`limits`, `domxml`); this file holds
//! their documentation.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

const fn reader(
    code: Code,
    example: &'static str,
    why: &'static str,
    fix: &'static str,
) -> RuleDef {
    RuleDef {
        code,
        example,
        why,
        fix,
        fixable: Fixable::No,
        check: Check::Parser,
    }
}

/// The input rules.
pub const RULES: &[RuleDef] = &[
    reader(
        Code::I001,
        "lxc.include = /var/log/huge.log\n",
        "A config is a few KiB. lxconf reads at most 16 MiB per file (stdin included) and 32 MiB for a configuration and all its includes (a file included twice counts twice), so that `/dev/zero`, a sparse file or a fan of includes cannot exhaust memory.",
        "Check that the path names a config; include each file once.",
    ),
    reader(
        Code::I002,
        "lxc.include = /dev/zero\nlxc.mount.fstab = /run/some.fifo\n",
        "An include or fstab file that is a FIFO blocks forever, and a device such as `/dev/urandom` never ends. lxconf opens includes and fstab files without blocking and reads regular files only.",
        "Point the key at a regular file.",
    ),
    reader(
        Code::I003,
        "lxc.environment = X=<70,000 characters>\n",
        "No LXC key takes a value of 64 KiB; such a line is a sign of a file that is not a config. The line is skipped, the rest of the file is read.",
        "Shorten the line, or check that the file is a config.",
    ),
    reader(
        Code::I004,
        "# a.conf includes b.conf twice, b.conf includes c.conf twice, ...\nlxc.include = /etc/lxc/a.conf\n",
        "liblxc applies a file each time it is included, so includes that fan out grow exponentially (40 files each including the next twice: 2^40 reads). lxconf reads each file once and applies at most 1,000 includes per configuration.",
        "Include each file once.",
    ),
    reader(
        Code::I005,
        "# a.conf includes b.conf, which includes c.conf, ... 33 deep\nlxc.include = /etc/lxc/a.conf\n",
        "A chain of includes more than 32 deep is never written by hand; lxconf stops there rather than recurse further.",
        "Flatten the chain of includes.",
    ),
    reader(
        Code::I006,
        "<domain type='lxc'><a><a><a>... 101 levels ...</a></a></a></domain>\n",
        "Readers of nested documents recurse: a domain XML or model document nested thousands deep would overflow the stack (and libyaml is quadratic in nesting). A domain XML is about 6 levels deep and a model document about 5; lxconf refuses more than 100.",
        "Check that the file is a domain XML or a model document.",
    ),
    reader(
        Code::X008,
        "<domain type='lxc'><name>caf\\xe9</name>...</domain>   (Latin-1 byte 0xE9)\n",
        "libvirt reads domain XML as UTF-8 and refuses other bytes; reading on would give a name or path that is not the one in the file.",
        "Re-encode the file as UTF-8 (`iconv -f LATIN1 -t UTF-8`).",
    ),
    reader(
        Code::X009,
        "<domain type='lxc'>\n  <name>web</name>\n  <name>other</name>\n</domain>\n",
        "libvirt reads `<name>`, `<memory>`, `<os>`, `<init>` and the other single elements with XPath `./NAME[1]`: the first one counts and later ones are silently ignored (checked with `virsh define` on libvirt 9.0), so the file says two things and only one happens. lxconf reads the first too, and says so.",
        "Remove the duplicate, keeping the value you mean in the first.",
    ),
    reader(
        Code::X010,
        "<?xml version='1.0' encoding='ISO-8859-1'?>\n<domain type='lxc'>...</domain>\n",
        "lxconf reads UTF-8, UTF-16 (with or without a byte order mark) and UTF-32 (with one); reading another encoding as UTF-8 would change names and paths.",
        "Re-encode the file as UTF-8 and drop the encoding declaration.",
    ),
];
