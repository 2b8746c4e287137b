//! liblxc's key table (LXC 5.0/6.0), written once: every exact key with its legacy 1.x/2.x
//! name and, for keys that set one model field with no grammar of their own, a typed
//! accessor. The LXC reader, the LXC writer, `upgrade`, the entry list and the lint rules
//! all read this table; a key name is spelled nowhere else (the libvirt-compat converter
//! keeps its own copy on purpose: it reproduces libvirt's hard-coded reader).
//!
//! Key families (`lxc.net.N.*`, `lxc.cgroup2.*`, ...) are in [`family`], legacy renames in
//! [`legacy`], did-you-mean hints in [`suggest`].

pub mod family;
pub mod field;
pub mod legacy;
pub mod suggest;

pub use family::{classify, net_key, Family, Key, NET_SUBKEYS, PRLIMIT_RESOURCES};
pub use field::Field;
pub use legacy::{legacy_rename, LegacyRename, REMOVED_KEYS, ROOTFS_BACKEND};
pub use suggest::suggest;

/// `Some(x)` for a table column that is filled in, `None` for one left empty.
macro_rules! optional {
    () => {
        None
    };
    ($value:expr) => {
        Some($value)
    };
}

/// The arity column: scalar unless the table names another.
macro_rules! arity {
    () => {
        Arity::Scalar
    };
    ($arity:ident) => {
        Arity::$arity
    };
}

/// Declares [`ExactKey`], [`KEYS`], the legacy names and the field accessors from one list,
/// so they cannot drift apart.
macro_rules! exact_keys {
    ($(
        $variant:ident = $name:literal
        $([$arity:ident])?
        $(, legacy $legacy:literal)?
        $(=> $kind:ident $($field:ident).+ @ $pointer:ident)?
        ;
    )*) => {
        /// An exact (non-family) key of liblxc's table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ExactKey {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        /// Every exact key of liblxc 5.0/6.0, sorted (for binary search).
        pub const KEYS: &[&str] = &[$($name),*];

        /// Every exact key, in the order of [`KEYS`].
        pub const EXACT: &[ExactKey] = &[$(ExactKey::$variant),*];

        impl ExactKey {
            /// The key as written in a config (LXC 3.0+).
            pub fn name(self) -> &'static str {
                match self {
                    $(ExactKey::$variant => $name,)*
                }
            }

            /// The LXC 1.x/2.x name of the key, if it had another one.
            pub fn legacy_name(self) -> Option<&'static str> {
                match self {
                    $(ExactKey::$variant => optional!($($legacy)?),)*
                }
            }

            /// How the key takes repeated values (scalar unless the table says otherwise).
            pub fn arity(self) -> Arity {
                match self {
                    $(ExactKey::$variant => arity!($($arity)?),)*
                }
            }

            /// The model field the key sets, for keys without a grammar of their own.
            pub fn field(self) -> Option<Field> {
                match self {
                    $(ExactKey::$variant => optional!($(field::$kind!($($field).+, $pointer))?),)*
                }
            }
        }
    };
}

