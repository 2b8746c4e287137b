//! The codes that are not lint rules (C conversion, R runner, X domain XML read by the
//! parsers): what each means and how to fix it, and its fixture in tests/codes/CODE/: the
//! input that raises it (`bad.*`) and, where there is a fix, the fixed input that does not
//! (`fixed.*`). The lint rules keep their explanations in the registry.

use super::{Example, Explanation, Fixture};
use lxconf_model::Code;

const LINT: &[&str] = &["lint"];
const CONVERT_LXC: &[&str] = &["convert", "--to", "lxc"];
const CONVERT_DOMXML: &[&str] = &["convert", "--to", "domxml"];
const FROM_NATIVE: &[&str] = &["domxml-from-native", "lxc-tools"];
/// The plan reports every setting the runner would not apply, without running anything.
const PLAN: &[&str] = &["run", "--plan"];
/// A real run (as root).
const RUN: &[&str] = &["run"];

macro_rules! fixture {
    ($code:literal, $file:literal) => {
        Fixture {
            name: $file,
            text: Some(include_str!(concat!(
                "../../../tests/codes/",
                $code,
                "/",
                $file
            ))),
        }
    };
}

/// One fixture per code, in code-table order.
pub const EXAMPLES: &[Example] = &[
    Example {
        code: Code::C101,
        dir: "tests/codes/C101",
        bad: fixture!("C101", "bad.xml"),
        fixed: Some(fixture!("C101", "fixed.xml")),
        command: CONVERT_LXC,
        at: "bad.xml:10:",
        needs_root: false,
    },
    Example {
        code: Code::C102,
        dir: "tests/codes/C102",
        bad: fixture!("C102", "bad.xml"),
        fixed: None,
        command: CONVERT_LXC,
        at: "container=lxc",
        needs_root: false,
    },
    Example {
        code: Code::C103,
        dir: "tests/codes/C103",
        bad: fixture!("C103", "bad.json"),
        fixed: Some(fixture!("C103", "fixed.json")),
        command: CONVERT_LXC,
        at: "`lxc.uts.name`",
        needs_root: false,
    },
    Example {
        code: Code::C201,
        dir: "tests/codes/C201",
        bad: fixture!("C201", "bad.conf"),
        fixed: Some(fixture!("C201", "fixed.conf")),
        command: FROM_NATIVE,
        at: "no memory limit",
        needs_root: false,
    },
    Example {
        code: Code::C202,
        dir: "tests/codes/C202",
        bad: fixture!("C202", "bad.conf"),
        fixed: Some(fixture!("C202", "fixed.conf")),
        command: FROM_NATIVE,
        at: "bad.conf:10:",
        needs_root: false,
    },
    Example {
        code: Code::C203,
        dir: "tests/codes/C203",
        bad: fixture!("C203", "bad.conf"),
        fixed: Some(fixture!("C203", "fixed.conf")),
        command: FROM_NATIVE,
        at: "no lxc.uts.name",
        needs_root: false,
    },
    Example {
        code: Code::C204,
        dir: "tests/codes/C204",
        bad: fixture!("C204", "bad.conf"),
        fixed: Some(fixture!("C204", "fixed.conf")),
        command: FROM_NATIVE,
        at: "bad.conf:10:",
        needs_root: false,
    },
    Example {
        code: Code::C205,
        dir: "tests/codes/C205",
        bad: fixture!("C205", "bad.conf"),
        fixed: Some(fixture!("C205", "fixed.conf")),
        command: FROM_NATIVE,
        at: "bad.conf:10:",
        needs_root: false,
    },
    Example {
        code: Code::C206,
        dir: "tests/codes/C206",
        bad: fixture!("C206", "bad.conf"),
        fixed: Some(fixture!("C206", "fixed.conf")),
        command: FROM_NATIVE,
        at: "no gid mapping",
        needs_root: false,
    },
    Example {
        code: Code::C207,
        dir: "tests/codes/C207",
        bad: fixture!("C207", "bad.json"),
        fixed: Some(fixture!("C207", "fixed.json")),
        command: CONVERT_DOMXML,
        at: "`<initarg>`",
        needs_root: false,
    },
    Example {
        code: Code::C301,
        dir: "tests/codes/C301",
        bad: fixture!("C301", "bad.conf"),
        fixed: Some(fixture!("C301", "fixed.conf")),
        command: FROM_NATIVE,
        at: "AppArmor raw rules",
        needs_root: false,
    },
    Example {
        code: Code::C302,
        dir: "tests/codes/C302",
        bad: fixture!("C302", "bad.conf"),
        fixed: Some(fixture!("C302", "fixed.conf")),
        command: FROM_NATIVE,
        at: "always mounts /proc",
        needs_root: false,
    },
    Example {
        code: Code::R001,
        dir: "tests/codes/R001",
        bad: fixture!("R001", "bad.conf"),
        fixed: Some(fixture!("R001", "fixed.conf")),
        command: PLAN,
        at: "seccomp profile",
        needs_root: false,
    },
    Example {
        code: Code::R002,
        dir: "tests/codes/R002",
        bad: fixture!("R002", "bad.conf"),
        fixed: Some(fixture!("R002", "fixed.conf")),
        command: PLAN,
        at: "AppArmor profile",
        needs_root: false,
    },
    Example {
        code: Code::R003,
        dir: "tests/codes/R003",
        bad: fixture!("R003", "bad.conf"),
        fixed: Some(fixture!("R003", "fixed.conf")),
        command: PLAN,
        at: "SELinux context",
        needs_root: false,
    },
    Example {
        code: Code::R004,
        dir: "tests/codes/R004",
        bad: fixture!("R004", "bad.conf"),
        fixed: Some(fixture!("R004", "fixed.conf")),
        command: PLAN,
        at: "hook(s) are not run",
        needs_root: false,
    },
    Example {
        code: Code::R005,
        dir: "tests/codes/R005",
        bad: fixture!("R005", "bad.xml"),
        fixed: Some(fixture!("R005", "fixed.xml")),
        command: PLAN,
        at: "host device(s)",
        needs_root: false,
    },
    Example {
        code: Code::R006,
        dir: "tests/codes/R006",
        bad: fixture!("R006", "bad.json"),
        fixed: Some(fixture!("R006", "fixed.json")),
        command: PLAN,
        at: "given by name",
        needs_root: false,
    },
    Example {
        code: Code::R007,
        dir: "tests/codes/R007",
        bad: fixture!("R007", "bad.conf"),
        fixed: Some(fixture!("R007", "fixed.conf")),
        command: PLAN,
        at: "router mode",
        needs_root: false,
    },
    Example {
        code: Code::R008,
        dir: "tests/codes/R008",
        bad: fixture!("R008", "bad.conf"),
        fixed: Some(fixture!("R008", "fixed.conf")),
        command: PLAN,
        at: "rootfs options",
        needs_root: false,
    },
    Example {
        code: Code::R009,
        dir: "tests/codes/R009",
        bad: fixture!("R009", "bad.conf"),
        fixed: Some(fixture!("R009", "fixed.conf")),
        command: PLAN,
        at: "ttys are not set up",
        needs_root: false,
    },
    Example {
        code: Code::R012,
        dir: "tests/codes/R012",
        bad: fixture!("R012", "bad.conf"),
        fixed: Some(fixture!("R012", "fixed.conf")),
        command: RUN,
        at: "host interface lo already exists",
        needs_root: true,
    },
    Example {
        code: Code::R013,
        dir: "tests/codes/R013",
        bad: fixture!("R013", "bad.conf"),
        fixed: None,
        command: RUN,
        at: "removed the cgroup",
        needs_root: true,
    },
    Example {
        code: Code::R014,
        dir: "tests/codes/R014",
        bad: fixture!("R014", "bad.conf"),
        fixed: Some(fixture!("R014", "fixed.conf")),
        command: PLAN,
        at: "leaves the",
        needs_root: false,
    },
    Example {
        code: Code::X001,
        dir: "tests/codes/X001",
        bad: fixture!("X001", "bad.xml"),
        fixed: Some(fixture!("X001", "fixed.xml")),
        command: LINT,
        at: "bad.xml:11:",
        needs_root: false,
    },
    Example {
        code: Code::X002,
        dir: "tests/codes/X002",
        bad: fixture!("X002", "bad.xml"),
        fixed: Some(fixture!("X002", "fixed.xml")),
        command: LINT,
        at: "bad.xml:11:",
        needs_root: false,
    },
    Example {
        code: Code::X003,
        dir: "tests/codes/X003",
        bad: fixture!("X003", "bad.xml"),
        fixed: Some(fixture!("X003", "fixed.xml")),
        command: LINT,
        at: "bad.xml:4:",
        needs_root: false,
    },
    Example {
        code: Code::X004,
        dir: "tests/codes/X004",
        bad: fixture!("X004", "bad.xml"),
        fixed: Some(fixture!("X004", "fixed.xml")),
        command: LINT,
        at: "bad.xml:10:",
        needs_root: false,
    },
    Example {
        code: Code::X005,
        dir: "tests/codes/X005",
        bad: fixture!("X005", "bad.xml"),
        fixed: Some(fixture!("X005", "fixed.xml")),
        command: LINT,
        at: "bad.xml:2:",
        needs_root: false,
    },
    Example {
        code: Code::X006,
        dir: "tests/codes/X006",
        bad: fixture!("X006", "bad.xml"),
        fixed: Some(fixture!("X006", "fixed.xml")),
        command: LINT,
        at: "bad.xml:10:",
        needs_root: false,
    },
    Example {
        code: Code::X007,
        dir: "tests/codes/X007",
        bad: fixture!("X007", "bad.xml"),
        fixed: Some(fixture!("X007", "fixed.xml")),
        command: LINT,
        at: "bad.xml:12:",
        needs_root: false,
    },
];

