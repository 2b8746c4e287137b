//! Preparing an LXC-derived model for libvirt (`domxml-from-native`): the settings libvirt
//! requires and LXC does not have (name, uuid, memory size, emulator, a console), chosen
//! so that the container keeps its meaning, and reported when the meaning must change.

use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::model::*;
use lxconf_model::{pointer, ByteSize, Code, Diagnostic, Document, SizeSpec};

/// Options of the conversion.
#[derive(Debug, Clone, Default)]
pub struct FromNativeOptions {
    /// Name to use when the config has no `lxc.uts.name`.
    pub name: Option<String>,
    /// Fixed uuid; otherwise one is derived from the name.
    pub uuid: Option<uuid::Uuid>,
    /// `<memory>` when the config sets no memory limit.
    pub memory: Option<ByteSize>,
    /// Host memory, to turn relative tmpfs sizes into bytes.
    pub host_memory: Option<ByteSize>,
    /// `<emulator>`.
    pub emulator: Option<String>,
}

/// The uuid derived from a container name (the domain XML reader derives the same one for a
/// domain without `<uuid>`).
pub fn uuid_for_name(name: &str) -> uuid::Uuid {
    lxconf_model::values::uuid_for_name(name)
}

/// libvirt's emulator path on this host, or upstream's default.
pub fn default_emulator() -> String {
    for p in ["/usr/lib/libvirt/libvirt_lxc", "/usr/libexec/libvirt_lxc"] {
        if std::path::Path::new(p).exists() {
            return p.to_string();
        }
    }
    "/usr/libexec/libvirt_lxc".to_string()
}

/// The host's total memory (from /proc/meminfo), used as the "unlimited" memory size.
pub fn host_memory() -> Option<ByteSize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(ByteSize(kib * 1024))
}

/// Fill in what libvirt needs. Errors (a relative tmpfs size without `host_memory`) come
/// back as `Err` with every problem; warnings and notes come with the prepared document.
pub fn prepare(
    doc: &Document,
    opts: &FromNativeOptions,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut out = doc.clone();
    let c = &mut out.container;
    let mut found = Found {
        doc,
        notes: Vec::new(),
        errors: Vec::new(),
    };
    let name = domain_name(c, opts, &mut found);
    c.name = Some(name.clone());
    c.uuid = Some(opts.uuid.unwrap_or_else(|| uuid_for_name(&name)));
    let lv = c.libvirt.get_or_insert_with(LibvirtSettings::default);
    lv.emulator = Some(opts.emulator.clone().unwrap_or_else(default_emulator));
    lv.vcpus.get_or_insert(1);
    memory(c.resources.memory_limit, lv, opts, &mut found);
    tmpfs_sizes(&mut c.mounts, opts, &mut found);
    idmap_problems(c, &mut found);
    consoles(c, &mut found);
    let Found { notes, errors, .. } = found;
    if errors.is_empty() {
        Ok((out, notes))
    } else {
        Err(errors)
    }
}

/// The notes and errors of a preparation, located in the source document.
struct Found<'d> {
    doc: &'d Document,
    notes: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
}

impl Found<'_> {
    /// `d` at the origin of the model value at `pointer`, when the source has one.
    /// Locate a finding at the line that set `pointer`, and name that model field.
    fn at(&self, d: Diagnostic, pointer: &str) -> Diagnostic {
        let d = d.covering(pointer);
        match self.doc.origins.find(pointer) {
            Some(o) => d.at(o),
            None => d,
        }
    }
}

/// The domain name: --name, else lxc.uts.name, else the container directory (.../NAME/config).
fn domain_name(c: &Container, opts: &FromNativeOptions, found: &mut Found<'_>) -> String {
    match (&opts.name, &c.hostname, &c.name) {
        (Some(n), _, _) => n.clone(),
        (None, Some(h), _) => h.clone(),
        (None, None, Some(dir)) => {
            found.notes.push(
                Diagnostic::new(
                    Code::C203,
                    format!("the domain is named `{dir}` after the container's directory"),
                )
                .help(format!(
                    "the config has no {}; pass --name to choose another name",
                    K::UtsName
                ))
                .covering(pointer::NAME),
            );
            dir.clone()
        }
        (None, None, None) => {
            found.errors.push(
                Diagnostic::new(
                    Code::C203,
                    format!(
                        "the config has no {} and its file name says nothing about the container",
                        K::UtsName
                    ),
                )
                .severity(lxconf_model::Severity::Error)
                .help("pass --name NAME")
                .covering(pointer::NAME),
            );
            String::new()
        }
    }
}

