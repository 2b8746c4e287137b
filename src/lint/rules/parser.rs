//! Rules the parsers report while loading (LXC config L001–L020, fstab F001–F004). Their
//! checks live in `lxconf-parse`; this file holds their documentation.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

const fn parser(
    code: Code,
    example: &'static str,
    why: &'static str,
    fix: &'static str,
    fixable: Fixable,
) -> RuleDef {
    RuleDef {
        code,
        example,
        why,
        fix,
        fixable,
        check: Check::Parser,
    }
}

/// The parser rules.
pub const RULES: &[RuleDef] = &[
    parser(
        Code::L001,
        "lxc.uts.nmae = web01\n",
        "liblxc refuses the whole file when a key under `lxc.` is not in its key table, so the container does not start at all.",
        "Correct the spelling; lxconf suggests the closest known key. Keys that exist only in LXC 7.0 (`lxc.environment.runtime`) are reported here too.",
        Fixable::Unsafe,
    ),
    parser(
        Code::L002,
        "lxc.utsname = web01\nlxc.network.type = veth\n",
        "LXC 3.0 removed the 1.x/2.x key names; LXC 3.0 and later refuse a file that uses them.",
        "Rename the key to its modern name (`--fix` does it for keys whose rename is mechanical; unindexed `lxc.network.*` keys need their index decided, so that fix is unsafe).",
        Fixable::Sometimes,
    ),
    parser(
        Code::L003,
        "lxc.start.auto = yes\nlxc.signal.stop = TERM\n",
        "The value does not follow the key's grammar (booleans are 0/1, signals need `SIG`, capability names are lower case without `CAP_`, sizes and ranges are checked). liblxc refuses the file or fails when the container starts.",
        "Write the value in the key's grammar; the hint names it.",
        Fixable::No,
    ),
    parser(
        Code::L004,
        "lxc.uts.name web01\n",
        "A line that starts with `lxc.` but has no `=` makes liblxc refuse the file.",
        "Write `key = value`.",
        Fixable::No,
    ),
    parser(
        Code::L005,
        "lxc.include = /usr/share/lxc/config/missing.conf\n",
        "liblxc refuses a config whose included file does not exist (a missing directory is ignored).",
        "Fix the path, or install the package that provides the file.",
        Fixable::No,
    ),
    parser(
        Code::L006,
        "# a.conf\nlxc.include = a.conf\n",
        "liblxc has no cycle detection: an include loop recurses until the stack overflows and the tool crashes.",
        "Remove the include that closes the loop.",
        Fixable::No,
    ),
    parser(
        Code::L007,
        "lxc.cap.drop = sys_admin\nlxc.cap.keep = net_admin\n",
        "`lxc.cap.drop` and `lxc.cap.keep` are exclusive: liblxc refuses a config that sets both.",
        "Keep one of the two lists; clear the other with an empty value (`lxc.cap.drop =`) if an included file sets it.",
        Fixable::No,
    ),
    parser(
        Code::L008,
        "lxc.net.0.veth.pair = vethweb\nlxc.net.0.type = veth\n",
        "Type-specific network keys need the type first, and a network without a type cannot be started.",
        "Put `lxc.net.N.type` first.",
        Fixable::No,
    ),
    parser(
        Code::L009,
        "LXC.uts.name = web01\nuts.name = web01\n",
        "liblxc silently ignores lines that do not start with `lxc.` (keys are case-sensitive), so the setting has no effect.",
        "Write the key in lower case with its `lxc.` prefix, or comment the line out.",
        Fixable::No,
    ),
    parser(
        Code::L010,
        "lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs\nlxc.mount.entry = /srv/data /mnt/data none bind 0 0\n",
        "LXC ignores an absolute mount target unless it contains the rootfs path; it only logs a warning, and the mount is missing at run time.",
        "Write the target relative to the container's root (`mnt/data`).",
        Fixable::No,
    ),
    parser(
        Code::L011,
        "lxc.environment = http_proxy\n",
        "`lxc.environment = NAME` copies the value of the process that loads the config, so the result depends on who starts the container; if the variable is unset there, loading fails.",
        "Write `NAME=value`.",
        Fixable::No,
    ),
    parser(
        Code::L012,
        "lxc.network.link = lxcbr0\nlxc.network.type = veth\n",
        "In LXC 1.x/2.x each `lxc.network.type` line starts a new interface; a subkey before any type belongs to no interface.",
        "Move the line after the `type` line of its interface, or convert the file to `lxc.net.N.*` keys.",
        Fixable::No,
    ),
    parser(
        Code::L013,
        "lxc.net.0.ipv4.address = 10.0.3.5\n",
        "Without a prefix liblxc computes a \"classful\" one with a byte-order bug: the prefix depends on the last octet (10.0.0.200 gets /24, 192.168.1.254 gets /0).",
        "Always write the prefix: `10.0.3.5/24`.",
        Fixable::No,
    ),
    parser(
        Code::L014,
        "lxc.init.uid = 010\n",
        "liblxc reads numbers with `strtoul` in base 0: `010` is 8 and `0x10` is 16, which is rarely what the author meant.",
        "Write decimal numbers without leading zeros.",
        Fixable::No,
    ),
    parser(
        Code::L015,
        "lxc.pivotdir = lxc_putold\n",
        "The key was removed without a replacement; LXC 2.1 ignored it and LXC 3.0 refuses it.",
        "Delete the line.",
        Fixable::Unsafe,
    ),
    parser(
        Code::L016,
        "lxc.net.0.link = lxcbr0\nlxc.net.0.type = veth\n",
        "Setting `type` wipes every earlier setting of that network, so the lines above it are lost.",
        "Put `type` first.",
        Fixable::No,
    ),
    parser(
        Code::L017,
        "lxc.include = /root/private.conf\n",
        "An included file or directory that cannot be read makes liblxc refuse the config.",
        "Fix the permissions or the path.",
        Fixable::No,
    ),
    parser(
        Code::L018,
        "lxc.mount.fstab = fstab.missing\n",
        "liblxc loads the config but the container fails to start when the fstab file is missing; a relative path is resolved against the current directory, not the config's.",
        "Use an absolute path, or run from the config's directory (`--include-base`).",
        Fixable::No,
    ),
    parser(
        Code::L019,
        "lxc.network.0.type = veth\nlxc.network.type = veth\n",
        "Indexed and unindexed legacy network keys number interfaces by different rules, so which interface a line belongs to is ambiguous.",
        "Use `lxc.net.N.*` keys with explicit indices throughout.",
        Fixable::No,
    ),
    parser(
        Code::L020,
        "lxc.net.0.name = a-very-long-interface-name\n",
        "liblxc silently truncates the value (interface names to 15 bytes), so the container sees a different name.",
        "Shorten the value.",
        Fixable::No,
    ),
    parser(
        Code::F001,
        "/srv/data mnt/data\n",
        "An fstab line needs source, target, type and options; LXC refuses a mount entry with fewer fields.",
        "Write all four fields: `/srv/data mnt/data none bind 0 0`.",
        Fixable::No,
    ),
    parser(
        Code::F002,
        "proc proc proc defaults x 0\n",
        "The dump and pass fields are numbers.",
        "Write `0 0`.",
        Fixable::No,
    ),
    parser(
        Code::F003,
        "proc proc proc defaults 0 0 extra\n",
        "Fields after the sixth are ignored, which usually means a path with an unescaped space.",
        "Escape spaces in paths as `\\040`.",
        Fixable::No,
    ),
    parser(
        Code::F004,
        "tmpfs run tmpfs size=lots 0 0\n",
        "An option with a value that the kernel or LXC refuses (`size=`, `mode=`, `create=`) makes the mount fail.",
        "Correct the option value.",
        Fixable::No,
    ),
];