exact_keys! {
    ApparmorAllowIncomplete = "lxc.apparmor.allow_incomplete", legacy "lxc.aa_allow_incomplete"
        => flag security.apparmor_allow_incomplete @ SECURITY_APPARMOR_ALLOW_INCOMPLETE;
    ApparmorAllowNesting = "lxc.apparmor.allow_nesting"
        => flag security.apparmor_allow_nesting @ SECURITY_APPARMOR_ALLOW_NESTING;
    ApparmorProfile = "lxc.apparmor.profile", legacy "lxc.aa_profile"
        => text security.apparmor_profile @ SECURITY_APPARMOR_PROFILE;
    ApparmorRaw = "lxc.apparmor.raw" [List];
    Arch = "lxc.arch";
    Autodev = "lxc.autodev";
    AutodevTmpfsSize = "lxc.autodev.tmpfs.size";
    CapDrop = "lxc.cap.drop" [List];
    CapKeep = "lxc.cap.keep" [List];
    CgroupDir = "lxc.cgroup.dir";
    CgroupDirContainer = "lxc.cgroup.dir.container";
    CgroupDirContainerInner = "lxc.cgroup.dir.container.inner";
    CgroupDirMonitor = "lxc.cgroup.dir.monitor";
    CgroupDirMonitorPivot = "lxc.cgroup.dir.monitor.pivot";
    CgroupRelative = "lxc.cgroup.relative";
    ConsoleBufferSize = "lxc.console.buffer.size";
    ConsoleLogfile = "lxc.console.logfile" => file_path console.logfile @ CONSOLE_LOGFILE;
    ConsolePath = "lxc.console.path", legacy "lxc.console";
    ConsoleRotate = "lxc.console.rotate" => flag console.rotate @ CONSOLE_ROTATE;
    ConsoleSize = "lxc.console.size";
    Environment = "lxc.environment" [List];
    Ephemeral = "lxc.ephemeral" => flag lxc.ephemeral @ LXC_EPHEMERAL;
    ExecuteCmd = "lxc.execute.cmd";
    Group = "lxc.group" [List];
    HookAutodev = "lxc.hook.autodev";
    HookClone = "lxc.hook.clone";
    HookDestroy = "lxc.hook.destroy";
    HookMount = "lxc.hook.mount";
    HookPostStop = "lxc.hook.post-stop";
    HookPreMount = "lxc.hook.pre-mount";
    HookPreStart = "lxc.hook.pre-start";
    HookStart = "lxc.hook.start";
    HookStartHost = "lxc.hook.start-host";
    HookStop = "lxc.hook.stop";
    HookVersion = "lxc.hook.version";
    Idmap = "lxc.idmap" [List], legacy "lxc.id_map";
    Include = "lxc.include" [Other];
    InitCmd = "lxc.init.cmd", legacy "lxc.init_cmd";
    InitCwd = "lxc.init.cwd";
    InitGid = "lxc.init.gid", legacy "lxc.init_gid";
    InitGroups = "lxc.init.groups" [List];
    InitUid = "lxc.init.uid", legacy "lxc.init_uid";
    KeyringSession = "lxc.keyring.session"
        => flag lxc.keyring_session_disabled @ LXC_KEYRING_SESSION_DISABLED;
    LogFile = "lxc.log.file", legacy "lxc.logfile" => file_path logging.file @ LOGGING_FILE;
    LogLevel = "lxc.log.level", legacy "lxc.loglevel";
    LogSyslog = "lxc.log.syslog", legacy "lxc.syslog";
    MonitorSignalPdeath = "lxc.monitor.signal.pdeath";
    MonitorUnshare = "lxc.monitor.unshare";
    MountAuto = "lxc.mount.auto" [List];
    MountEntry = "lxc.mount.entry" [List];
    MountFstab = "lxc.mount.fstab", legacy "lxc.mount";
    NamespaceClone = "lxc.namespace.clone" [Other];
    NamespaceKeep = "lxc.namespace.keep" [Other];
    NoNewPrivs = "lxc.no_new_privs" => flag no_new_privs @ NO_NEW_PRIVS;
    PtyMax = "lxc.pty.max", legacy "lxc.pts" => count dev.ptys @ DEV_PTYS;
    RootfsManaged = "lxc.rootfs.managed";
    RootfsMount = "lxc.rootfs.mount";
    RootfsOptions = "lxc.rootfs.options";
    RootfsPath = "lxc.rootfs.path", legacy "lxc.rootfs";
    SchedCore = "lxc.sched.core" => flag lxc.sched_core @ LXC_SCHED_CORE;
    SeccompAllowNesting = "lxc.seccomp.allow_nesting"
        => flag security.seccomp_allow_nesting @ SECURITY_SECCOMP_ALLOW_NESTING;
    SeccompNotifyCookie = "lxc.seccomp.notify.cookie"
        => text security.seccomp_notify_cookie @ SECURITY_SECCOMP_NOTIFY_COOKIE;
    SeccompNotifyProxy = "lxc.seccomp.notify.proxy";
    SeccompProfile = "lxc.seccomp.profile", legacy "lxc.seccomp"
        => text security.seccomp_profile @ SECURITY_SECCOMP_PROFILE;
    SelinuxContext = "lxc.selinux.context", legacy "lxc.se_context"
        => text security.selinux_context @ SECURITY_SELINUX_CONTEXT;
    SelinuxContextKeyring = "lxc.selinux.context.keyring"
        => text security.selinux_context_keyring @ SECURITY_SELINUX_CONTEXT_KEYRING;
    SignalHalt = "lxc.signal.halt", legacy "lxc.haltsignal";
    SignalReboot = "lxc.signal.reboot", legacy "lxc.rebootsignal";
    SignalStop = "lxc.signal.stop", legacy "lxc.stopsignal";
    StartAuto = "lxc.start.auto" => flag autostart.enabled @ AUTOSTART_ENABLED;
    StartDelay = "lxc.start.delay";
    StartOrder = "lxc.start.order";
    TimeOffsetBoot = "lxc.time.offset.boot";
    TimeOffsetMonotonic = "lxc.time.offset.monotonic";
    TtyDir = "lxc.tty.dir", legacy "lxc.devttydir";
    TtyMax = "lxc.tty.max", legacy "lxc.tty" => count dev.ttys @ DEV_TTYS;
    UtsName = "lxc.uts.name", legacy "lxc.utsname";
}

