//! `/dev` as liblxc's autodev builds it: a tmpfs with the standard nodes, devpts, the
//! console and the `/proc/self/fd` links, and the boot id LXC binds.

use super::mounts::mount;
use super::{ContainerStep, DevNode, MsFlag, Planner};
use lxconf_model::{pointer, Code};

/// The nodes autodev creates: name, major, minor.
const NODES: [(&str, u32, u32); 6] = [
    ("full", 1, 7),
    ("null", 1, 3),
    ("random", 1, 8),
    ("tty", 5, 0),
    ("urandom", 1, 9),
    ("zero", 1, 5),
];

/// The links autodev creates: path, target.
const LINKS: [(&str, &str); 4] = [
    ("/dev/fd", "/proc/self/fd"),
    ("/dev/stdin", "/proc/self/fd/0"),
    ("/dev/stdout", "/proc/self/fd/1"),
    ("/dev/stderr", "/proc/self/fd/2"),
];

impl Planner<'_> {
    /// The `/dev` tmpfs, mounted before the automounts like liblxc's.
    pub(super) fn dev_tmpfs(&self, steps: &mut Vec<ContainerStep>) {
        if !self.c.dev.autodev {
            return;
        }
        steps.push(mount(
            "none",
            "/dev",
            "tmpfs",
            &[],
            Some(&format!("size={},mode=755", self.c.dev.tmpfs_size.0)),
        ));
        // liblxc creates it under umask 0111, so `lxc-execute` shows mode 0644.
        steps.push(ContainerStep::Mkdir {
            path: "/dev/pts".into(),
            mode: 0o644,
        });
    }

    /// Device nodes, devpts, the console and the fd links, after the mount entries.
    pub(super) fn dev_nodes(&self, steps: &mut Vec<ContainerStep>) {
        if !self.c.dev.autodev {
            return;
        }
        for (node, major, minor) in NODES {
            steps.push(ContainerStep::Mknod(DevNode {
                path: format!("/dev/{node}"),
                major,
                minor,
                mode: 0o666,
                host: format!("/dev/{node}"),
            }));
        }
        if self.c.dev.ptys > 0 {
            steps.push(mount(
                "devpts",
                "/dev/pts",
                "devpts",
                &[MsFlag::Nosuid, MsFlag::Noexec],
                Some("newinstance,ptmxmode=0666,mode=0620,gid=5"),
            ));
            steps.push(ContainerStep::Symlink {
                path: "/dev/ptmx".into(),
                to: "pts/ptmx".into(),
            });
        }
        let console = &self.c.console;
        if console.enabled && console.path.as_deref() != Some("none") {
            if let Some(tty) = &self.opts.console_tty {
                steps.push(ContainerStep::Console { tty: tty.clone() });
            }
        }
        for (path, to) in LINKS {
            steps.push(ContainerStep::Symlink {
                path: path.into(),
                to: to.into(),
            });
        }
    }

    /// `lxc.tty.max`: no ttys are allocated.
    pub(super) fn ttys(&mut self) {
        let ttys = self.c.dev.ttys;
        if ttys > 0 {
            self.not_applied(
                Code::R009,
                pointer::DEV_TTYS,
                format!("{ttys} ttys are not set up (lxc-execute does not set them up either)"),
            );
        }
    }

    /// LXC binds a boot id when it builds /dev; libvirt does not.
    pub(super) fn boot_id(&self, steps: &mut Vec<ContainerStep>) {
        let c = self.c;
        if c.dev.autodev && c.auto_mounts.proc.is_some() && c.libvirt.is_none() {
            steps.push(ContainerStep::BootId {
                id: random_uuid(self.opts.seed),
            });
        }
    }
}

/// A version 4 UUID from `seed` (xorshift), in its hyphenated form.
fn random_uuid(seed: u64) -> String {
    let mut s = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        *b = (s >> 24) as u8;
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