/// Why each code matters and how to fix it.
pub const EXPLANATIONS: &[Explanation] = &[
    Explanation {
        code: Code::C101,
        why: "The LXC config is written without the setting: the container started from it silently differs from the domain (here it would have no network at all). `convert --strict` makes such a loss an error.",
        fix: "Express the setting in a form both formats share (a `<interface type='bridge'>` on the network's bridge instead of a libvirt network), or set the LXC side by hand after converting.",
    },
    Explanation {
        code: Code::C102,
        why: "The setting is written, but liblxc gives it a slightly different meaning: programs inside that look at `$container` or `/proc/meminfo` see something else than under libvirt. Nothing is lost; the note says what changes.",
        fix: "Nothing to fix in the input: read the note, check that the program inside does not depend on the difference, and allow the code (`--allow C102`) once reviewed.",
    },
    Explanation {
        code: Code::C103,
        why: "An LXC config is read line by line and has no escapes: a line break in a value would end the key there and turn the rest into a new line, a new key the author never wrote (here `lxc.apparmor.profile = unconfined`). lxconf refuses to write such a config instead of writing a different container.",
        fix: "Fix the value at its source: remove the line break, NUL or space from the value in the input document.",
    },
    Explanation {
        code: Code::C201,
        why: "libvirt makes `<memory>` mandatory and enforces it as a hard limit: a container that had no limit under LXC gets one (the host's memory, or `--memory`), and a memory-hungry workload can now be OOM-killed.",
        fix: "Give the container the limit you want explicitly (`lxc.cgroup2.memory.max = 512M`), or pass `--memory SIZE` to choose the domain's memory.",
    },
    Explanation {
        code: Code::C202,
        why: "A tmpfs sized relative to host memory (`size=50%`), or without a size, has no equivalent in domain XML: `<filesystem type='ram'>` needs an absolute `usage`. Without `--host-memory` the conversion has no number to write and fails.",
        fix: "Give the tmpfs an absolute size (`size=256M`), or pass `--host-memory SIZE` so the percentage is turned into bytes for that host.",
    },
    Explanation {
        code: Code::C203,
        why: "A domain needs a name. When the config has no `lxc.uts.name`, the name comes from the container's directory (a note); when neither says anything, there is no name and the conversion fails.",
        fix: "Set `lxc.uts.name`, or pass `--name NAME`.",
    },
    Explanation {
        code: Code::C204,
        why: "libvirt refuses to start a domain without a console, so the domain gets a pty console the LXC container did not have: the container gains a `/dev/console` on a host pty.",
        fix: "Remove `lxc.console.path = none` if a console is acceptable, or allow the code once reviewed.",
    },
    Explanation {
        code: Code::C205,
        why: "Every tty is one `<console>` element. Past about 52,500 of them the domain XML exceeds the 4 MiB string limit of libvirt's RPC protocol and `virsh define` fails (\"Unable to encode message payload\").",
        fix: "Lower `lxc.tty.max` to what the container uses (a handful).",
    },
    Explanation {
        code: Code::C206,
        why: "libvirt refuses an `<idmap>` that maps uids but no gids (or the reverse), or that leaves the container's root unmapped: the domain would not define.",
        fix: "Add the missing map so that both kinds map id 0: `lxc.idmap = g 0 100000 65536` next to `lxc.idmap = u 0 100000 65536`.",
    },
    Explanation {
        code: Code::C207,
        why: "XML 1.0 cannot carry most control characters at all, not even escaped: a domain XML holding one is refused by every XML parser, libvirt's included. lxconf refuses to write it instead of writing XML nobody can read.",
        fix: "Remove the control character from the value at its source (here the init argument).",
    },
    Explanation {
        code: Code::C301,
        why: "The domain is written without the setting: the libvirt container differs from the LXC one (here it loses the AppArmor rules that confined it). `--strict` makes any loss an error.",
        fix: "Move the setting to where libvirt can hold it (an AppArmor profile named in `<seclabel>`), or drop it from the config once you accept the difference.",
    },
    Explanation {
        code: Code::C302,
        why: "libvirt does some things whatever the domain says (mount /proc and /sys, give a devpts, a fresh /dev): the container under libvirt sees more than it did under LXC. Nothing is lost, but the two are not the same container.",
        fix: "Make the LXC config ask for what libvirt does anyway (`lxc.mount.auto = proc:mixed sys:ro`, `lxc.pty.max = 1024`), so that both behave alike, or allow the note once reviewed.",
    },
    Explanation {
        code: Code::R001,
        why: "The container runs with no system call filter: calls liblxc's profile blocks (`kexec_load`, `open_by_handle_at`, keyring calls...) reach the host kernel. `run --strict` refuses to start instead.",
        fix: "Run the container with liblxc (`lxc-start`) when it needs its seccomp profile, or remove `lxc.seccomp.profile` if no filter is intended.",
    },
    Explanation {
        code: Code::R002,
        why: "The container runs unconfined by AppArmor: the profile's denials (writes to /proc/sys, mounts) are not enforced. `run --strict` refuses to start instead.",
        fix: "Run the container with liblxc when it needs its AppArmor profile, or set `lxc.apparmor.profile = unconfined` to say that no profile is intended.",
    },
    Explanation {
        code: Code::R003,
        why: "The container runs in the runner's SELinux context, not the one the config asks for: the policy's separation between containers does not apply.",
        fix: "Run the container with liblxc or libvirt when it needs its SELinux context, or remove `lxc.selinux.context`.",
    },
    Explanation {
        code: Code::R004,
        why: "Hooks set up what the container expects (network registration, mounts, device nodes): without them it may start in a half-configured state.",
        fix: "Do the hook's work before `lxconf run` (or in the container's init), or run the container with liblxc.",
    },
    Explanation {
        code: Code::R005,
        why: "The container starts without the device it was configured to get: programs that need it fail inside.",
        fix: "Bind-mount the device node with a mount and allow it in the device cgroup, or run the container with libvirt.",
    },
    Explanation {
        code: Code::R006,
        why: "Names are resolved in the container's `/etc/passwd` by liblxc; the runner uses the numeric ids stored beside them. If they disagree with the rootfs's passwd, init runs as another user than named.",
        fix: "Give the init user and group as numbers (`lxc.init.uid`, `lxc.init.gid`) that match the rootfs.",
    },
    Explanation {
        code: Code::R007,
        why: "A veth in router mode relies on host routes and proxy ARP that the runner does not set up: the container's addresses are not reachable from the host's network.",
        fix: "Use a bridged veth (`lxc.net.0.veth.mode = bridge` with `lxc.net.0.link`), or set up the host routes yourself.",
    },
    Explanation {
        code: Code::R008,
        why: "The mount does not get the options the config asks for (here the rootfs stays without `nodev,nosuid`): the container can do what the options were meant to forbid.",
        fix: "Remove the options, or mount the rootfs with them before the run and point `lxc.rootfs.path` at that mount.",
    },
    Explanation {
        code: Code::R009,
        why: "The container does not get the setting (here its ttys): a getty on /dev/tty1 fails, as it would under `lxc-execute`.",
        fix: "Remove the setting, or run the container with `lxc-start` when it needs ttys.",
    },
    Explanation {
        code: Code::R012,
        why: "Creating the veth under a name the host already uses would fail or, worse, hijack a host interface. The run stops before anything else is set up and leaves the existing interface alone.",
        fix: "Choose a host name no host interface has (`lxc.net.0.veth.pair = vethweb0`), or leave `veth.pair` out and let the runner pick one.",
    },
    Explanation {
        code: Code::R013,
        why: "An `lxconf.payload.NAME.PID` cgroup whose runner is gone (it was killed) would stay behind forever. The next run removes it when it is empty; the note says which one went.",
        fix: "Nothing to fix in the config: the note reports a clean-up. If it repeats, find out what kills the runner.",
    },
    Explanation {
        code: Code::R014,
        why: "The runner cannot build the container the config describes (no command, a mount target that climbs out of the rootfs, a backend it does not support): it starts nothing rather than a container that differs from the config.",
        fix: "Fix what the message names: here write the mount target inside the rootfs (`srv/data`).",
    },
    Explanation {
        code: Code::X001,
        why: "libvirt refuses a document that is not well-formed XML; nothing of it can be read.",
        fix: "Fix the markup at the place reported: here close `<devices>` with `</devices>`.",
    },
    Explanation {
        code: Code::X002,
        why: "lxconf keeps an element it does not model verbatim: domain XML output writes it back, but an LXC config cannot hold it, so converting to LXC loses it (reported as C101).",
        fix: "Nothing to fix if the domain stays with libvirt. To convert, replace the element by one lxconf models (a `mount` filesystem of the mounted image instead of a loop `<driver>`), or remove it.",
    },
    Explanation {
        code: Code::X003,
        why: "libvirt refuses the domain when a value does not match its grammar (a unit, a number, a UUID, a cpuset): `virsh define` fails.",
        fix: "Write the value in the grammar the message names: here a unit libvirt knows (`MiB`).",
    },
    Explanation {
        code: Code::X004,
        why: "libvirt's LXC driver rejects elements only virtual machines have (`<disk>`, an `hvm` os type): the domain does not start.",
        fix: "Use what the LXC driver supports: a `<filesystem>` for storage, `<type>exe</type>` for the os.",
    },
    Explanation {
        code: Code::X005,
        why: "An `exe` guest runs the program in `<init>`; without one libvirt has nothing to start and refuses the domain.",
        fix: "Add `<init>/sbin/init</init>` (or the program to run) to `<os>`.",
    },
    Explanation {
        code: Code::X006,
        why: "libvirt refuses a filesystem type it does not know (`nfs`, `ext4`): the domain does not define.",
        fix: "Use one of mount, bind, block, file or ram: here mount the NFS share on the host and pass its directory as `type='mount'`.",
    },
    Explanation {
        code: Code::X007,
        why: "A multicast (or broadcast) MAC address cannot be an interface's own address: the kernel refuses to set it, and the container's network does not come up.",
        fix: "Use a unicast address: the lowest bit of the first byte clear (`00:16:3e:...`).",
    },
    Explanation {
        code: Code::R015,
        why: "The kernel moves a physical interface back to the host when the container's network namespace goes away, but under the name it had inside the container (or `devN` when that name is taken on the host), not its host name: host configuration that refers to it by name no longer finds it.",
        fix: "Nothing in the config causes it: rename the interface back by hand (`ip link set eth0 name enp3s0`), and check what took its host name meanwhile.",
    },
];
