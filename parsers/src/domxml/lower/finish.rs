//! After the elements: the checks that need the whole domain, and what libvirt's LXC
//! driver adds by itself (limits, consoles, mounts, hostname, init environment,
//! namespaces), made explicit in the model.

use super::Building;
use crate::domxml::tree::Element;
use crate::domxml::{Lower, LIBVIRT_PATH, LIBVIRT_PTYS};
use lxconf_model::model::*;
use lxconf_model::values::{libvirt_hostname, uuid_for_name};
use lxconf_model::{pointer, ByteSize, Code, Diagnostic, Namespace, Origin};
use std::collections::BTreeSet;

/// Errors about the domain as a whole: no `<memory>`, a half or rootless idmap, a foreign
/// architecture, an exe guest without init.
pub(super) fn check(l: &mut Lower<'_>, root: &Element, b: &Building) {
    let Building { c, lv, .. } = b;
    if lv.memory.is_none() {
        l.error(Code::X003, &root.range, "the domain has no <memory>".into(), "add <memory unit='KiB'>65536</memory>: libvirt needs it and enforces it as the memory limit");
    }
    for problem in c.idmap_problems() {
        let (message, help) = match problem {
            IdMapProblem::KindMissing { .. } => (
                "uid and gid must both be mapped",
                "add the missing <uid> or <gid> entries to <idmap>",
            ),
            IdMapProblem::RootNotMapped { .. } => (
                "the idmap must map the container's root (start='0')",
                "add a range with start='0'",
            ),
        };
        l.error(Code::X003, &root.range, message.into(), help);
    }
    if let Some(a) = &c.arch {
        let host = std::env::consts::ARCH;
        let runnable =
            a == host || (host == "x86_64" && a == "i686") || (host == "aarch64" && a == "armv7l");
        if !runnable {
            l.error(
                Code::X003,
                &root.range,
                format!("arch `{a}` cannot run on this {host} host"),
                "libvirt only starts guests of the host's architecture (or its 32-bit companion)",
            );
        }
    }
    if !b.init_seen && b.os_type_exe {
        l.error(
            Code::X005,
            &root.range,
            "an exe guest needs an <init>".into(),
            "add <init>/sbin/init</init> inside <os>",
        );
    }
}

/// A domain without `<uuid>` gets a random one from libvirt at define time; the model takes
/// one derived from the name instead (reproducible output, never an empty
/// `container_uuid`), with a note saying so.
pub(super) fn derive_uuid(l: &mut Lower<'_>, root: &Element, b: &mut Building) {
    // A malformed <uuid> is an error already.
    if b.c.uuid.is_some() || root.child("uuid").is_some() {
        return;
    }
    let name = b.c.name.clone().unwrap_or_default();
    let uuid = uuid_for_name(&name);
    b.c.uuid = Some(uuid);
    l.doc.origins.record(pointer::UUID, l.o(&root.range));
    let d = Diagnostic::new(
        Code::X011,
        format!("the domain has no <uuid>: libvirt would generate a random one at define time; lxconf uses {uuid}, derived from the name"),
    )
    .at(l.o(&root.range))
    .help("add a <uuid> to fix the container's identity (`container_uuid`, `LIBVIRT_LXC_UUID`)");
    l.diags.push(d);
}

/// `<privnet/>` means something only for a domain without interfaces (a network namespace
/// with only loopback); with interfaces or a shared network namespace the model cannot
/// hold it, so it is kept verbatim and written back where libvirt prints it.
pub(super) fn privnet_layout(l: &mut Lower<'_>, root: &Element, b: &Building) {
    if !b.privnet {
        return;
    }
    let Some(el) = root
        .children
        .iter()
        .filter(|f| f.name == "features")
        .find_map(|f| f.child("privnet"))
    else {
        return;
    };
    if b.c.namespaces.share.contains_key(&Namespace::Net) {
        l.keep(
            el,
            "features/privnet",
            "with <lxc:sharenet> libvirt refuses to start the domain (it asks for a private and a shared network namespace)",
        );
    } else if b.c.networks.iter().any(|n| n.kind != NetKind::None) {
        l.keep(
            el,
            "features/privnet",
            "libvirt ignores it when the domain has network interfaces",
        );
    }
}

