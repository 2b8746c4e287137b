//! Console, security, hooks, limits, signals, logging, and what no model field holds.

use super::*;

/// The console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Console {
    /// A console is set up.
    pub enabled: bool,
    /// Host device or file used as the console (absent: a new pty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// File the console output is logged to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logfile: Option<String>,
    /// Rotate the log file.
    #[serde(skip_serializing_if = "is_false")]
    pub rotate: bool,
    /// Ring buffer size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_size: Option<ByteSize>,
    /// Log file size limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_size: Option<ByteSize>,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            enabled: true,
            path: None,
            logfile: None,
            rotate: false,
            buffer_size: None,
            log_size: None,
        }
    }
}

/// LSM and seccomp settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// AppArmor profile (`unconfined`, `generated`, `unchanged` or a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apparmor_profile: Option<String>,
    /// Start even when the AppArmor setup is incomplete.
    #[serde(skip_serializing_if = "is_false")]
    pub apparmor_allow_incomplete: bool,
    /// Allow nesting (adds proc and sys mounts under `/dev/.lxc`).
    #[serde(skip_serializing_if = "is_false")]
    pub apparmor_allow_nesting: bool,
    /// Raw AppArmor rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apparmor_raw: Vec<String>,
    /// SELinux context of init.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux_context: Option<String>,
    /// SELinux context of the session keyring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux_context_keyring: Option<String>,
    /// Seccomp policy file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<String>,
    /// The policy in the seccomp policy file, as read when the file could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_policy: Option<SeccompPolicy>,
    /// Allow nested seccomp.
    #[serde(skip_serializing_if = "is_false")]
    pub seccomp_allow_nesting: bool,
    /// Seccomp notify proxy (`unix:PATH`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_notify_proxy: Option<String>,
    /// Seccomp notify cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_notify_cookie: Option<String>,
    /// libvirt `<seclabel>` elements, verbatim.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seclabels: Vec<String>,
}

/// What a libvirt `<seclabel>` kept verbatim means, for the two forms that have an LXC key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeclabelMeaning {
    /// `<seclabel type='none' model='apparmor'/>`: no AppArmor confinement.
    AppArmorUnconfined,
    /// `<seclabel type='static' model='selinux' relabel='no'><label>CONTEXT</label>`: the
    /// container runs in CONTEXT.
    SelinuxContext(String),
}

impl SeclabelMeaning {
    /// The meaning of a verbatim `<seclabel>` element, when it is one of the two forms.
    pub fn of(label: &str) -> Option<Self> {
        let compact: String = label.split_whitespace().collect::<Vec<_>>().join(" ");
        if compact == "<seclabel type='none' model='apparmor'/>" {
            return Some(Self::AppArmorUnconfined);
        }
        let context = compact
            .strip_prefix("<seclabel type='static' model='selinux' relabel='no'> <label>")?
            .strip_suffix("</label> </seclabel>")?;
        // An entity or a nested element would need an XML reader: not one of the forms.
        let plain = !context.is_empty() && !context.contains(['<', '&', ' ']);
        plain.then(|| Self::SelinuxContext(context.to_string()))
    }
}

/// When a hook runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum HookKind {
    /// Before anything, in the host's namespaces.
    PreStart,
    /// In the container's mount namespace, before the rootfs is mounted.
    PreMount,
    /// After mounts, before pivot.
    Mount,
    /// After mounts and autodev population.
    Autodev,
    /// In the container just before init.
    Start,
    /// On the host, in the container's namespaces, after stop.
    Stop,
    /// After the container stopped.
    PostStop,
    /// When the container is cloned.
    Clone,
    /// When the container is destroyed.
    Destroy,
    /// On the host after the container's namespaces exist.
    StartHost,
}