/// How a key takes repeated values, as liblxc's setters treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// The last value wins.
    Scalar,
    /// Every line appends; an empty value clears.
    List,
    /// Neither (includes, family clears, keys with their own rules).
    Other,
}

/// Keys that only LXC 7.0 knows: LXC 5 and 6 refuse them.
pub const LXC7_KEYS: &[&str] = &["lxc.environment.runtime", "lxc.environment.hooks"];

impl ExactKey {
    /// The exact key named `name` (modern names only).
    pub fn from_name(name: &str) -> Option<ExactKey> {
        KEYS.binary_search(&name).ok().map(|i| EXACT[i])
    }

    /// The name to write: the legacy one when `legacy` is asked for and the key had one.
    pub fn name_for(self, legacy: bool) -> &'static str {
        match self.legacy_name() {
            Some(old) if legacy => old,
            _ => self.name(),
        }
    }
}

impl std::fmt::Display for ExactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_table_is_sorted_for_binary_search() {
        let mut sorted = KEYS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, KEYS);
    }

    #[test]
    fn every_key_is_found_by_its_name() {
        for k in EXACT {
            assert_eq!(ExactKey::from_name(k.name()), Some(*k));
        }
    }

    #[test]
    fn legacy_names_are_unique_and_not_modern() {
        let legacy: Vec<&str> = EXACT.iter().filter_map(|k| k.legacy_name()).collect();
        let mut unique = legacy.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), legacy.len());
        assert!(legacy.iter().all(|l| ExactKey::from_name(l).is_none()));
    }

    #[test]
    fn the_table_columns_are_read() {
        assert_eq!(ExactKey::CapDrop.arity(), Arity::List);
        assert_eq!(ExactKey::Include.arity(), Arity::Other);
        assert_eq!(ExactKey::UtsName.arity(), Arity::Scalar);
        assert_eq!(ExactKey::UtsName.legacy_name(), Some("lxc.utsname"));
        assert_eq!(ExactKey::UtsName.name_for(true), "lxc.utsname");
        assert_eq!(ExactKey::Arch.name_for(true), "lxc.arch");
        assert!(ExactKey::Arch.field().is_none());
        let mut c = crate::Container::default();
        let Some(Field::Count { set, .. }) = ExactKey::TtyMax.field() else {
            panic!("lxc.tty.max is a count");
        };
        set(&mut c, 4);
        assert_eq!(c.dev.ttys, 4);
        assert_eq!(
            ExactKey::TtyMax.field().and_then(|f| f.value(&c)),
            Some("4".into())
        );
        assert_eq!(ExactKey::PtyMax.field().and_then(|f| f.value(&c)), None);
    }

    #[test]
    fn field_pointers_name_model_values() {
        // pointer::ALL is resolved against the schema by its own test.
        for k in EXACT.iter().filter_map(|k| k.field()) {
            assert!(crate::pointer::ALL.contains(&k.pointer()), "{k:?}");
        }
    }
}