/// Apply libvirt's defaults to what the elements set and store the container in `l.doc`.
pub(super) fn complete(l: &mut Lower<'_>, b: Building) {
    let Building {
        mut c,
        lv,
        consoles,
        privnet,
        caps,
        hard_limit,
        env_origins,
        ..
    } = b;
    // libvirt enforces <memory> as the memory limit; <hard_limit> overrides it.
    c.resources.memory_limit = hard_limit.or(lv.memory);
    c.capabilities = caps;
    // Consoles: console 0 is /dev/console, the others are /dev/tty1.. .
    c.console.enabled = consoles > 0;
    c.dev.ttys = consoles.saturating_sub(1);
    c.dev.ptys = LIBVIRT_PTYS;
    c.dev.tmpfs_size = ByteSize(65536);
    c.auto_mounts = AutoMounts {
        proc: Some(ProcMode::Libvirt),
        sys: Some(SysMode::Libvirt),
        cgroup: Some(CgroupAuto {
            flavor: CgroupFlavor::Full,
            mode: Some(CgroupMode::Rw),
            force: true,
        }),
        shmounts: None,
    };
    if c.init.cwd.is_none() {
        c.init.cwd = Some("/".into());
    }
    c.hostname = Some(libvirt_hostname(c.name.as_deref().unwrap_or_default()));
    init_env(l, &mut c, consoles, env_origins);
    namespaces(&mut c, privnet);
    c.libvirt = Some(lv);
    // `keep` recorded the verbatim elements on the document while `c` was being built.
    c.unrecognized = std::mem::take(&mut l.doc.container.unrecognized);
    l.doc.container = c;
}

/// The init environment, in libvirt's order; <initenv> replaces a built-in in place.
fn init_env(
    l: &mut Lower<'_>,
    c: &mut Container,
    consoles: u32,
    env_origins: Vec<(String, Origin)>,
) {
    let name = c.name.clone().unwrap_or_default();
    // Set by `derive_uuid` when the domain had none.
    let uuid = c.uuid.map(|u| u.to_string()).unwrap_or_default();
    let mut env: Vec<EnvVar> = [
        ("PATH", LIBVIRT_PATH.to_string()),
        ("TERM", "linux".into()),
        ("container", "lxc-libvirt".into()),
        ("HOME", "/".into()),
        ("container_uuid", uuid.clone()),
    ]
    .into_iter()
    .map(|(n, v)| EnvVar {
        name: n.into(),
        value: Some(v),
    })
    .collect();
    if consoles >= 2 {
        let ttys: Vec<String> = (1..consoles).map(|i| format!("pts/{i}")).collect();
        env.push(EnvVar {
            name: "container_ttys".into(),
            value: Some(ttys.join(" ")),
        });
    }
    env.push(EnvVar {
        name: "LIBVIRT_LXC_UUID".into(),
        value: Some(uuid),
    });
    env.push(EnvVar {
        name: "LIBVIRT_LXC_NAME".into(),
        value: Some(name),
    });
    // By name, through an index: 40,000 <initenv> took 26 s with a scan per variable.
    let mut at: std::collections::HashMap<String, usize> = env
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.clone(), i))
        .collect();
    for e in std::mem::take(&mut c.init.env) {
        match at.get(&e.name) {
            Some(&i) => env[i].value = e.value,
            None => {
                at.insert(e.name.clone(), env.len());
                env.push(e);
            }
        }
    }
    c.init.env = env;
    for (name, origin) in env_origins {
        if let Some(&i) = at.get(&name) {
            l.doc
                .origins
                .record(pointer::item(pointer::INIT_ENV, i), origin);
        }
    }
}

/// The namespaces libvirt creates, less the shared ones; a network when there is none.
fn namespaces(c: &mut Container, privnet: bool) {
    let mut clone: BTreeSet<Namespace> = [
        Namespace::Mnt,
        Namespace::Pid,
        Namespace::Uts,
        Namespace::Ipc,
    ]
    .into_iter()
    .collect();
    let has_net = privnet || c.networks.iter().any(|n| n.kind != NetKind::None);
    if has_net {
        clone.insert(Namespace::Net);
    } else if !c.namespaces.share.contains_key(&Namespace::Net) {
        // No interface and no privnet: the host's network namespace is shared.
        let i = c.networks.len() as u32;
        c.networks.push(Network::new(i, NetKind::None));
    }
    if privnet && c.networks.is_empty() {
        let mut n = Network::new(0, NetKind::Empty);
        n.name = Some("lo".into());
        n.up = true;
        c.networks.push(n);
    }
    if c.idmap.iter().any(|m| m.kind == IdKind::Uid)
        && c.idmap.iter().any(|m| m.kind == IdKind::Gid)
    {
        clone.insert(Namespace::User);
    }
    for ns in c.namespaces.share.keys() {
        clone.remove(ns);
    }
    c.namespaces.clone = clone;
}