impl HookKind {
    /// Every hook kind, with its LXC key suffix.
    pub const ALL: [(HookKind, &'static str); 10] = [
        (HookKind::PreStart, "pre-start"),
        (HookKind::PreMount, "pre-mount"),
        (HookKind::Mount, "mount"),
        (HookKind::Autodev, "autodev"),
        (HookKind::Start, "start"),
        (HookKind::Stop, "stop"),
        (HookKind::PostStop, "post-stop"),
        (HookKind::Clone, "clone"),
        (HookKind::Destroy, "destroy"),
        (HookKind::StartHost, "start-host"),
    ];

    /// The LXC key suffix (`pre-start`).
    pub fn name(self) -> &'static str {
        HookKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    /// Look up an LXC key suffix.
    pub fn from_name(name: &str) -> Option<HookKind> {
        HookKind::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }
}

/// One hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// When it runs.
    pub kind: HookKind,
    /// The command line.
    pub command: String,
}

/// Hooks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Hooks {
    /// Hooks in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// 0: arguments on argv; 1: in `LXC_*` environment variables.
    pub version: u8,
}

impl Hooks {
    /// True when there are no hooks and the version is the default.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty() && self.version == 0
    }
}

/// A process resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prlimit {
    /// Resource name (`nofile`, `nproc`, ...) or number.
    pub resource: String,
    /// Soft limit.
    pub soft: Limit,
    /// Hard limit.
    pub hard: Limit,
}

/// A key and a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Key (`net.ipv4.ip_forward`, `oom_score_adj`).
    pub key: String,
    /// Value.
    pub value: String,
}

/// Autostart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Autostart {
    /// Started at boot.
    pub enabled: bool,
    /// Delay after starting, in seconds.
    pub delay_s: u32,
    /// Start order (higher first).
    pub order: i32,
    /// Autostart groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Signals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Signals {
    /// Sent to init for a clean shutdown.
    pub halt: Signal,
    /// Sent to init for a reboot.
    pub reboot: Signal,
    /// Sent to init for a forced stop.
    pub stop: Signal,
    /// Sent to the container when its monitor dies.
    pub monitor_pdeath: Signal,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            halt: Signal::PWR,
            reboot: Signal::INT,
            stop: Signal::KILL,
            monitor_pdeath: Signal::KILL,
        }
    }
}

/// Log level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// 0
    Trace,
    /// 1
    Debug,
    /// 2
    Info,
    /// 3
    Notice,
    /// 4
    Warn,
    /// 5
    Error,
    /// 6
    Crit,
    /// 7
    Alert,
    /// 8
    Fatal,
}

impl LogLevel {
    /// Levels in numeric order.
    pub const ALL: [LogLevel; 9] = [
        LogLevel::Trace,
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Notice,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Crit,
        LogLevel::Alert,
        LogLevel::Fatal,
    ];
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Logging {
    /// Log file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Level.
    pub level: LogLevel,
    /// Syslog facility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syslog: Option<String>,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            file: None,
            level: LogLevel::Error,
            syslog: None,
        }
    }
}

/// Clock offsets, in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeOffsets {
    /// CLOCK_BOOTTIME offset.
    pub boot_ns: i64,
    /// CLOCK_MONOTONIC offset.
    pub monotonic_ns: i64,
}

/// LXC-only settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LxcSettings {
    /// Destroyed on shutdown.
    #[serde(skip_serializing_if = "is_false")]
    pub ephemeral: bool,
    /// Do not create a session keyring (`lxc.keyring.session = 1`).
    #[serde(skip_serializing_if = "is_false")]
    pub keyring_session_disabled: bool,
    /// Core scheduling.
    #[serde(skip_serializing_if = "is_false")]
    pub sched_core: bool,
    /// Monitor unshares its mount namespace.
    #[serde(skip_serializing_if = "is_false")]
    pub monitor_unshare: bool,
    /// cgroup directory settings (`lxc.cgroup.dir*`, `lxc.cgroup.relative`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cgroup_dirs: BTreeMap<String, String>,
}