/// libvirt enforces <memory> as the container's memory limit: the limit, else a chosen size.
fn memory(
    limit: Option<ByteSize>,
    lv: &mut LibvirtSettings,
    opts: &FromNativeOptions,
    found: &mut Found<'_>,
) {
    match limit {
        Some(limit) => {
            lv.memory = Some(limit);
            lv.current_memory = Some(limit);
        }
        None => {
            let size = opts
                .memory
                .or_else(host_memory)
                .unwrap_or(ByteSize(64 * ByteSize::MIB));
            lv.memory = Some(size);
            lv.current_memory = Some(size);
            found.notes.push(
                Diagnostic::new(
                    Code::C201,
                    format!("the LXC container has no memory limit, but libvirt enforces <memory>: it is set to {} MiB", size.0 / ByteSize::MIB),
                )
                .help(if opts.memory.is_some() {
                    "chosen with --memory".to_string()
                } else {
                    "the host's total memory (the closest to unlimited); choose another size with --memory SIZE".to_string()
                })
                .covering(pointer::RESOURCES_MEMORY_LIMIT),
            );
        }
    }
}

/// The host memory a conversion assumes: `--host-memory`, else this host's, else 64 MiB.
fn assumed_host_memory(opts: &FromNativeOptions) -> ByteSize {
    opts.host_memory
        .or_else(host_memory)
        .unwrap_or(ByteSize(64 * ByteSize::MIB))
}

/// `percent`% of `host` bytes, computed without rounding the host size first (the kernel
/// multiplies before it divides: `size=50%` of 8 GiB is exactly 4 GiB).
fn percent_of(host: ByteSize, percent: u32) -> u64 {
    let bytes = u128::from(host.0) * u128::from(percent) / 100;
    u64::try_from(bytes).unwrap_or(u64::MAX)
}

/// Relative tmpfs sizes become bytes of `--host-memory` (an error without it: the size the
/// config wrote depends on the host); a tmpfs without a size gets the kernel's default, half
/// of the host memory the conversion assumes, with a warning when that memory was not given.
fn tmpfs_sizes(mounts: &mut [Mount], opts: &FromNativeOptions, found: &mut Found<'_>) {
    for (i, m) in mounts.iter_mut().enumerate() {
        // The size field; its origin falls back to the mount entry when the size was not written.
        let at = pointer::item_field(pointer::MOUNTS, i, "size");
        if let Some(SizeSpec::Percent(p)) = m.size {
            match opts.host_memory {
                Some(host) => {
                    let bytes = percent_of(host, p);
                    m.size = Some(SizeSpec::Bytes(ByteSize(bytes)));
                    found.notes.push(found.at(
                        Diagnostic::new(Code::C202, format!("tmpfs on `{}`: {p}% of the host memory becomes {bytes} bytes", m.target))
                            .severity(lxconf_model::Severity::Note)
                            .help("libvirt takes absolute sizes only; computed from --host-memory"),
                        &at,
                    ));
                }
                None => found.errors.push(found.at(
                    Diagnostic::new(Code::C202, format!("tmpfs on `{}` has a relative size ({p}%), which libvirt cannot express", m.target))
                        .help("pass --host-memory SIZE to turn it into bytes, or give the tmpfs an absolute size"),
                    &at,
                )),
            }
        }
        if m.fstype == "tmpfs" && m.size.is_none() {
            let host = assumed_host_memory(opts);
            let bytes = host.0 / 2;
            m.size = Some(SizeSpec::Bytes(ByteSize(bytes)));
            // The kernel sizes such a tmpfs from the memory of whatever host mounts it;
            // libvirt needs a number, so the size is fixed for the host the conversion assumes.
            let (severity, help) = if opts.host_memory.is_some() {
                (
                    lxconf_model::Severity::Note,
                    "libvirt needs a size; computed from --host-memory",
                )
            } else {
                (lxconf_model::Severity::Warning, "libvirt needs a size; computed from this host's memory: pass --host-memory SIZE for another host, or give the tmpfs a size")
            };
            found.notes.push(found.at(
                Diagnostic::new(Code::C202, format!("tmpfs on `{}` has no size: the kernel's default, half of the host memory, becomes {bytes} bytes", m.target))
                    .severity(severity)
                    .help(help),
                &at,
            ));
        }
    }
}

