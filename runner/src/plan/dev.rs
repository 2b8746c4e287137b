//! `/dev` as liblxc's autodev builds it: a tmpfs with the standard nodes, devpts, the
//! console and the `/proc/self/fd` links, and the boot id LXC binds.

use super::error::MAX_PTYS;
use super::mounts::mount;
use super::{ContainerStep, DevNode, MountStep, MsFlag, PlanError, Planner, PtyBind};
use lxconf_model::CreateKind;

/// The devpts options liblxc and libvirt share.
const DEVPTS: &str = "newinstance,ptmxmode=0666,mode=0620,gid=5";

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
    /// The `/dev` tmpfs, mounted before the automounts like liblxc's; libvirt's is nosuid.
    pub(super) fn dev_tmpfs(&self, steps: &mut Vec<ContainerStep>) {
        if !self.c.dev.autodev {
            return;
        }
        let size = self.c.dev.tmpfs_size.0;
        if self.c.libvirt.is_some() {
            steps.push(mount(
                "devfs",
                "/dev",
                "tmpfs",
                &[MsFlag::Nosuid],
                Some(&format!("mode=755,size={size}")),
            ));
        } else {
            steps.push(mount(
                "none",
                "/dev",
                "tmpfs",
                &[],
                Some(&format!("size={size},mode=755")),
            ));
        }
        // liblxc creates it under umask 0111, so `lxc-execute` shows mode 0644.
        steps.push(ContainerStep::Mkdir {
            path: "/dev/pts".into(),
            mode: 0o644,
        });
    }

    /// libvirt on the host's root without a user namespace unmounts the host's /sys and
    /// /dev trees, so the container sees only the mounts it makes there.
    pub(super) fn libvirt_on_host_root(&self) -> bool {
        self.c.libvirt.is_some()
            && self.c.rootfs.is_none()
            && !self.owns(lxconf_model::Namespace::User)
    }

    /// The host's /dev tree goes before the container's /dev tmpfs (/sys: see
    /// `sys_automount`).
    pub(super) fn detach_host_dev(&self, steps: &mut Vec<ContainerStep>) {
        if self.libvirt_on_host_root() {
            steps.push(ContainerStep::DetachTree {
                path: "/dev".into(),
            });
        }
    }

    /// Device nodes, devpts, the console and the fd links, after the mount entries.
    pub(super) fn dev_nodes(&self, steps: &mut Vec<ContainerStep>) -> Result<(), PlanError> {
        if !self.c.dev.autodev {
            return Ok(());
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
        self.devpts(steps)?;
        let console = &self.c.console;
        let runner_console = console.enabled && console.path.as_deref() != Some("none");
        if runner_console && self.c.libvirt.is_none() {
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
        Ok(())
    }

    /// A private devpts on `/dev/pts` with `/dev/ptmx` bound from it, and the ptys the
    /// engine allocates there: liblxc's `lxc.tty.max` ttys (lxc-execute binds none of them;
    /// the devpts `max=` counts them with `lxc.pty.max`), libvirt's consoles (console 0 on
    /// `/dev/console` and `/dev/tty1`, console N on `/dev/ttyN+1`).
    fn devpts(&self, steps: &mut Vec<ContainerStep>) -> Result<(), PlanError> {
        let dev = &self.c.dev;
        if dev.ptys == 0 {
            return Ok(());
        }
        let (flags, data, count, binds) = if self.c.libvirt.is_some() {
            let consoles = if self.c.console.enabled {
                dev.ttys + 1
            } else {
                0
            };
            let binds = (0..consoles)
                .flat_map(|i| {
                    let tty = PtyBind {
                        pty: i,
                        target: format!("/dev/tty{}", i + 1),
                    };
                    let console = (i == 0).then(|| PtyBind {
                        pty: 0,
                        target: "/dev/console".into(),
                    });
                    std::iter::once(tty).chain(console)
                })
                .collect();
            (vec![MsFlag::Nosuid], DEVPTS.to_string(), consoles, binds)
        } else {
            let max = dev.ptys.saturating_add(dev.ttys);
            let data = format!("{DEVPTS},max={max}");
            (
                vec![MsFlag::Nosuid, MsFlag::Noexec],
                data,
                dev.ttys,
                Vec::new(),
            )
        };
        steps.push(mount("devpts", "/dev/pts", "devpts", &flags, Some(&data)));
        steps.push(ContainerStep::Mount(MountStep {
            source: Some("/dev/pts/ptmx".into()),
            source_in_root: true,
            target: "/dev/ptmx".into(),
            fstype: None,
            flags: [MsFlag::Bind].into_iter().collect(),
            data: None,
            create: Some(CreateKind::File),
            optional: false,
        }));
        if count > MAX_PTYS {
            return Err(PlanError::TooManyTtys(count));
        }
        if count > 0 {
            steps.push(ContainerStep::Ptys { count, binds });
        }
        Ok(())
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