/// libvirt-only settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LibvirtSettings {
    /// `<memory>` (libvirt requires one; it is not a limit unless memtune says so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// `<currentMemory>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_memory: Option<ByteSize>,
    /// `<vcpu>` count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u32>,
    /// `<vcpu current>`: the vCPUs online at start (the LXC driver schedules the container
    /// on the cpuset, not on vCPUs, so it is informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpus_current: Option<u32>,
    /// `<emulator>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator: Option<String>,
    /// `<on_poweroff>`, `<on_reboot>`, `<on_crash>`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lifecycle: BTreeMap<String, String>,
    /// `<resource><partition>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `<metadata>` content, verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// `<vcpu placement='auto'>`: numad chooses the CPUs and memory nodes.
    #[serde(skip_serializing_if = "is_false")]
    pub placement_auto: bool,
    /// `<numatune><memory mode>` when not `strict` (`interleave`, `preferred`,
    /// `restrictive`): the memory policy of the container's processes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numa_mode: Option<String>,
    /// `<cputune><emulator_period>`, microseconds: CPU bandwidth of libvirt's own
    /// `libvirt_lxc` process, not the container's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator_period_us: Option<u64>,
    /// `<cputune><emulator_quota>`, microseconds (-1: unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator_quota_us: Option<i64>,
    /// How the source XML spelled what the model normalizes away.
    #[serde(skip_serializing_if = "XmlLayout::is_empty")]
    pub layout: XmlLayout,
}

/// Spelling choices of a domain XML that do not change its meaning, kept so that
/// libvirt-formatted XML is written back byte for byte. Equivalence ignores them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct XmlLayout {
    /// `<memtune><hard_limit>` was written although it equals `<memory>`.
    #[serde(skip_serializing_if = "is_false")]
    pub hard_limit: bool,
    /// `<initenv>` names in source order (the model keeps libvirt's built-in variables
    /// first, replaced in place).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initenv_order: Vec<String>,
    /// Elements written although they say what libvirt does by default
    /// (`os/inituser` for `+0`, `os/initgroup` for `+0`, `os/initdir` for `/`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explicit_defaults: Vec<String>,
    /// `<hostdev>` order: `networks/N` or `host_devices/N`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostdevs: Vec<String>,
    /// Per interface, by network index.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub interfaces: BTreeMap<u32, InterfaceLayout>,
}

impl XmlLayout {
    /// Nothing recorded.
    pub fn is_empty(&self) -> bool {
        *self == XmlLayout::default()
    }
}

/// Spelling of one `<interface>` or network `<hostdev>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InterfaceLayout {
    /// `<link state>` as written (`up`/`down`); absent means libvirt's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_state: Option<String>,
    /// `<route>` order: `ipv4_gateway`, `ipv6_gateway` or an index into `routes`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    /// Addresses whose `<ip>` had no prefix: the model holds the prefix libvirt uses for
    /// them (the address class's, 64 for IPv6), which the XML leaves unwritten.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implicit_prefixes: Vec<String>,
    /// How each `<route>` (by its key in `routes`) was spelled where libvirt keeps the
    /// spelling: `KEY/no-family` (no family attribute), `KEY/netmask` (a netmask instead of
    /// a prefix), `KEY/no-prefix` (neither: the address class's prefix), `KEY/prefix` (a
    /// default route written with prefix='0').
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_spelling: Vec<String>,
    /// `<ip>` addresses in source order, when an IPv6 address came before an IPv4 one
    /// (the model keeps the two families apart).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_order: Vec<String>,
}

/// Whether an entry kept verbatim may be written back as it is: only when lxconf's own
/// reader of that format kept it, so that its text is one line or one element of a real
/// source. A model document cannot set it (it is never serialized): a document's
/// `unrecognized` entries could hold any key or element (`lxc.hook.pre-start`, a
/// `<filesystem>` exposing the host's `/`), so writers report them as losses instead.
/// All values compare equal: where an entry came from is not part of what it means.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeptByReader(pub bool);

impl PartialEq for KeptByReader {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for KeptByReader {}

/// A setting kept verbatim because the model does not type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unrecognized {
    /// Source format (`lxc`, `domxml`, `fstab`).
    pub format: String,
    /// Key, element path or line kind.
    pub key: String,
    /// Value as written.
    pub value: String,
    /// Why it was not typed.
    pub reason: String,
    /// Set by the reader that kept it; never read from a model document.
    #[serde(skip)]
    #[schemars(skip)]
    pub kept_by_reader: KeptByReader,
}