/// libvirt refuses an <idmap> that lacks uids or gids, or leaves the container's root
/// unmapped; LXC accepts such a config and fails only when the container starts.
fn idmap_problems(c: &Container, found: &mut Found<'_>) {
    let name = |kind: IdKind| if kind == IdKind::Uid { "uid" } else { "gid" };
    for p in c.idmap_problems() {
        let (kind, problem) = match p {
            IdMapProblem::KindMissing { kind } => {
                let other = if kind == IdKind::Uid {
                    IdKind::Gid
                } else {
                    IdKind::Uid
                };
                let what = format!(
                    "the container has {} mappings but no {} mapping",
                    name(other),
                    name(kind)
                );
                (kind, what)
            }
            IdMapProblem::RootNotMapped { kind, .. } => (
                kind,
                format!(
                    "no {} mapping covers the container's root (id 0)",
                    name(kind)
                ),
            ),
        };
        let d = Diagnostic::new(
            Code::C206,
            format!("{problem}: libvirt refuses such an <idmap>"),
        )
        .help(format!(
            "add `{} = {} 0 HOSTID COUNT`",
            K::Idmap,
            &name(kind)[..1]
        ));
        found.errors.push(found.at(d, pointer::IDMAP));
    }
}

/// Every tty is a <console> element, and libvirt needs at least one console.
fn consoles(c: &mut Container, found: &mut Found<'_>) {
    // Every tty is a <console> element; past about 52,500 of them the XML exceeds the 4 MiB
    // string limit of libvirt's RPC protocol and virsh fails ("Unable to encode message
    // payload", measured with libvirt 9.0.0).
    if c.dev.ttys > MAX_CONSOLES {
        found.errors.push(found.at(
            Diagnostic::new(
                Code::C205,
                format!(
                    "{} ttys would be {} <console> elements; libvirt cannot carry a domain XML that large",
                    c.dev.ttys,
                    u64::from(c.dev.ttys) + 1
                ),
            )
            .help(format!("lower {} to at most {MAX_CONSOLES}", K::TtyMax)),
            pointer::DEV_TTYS,
        ));
    }
    // libvirt refuses to start a domain without a console.
    if !c.console.enabled {
        found.notes.push(found.at(
            Diagnostic::new(Code::C204, format!("the LXC container has no console (`{} = none`), but libvirt needs one: the domain gets a pty console", K::ConsolePath))
                .help("libvirt refuses to start a domain without a <console type='pty'>"),
            pointer::CONSOLE,
        ));
        c.console.enabled = true;
    }
}

/// The most ttys converted to consoles: libvirt 9.0.0 transfers at most 52,558 consoles of
/// an otherwise minimal domain (its RPC strings end at 4 MiB).
pub const MAX_CONSOLES: u32 = 50_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::default()
    }

    #[test]
    fn an_idmap_libvirt_refuses_is_an_error() {
        // Found by the model → domain XML property test: a gid map alone.
        let mut d = doc();
        d.container.name = Some("c".into());
        d.container.idmap.push(IdMap {
            kind: IdKind::Gid,
            container_start: 0,
            host_start: 100000,
            count: 65536,
        });
        let errors = prepare(&d, &FromNativeOptions::default()).unwrap_err();
        assert!(errors.iter().any(|e| e.code == Code::C206), "{errors:?}");
    }

    #[test]
    fn more_ttys_than_libvirt_can_carry_is_an_error_not_gigabytes_of_xml() {
        let mut d = doc();
        d.container.name = Some("c".into());
        d.container.dev.ttys = 99_999_999;
        let errors = prepare(&d, &FromNativeOptions::default()).unwrap_err();
        assert!(errors.iter().any(|e| e.code == Code::C205), "{errors:?}");
    }

    #[test]
    fn uuids_are_stable_per_name() {
        assert_eq!(uuid_for_name("web"), uuid_for_name("web"));
        assert_ne!(uuid_for_name("web"), uuid_for_name("db"));
    }

    #[test]
    fn memory_comes_from_the_limit_or_an_explicit_size() {
        let mut d = doc();
        d.container.hostname = Some("c".into());
        d.container.resources.memory_limit = Some(ByteSize(512 * ByteSize::MIB));
        let (p, notes) = prepare(&d, &FromNativeOptions::default()).unwrap();
        assert_eq!(
            p.container.libvirt.unwrap().memory,
            Some(ByteSize(512 * ByteSize::MIB))
        );
        assert!(notes.is_empty());
        d.container.resources.memory_limit = None;
        let opts = FromNativeOptions {
            memory: Some(ByteSize(ByteSize::GIB)),
            ..Default::default()
        };
        let (p, notes) = prepare(&d, &opts).unwrap();
        assert_eq!(
            p.container.libvirt.unwrap().memory,
            Some(ByteSize(ByteSize::GIB))
        );
        assert_eq!(notes[0].code, Code::C201);
    }

    /// A container `c` with one tmpfs on /run of `size`.
    fn with_tmpfs(size: Option<SizeSpec>) -> Document {
        let mut d = doc();
        d.container.hostname = Some("c".into());
        d.container.mounts.push(Mount {
            size,
            ..Mount::new("tmpfs", "/run", "tmpfs")
        });
        d
    }

    #[test]
    fn relative_tmpfs_needs_host_memory() {
        let d = with_tmpfs(Some(SizeSpec::Percent(10)));
        assert!(prepare(&d, &FromNativeOptions::default()).is_err());
        let opts = FromNativeOptions {
            host_memory: Some(ByteSize(1000)),
            ..Default::default()
        };
        let (p, _) = prepare(&d, &opts).unwrap();
        assert_eq!(
            p.container.mounts[0].size,
            Some(SizeSpec::Bytes(ByteSize(100)))
        );
    }

    #[test]
    fn relative_tmpfs_sizes_are_exact() {
        // 8 GiB / 100 truncated first, then × 50, gave 4194303 KiB instead of 4 GiB.
        let d = with_tmpfs(Some(SizeSpec::Percent(50)));
        let opts = FromNativeOptions {
            host_memory: Some(ByteSize(8 * ByteSize::GIB)),
            ..Default::default()
        };
        let (p, _) = prepare(&d, &opts).unwrap();
        assert_eq!(
            p.container.mounts[0].size,
            Some(SizeSpec::Bytes(ByteSize(4 * ByteSize::GIB)))
        );
        assert_eq!(percent_of(ByteSize(u64::MAX), 100), u64::MAX);
    }

    #[test]
    fn a_tmpfs_without_size_gets_the_kernel_default_with_a_warning() {
        // /dev/shm or /run without size= alone made 14 real configs fail.
        let d = with_tmpfs(None);
        let (p, notes) = prepare(&d, &FromNativeOptions::default()).unwrap();
        let host = assumed_host_memory(&FromNativeOptions::default());
        assert_eq!(
            p.container.mounts[0].size,
            Some(SizeSpec::Bytes(ByteSize(host.0 / 2)))
        );
        let warning = notes.iter().find(|n| n.code == Code::C202).unwrap();
        assert_eq!(warning.severity, lxconf_model::Severity::Warning);
        // With --host-memory the size is what the user asked for: a note.
        let opts = FromNativeOptions {
            host_memory: Some(ByteSize(8 * ByteSize::GIB)),
            memory: Some(ByteSize(ByteSize::GIB)),
            ..Default::default()
        };
        let (p, notes) = prepare(&d, &opts).unwrap();
        assert_eq!(
            p.container.mounts[0].size,
            Some(SizeSpec::Bytes(ByteSize(4 * ByteSize::GIB)))
        );
        let note = notes.iter().find(|n| n.code == Code::C202).unwrap();
        assert_eq!(note.severity, lxconf_model::Severity::Note);
        // The memory default is still reported when --memory chose it.
        assert!(notes.iter().any(|n| n.code == Code::C201));
    }

    #[test]
    fn the_name_falls_back_to_the_directory() {
        let mut d = doc();
        d.container.name = Some("web01".into());
        let (p, notes) = prepare(&d, &FromNativeOptions::default()).unwrap();
        assert_eq!(p.container.name.as_deref(), Some("web01"));
        assert_eq!(notes[0].code, Code::C203);
        d.container.name = None;
        assert!(prepare(&d, &FromNativeOptions::default()).is_err());
    }
}
