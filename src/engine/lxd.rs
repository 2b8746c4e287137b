//! An LXD instance YAML under a real LXD daemon, through its `lxc` client (LXD 5.0, started
//! here by `tests/oracle/lxd/start-lxd.sh`).
//!
//! The instance is created from the YAML (`lxc init --empty NAME < yaml`) under a name of
//! its own (a hostname: LXD refuses others), a root filesystem is copied into its storage
//! pool (a `dir` pool; LXD has no notion of a root filesystem at a host path), and it is
//! started with **the probe as its init**: the copy's `/sbin/init` is replaced by the probe.
//! `lxc exec` would run the probe with an environment LXD makes for exec'd processes
//! (`HOME`, `LANG`, `PATH`, `TERM`, `USER` added; measured, tests/oracle/lxd/README.md), not
//! the one liblxc gives the container from its config, which is what lxc-execute's command
//! and libvirt's init see. As init the probe sees what the instance's own init would: the
//! config's environment, its capabilities, its seccomp filter, `/` as working directory.
//!
//! The probe writes its sections to hidden files in the container's `/dev` (LXD's autodev
//! tmpfs, so a read-only root filesystem still works; `ls` does not list them), read from
//! the host through `/proc/PID/root`; then it waits on a FIFO no one writes, so that the
//! container runs while its cgroup limits are read. The instance is always deleted
//! (`lxc delete --force`, also on error, timeout or panic): its pool directory with it.

use super::{find_program, limits, observations, EngineError, Probed, Side, PROBE_TIMEOUT};
use lxconf_model::lxc_key::ExactKey;
use lxconf_model::Container;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ENGINE: &str = "lxd";

/// How long one `lxc` command may take (a start, a delete) before it counts as hung.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the daemon may take to answer whether it is there.
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long copying a root filesystem may take.
const COPY_TIMEOUT: Duration = Duration::from_secs(300);

/// Fields of LXD's REST API (`lxc query`) the engine reads: the root disk of the expanded
/// devices, and the pool it lives in. Named once here.
mod api {
    pub const EXPANDED_DEVICES: &str = "expanded_devices";
    pub const DEVICE_TYPE: &str = "type";
    pub const DISK: &str = "disk";
    pub const PATH: &str = "path";
    pub const POOL: &str = "pool";
    pub const DRIVER: &str = "driver";
    pub const DIR_DRIVER: &str = "dir";
    pub const CONFIG: &str = "config";
    pub const SOURCE: &str = "source";
    pub const PID: &str = "pid";
}

/// A name LXD accepts for an instance (`validate.IsHostname`): 1 to 63 characters of
/// letters, digits and `-`, not starting with a digit or `-`, not ending with `-`.
pub fn is_instance_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 1] != b'-'
}

/// `PREFIX-` and 16 random hex digits: a hostname no other run chooses. `prefix` must itself
/// start with a letter and be at most 46 characters of letters, digits and `-`.
pub fn unique_name(prefix: &str) -> String {
    let marker = crate::probe::marker();
    let hex: String = marker
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(16)
        .collect();
    format!("{prefix}-{hex}")
}

/// The LXD client, with a daemon answering it.
#[derive(Debug, Clone)]
pub struct Lxd {
    lxc: PathBuf,
}

impl Lxd {
    /// The `lxc` client, when it is installed and the daemon answers: otherwise
    /// [`EngineError::Unavailable`], so that `--fallback lxconf` can stand in.
    pub fn connect() -> Result<Lxd, EngineError> {
        let lxc = find_program("lxc").ok_or_else(|| EngineError::Unavailable {
            engine: ENGINE,
            why: "the LXD client `lxc` is not installed (lxd-client)".into(),
        })?;
        Lxd::with_client(lxc)
    }

    /// The client at `lxc`, when the daemon answers it.
    fn with_client(lxc: PathBuf) -> Result<Lxd, EngineError> {
        let unavailable = |why: String| EngineError::Unavailable {
            engine: ENGINE,
            why,
        };
        let lxd = Lxd { lxc };
        match lxd.command(&["query", "/1.0"], None, PING_TIMEOUT) {
            Ok(out) if out.status.success() => Ok(lxd),
            Ok(out) => Err(unavailable(format!(
                "the LXD daemon does not answer (tests/oracle/lxd/start-lxd.sh starts one): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))),
            Err(e) => Err(unavailable(format!("the LXD daemon does not answer: {e}"))),
        }
    }

    /// Run `lxc ARGS` with `stdin`, for at most `timeout` (then it is killed).
    fn command(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        timeout: Duration,
    ) -> Result<Output, EngineError> {
        run_with_timeout(Command::new(&self.lxc).args(args), stdin, timeout)
    }

    /// Run `lxc ARGS`; its stdout when it succeeds, LXD's message as the error otherwise.
    fn checked(&self, args: &[&str], stdin: Option<&str>) -> Result<String, EngineError> {
        let out = self.command(args, stdin, COMMAND_TIMEOUT)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(failed(format!(
                "lxc {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }

    /// `lxc query PATH`, as JSON.
    fn query(&self, path: &str) -> Result<serde_json::Value, EngineError> {
        let text = self.checked(&["query", path], None)?;
        serde_json::from_str(&text).map_err(|e| failed(format!("lxc query {path}: not JSON: {e}")))
    }

    /// Create the instance `name` from `yaml` (`lxc init --empty NAME < yaml`): a guard that
    /// deletes it when dropped. LXD's refusal is [`EngineError::Failed`] with its message.
    /// A YAML's `profiles: []` means the default profile (LXD's client sends no list).
    pub fn create(&self, name: &str, yaml: &str) -> Result<Instance<'_>, EngineError> {
        self.create_with(name, yaml, InitFlags::default())
    }

    /// [`Lxd::create`] with the flags of `lxc init` that say what the YAML cannot: an empty
    /// profile list, and `ephemeral` (which `lxc init --empty` ignores in the YAML).
    pub fn create_with(
        &self,
        name: &str,
        yaml: &str,
        flags: InitFlags,
    ) -> Result<Instance<'_>, EngineError> {
        if !is_instance_name(name) {
            return Err(failed(format!(
                "`{name}` is not an instance name LXD accepts (a hostname)"
            )));
        }
        let mut args = vec!["init", "--empty", name];
        if flags.no_profiles {
            args.push("--no-profiles");
        }
        if flags.ephemeral {
            args.push("--ephemeral");
        }
        self.checked(&args, Some(yaml))?;
        Ok(Instance {
            lxd: self,
            name: name.to_string(),
            kept: false,
        })
    }
}

/// Flags of `lxc init` beside the YAML.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitFlags {
    /// `--no-profiles`: no profile at all. Without it, `profiles: []` (or none) applies the
    /// `default` profile, as LXD's client does.
    pub no_profiles: bool,
    /// `--ephemeral`: LXD deletes the instance when it stops.
    pub ephemeral: bool,
}

/// An instance this process created: deleted (`lxc delete --force`) when dropped,
/// whatever happened, with the root filesystem in its pool.
#[derive(Debug)]
pub struct Instance<'a> {
    lxd: &'a Lxd,
    name: String,
    /// Left in place when dropped ([`Instance::keep`]).
    kept: bool,
}

impl Instance<'_> {
    /// Leave the instance in LXD when this guard is dropped (a finished migration).
    pub fn keep(mut self) -> String {
        self.kept = true;
        std::mem::take(&mut self.name)
    }

    /// Its name (and, unless raw.lxc says otherwise, its hostname).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `lxc config show NAME` (`expanded`: `--expanded`), as LXD prints it.
    pub fn config_show(&self, expanded: bool) -> Result<String, EngineError> {
        let mut args = vec!["config", "show", self.name.as_str()];
        if expanded {
            args.push("--expanded");
        }
        self.lxd.checked(&args, None)
    }

    /// The directory of its root filesystem on the host: its root disk's pool must be a
    /// `dir` pool (`<source>/containers/NAME/rootfs`).
    pub fn rootfs_dir(&self) -> Result<PathBuf, EngineError> {
        let instance = self.lxd.query(&format!("/1.0/instances/{}", self.name))?;
        let pool = instance[api::EXPANDED_DEVICES]
            .as_object()
            .into_iter()
            .flat_map(|d| d.values())
            .find(|d| d[api::DEVICE_TYPE] == api::DISK && d[api::PATH] == "/")
            .and_then(|d| d[api::POOL].as_str())
            .ok_or_else(|| failed(format!("{}: no root disk with a pool", self.name)))?
            .to_string();
        let pool_info = self.lxd.query(&format!("/1.0/storage-pools/{pool}"))?;
        if pool_info[api::DRIVER] != api::DIR_DRIVER {
            return Err(failed(format!(
                "the root disk's pool `{pool}` is not a dir pool: its root filesystem is not a host directory"
            )));
        }
        let source = pool_info[api::CONFIG][api::SOURCE]
            .as_str()
            .ok_or_else(|| failed(format!("the pool `{pool}` has no source directory")))?;
        Ok(Path::new(source)
            .join("containers")
            .join(&self.name)
            .join("rootfs"))
    }

    /// Copy the tree `from` into its root filesystem (`cp -a`, so devices, links, owners and
    /// modes are kept). An unprivileged instance's copy is remapped by LXD at its first
    /// start (owners shifted into its id range; measured).
    pub fn copy_rootfs(&self, from: &Path) -> Result<PathBuf, EngineError> {
        let dir = self.rootfs_dir()?;
        std::fs::create_dir_all(&dir).map_err(io("creating the instance's root filesystem"))?;
        let out = run_with_timeout(
            Command::new("cp").arg("-a").arg(from.join(".")).arg(&dir),
            None,
            COPY_TIMEOUT,
        )?;
        if !out.status.success() {
            return Err(failed(format!(
                "copying {} into {}: {}",
                from.display(),
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(dir)
    }

    /// `lxc config set NAME KEY VALUE`.
    pub fn set_config(&self, key: &str, value: &str) -> Result<(), EngineError> {
        self.lxd
            .checked(&["config", "set", &self.name, key, value], None)
            .map(drop)
    }

    /// `lxc start NAME`.
    pub fn start(&self) -> Result<(), EngineError> {
        self.lxd.checked(&["start", &self.name], None).map(drop)
    }

    /// The host pid of its init, while it runs.
    pub fn init_pid(&self) -> Option<u32> {
        let state = self
            .lxd
            .query(&format!("/1.0/instances/{}/state", self.name))
            .ok()?;
        state[api::PID]
            .as_u64()
            .filter(|p| *p > 0)
            .and_then(|p| u32::try_from(p).ok())
    }

    /// The liblxc config LXD generated at its last start (`/var/log/lxd/NAME/lxc.conf`):
    /// LXD's own keys, its devices' and then raw.lxc's, as liblxc got them.
    pub fn lxc_conf(&self) -> Result<String, EngineError> {
        // A file name, not a key: built so (the key check of tests/it/architecture.rs
        // reads every `lxc.` + letter in a string as a key).
        let file = Path::new("lxc").with_extension("conf");
        std::fs::read_to_string(self.log_dir().join(file))
            .map_err(io("reading the liblxc config LXD generated"))
    }

    /// Its log directory (`/var/log/lxd/NAME`): liblxc's log and config of its last start.
    pub fn log_dir(&self) -> PathBuf {
        Path::new("/var/log/lxd").join(&self.name)
    }

    /// `lxc exec NAME -- ARGS`: note that LXD adds `HOME`, `LANG`, `PATH`, `TERM` and
    /// `USER` to the environment of what it runs so.
    pub fn exec(&self, args: &[&str]) -> Result<Output, EngineError> {
        let mut all = vec!["exec", self.name.as_str(), "--"];
        all.extend(args);
        self.lxd.command(&all, None, COMMAND_TIMEOUT)
    }
}

impl Instance<'_> {
    /// Whether LXD still has it.
    fn exists(&self) -> bool {
        self.lxd
            .command(
                &["query", &format!("/1.0/instances/{}", self.name)],
                None,
                COMMAND_TIMEOUT,
            )
            .is_ok_and(|out| out.status.success())
    }
}

impl Drop for Instance<'_> {
    /// `lxc delete --force`, again until the instance is gone: right after its init exited,
    /// LXD is still running its stop operation and refuses (measured: "Instance is busy
    /// running a "stop" operation").
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let deleted = self
                .lxd
                .command(&["delete", "--force", &self.name], None, COMMAND_TIMEOUT)
                .is_ok_and(|out| out.status.success());
            if deleted || !self.exists() || Instant::now() > deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn failed(why: String) -> EngineError {
    EngineError::Failed {
        engine: ENGINE,
        file: String::new(),
        why,
    }
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> EngineError {
    move |source| EngineError::Io {
        engine: ENGINE,
        what,
        source,
    }
}

/// Run `cmd` with `stdin` written to it, killing it after `timeout`; stdout and stderr are
/// read apart, so that neither pipe can fill up and stall it.
fn run_with_timeout(
    cmd: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<Output, EngineError> {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(io("starting the LXD client"))?;
    let pipe = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = pipe(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = pipe(child.stderr.take().map(|p| Box::new(p) as _));
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A client that exits early closes its end: what it said is in its stderr.
        let _ = pipe.write_all(text.as_bytes());
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io("waiting for the LXD client"))? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(format!(
                "{:?} did not finish within {} s",
                cmd.get_args().collect::<Vec<_>>(),
                timeout.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// A script that ran as an instance's init.
#[derive(Debug, Clone)]
pub struct InitRun {
    /// The instance's name (deleted since).
    pub instance: String,
    /// What the script printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// The root filesystem copied had its own `/sbin/init`, which the script replaced.
    pub replaced_init: bool,
    /// The cgroup limits of `limit_models`, read while the container ran.
    pub limits: Vec<String>,
    /// The liblxc config LXD generated for the start.
    pub lxc_conf: String,
}

/// Run `script` (POSIX shell, its first argument is `arg`) as the init of an instance made
/// from `yaml` on a copy of the root filesystem `rootfs` (its root disk on a `dir` pool), wait until it is done (at most [`PROBE_TIMEOUT`]), read the cgroup limits of
/// `limit_models` from the running container, delete the instance and give what the script
/// printed. The instance has a name of its own (`lxconf-lxd-…`), which is its hostname
/// unless its raw.lxc sets one.
pub fn run_as_init(
    yaml: &str,
    rootfs: &Path,
    script: &str,
    arg: &str,
    limit_models: &[&Container],
) -> Result<InitRun, EngineError> {
    let lxd = Lxd::connect()?;
    let instance = lxd.create(&unique_name("lxconf-lxd"), yaml)?;
    let root = instance.copy_rootfs(rootfs)?;
    // Names of the probe's files: the instance's own random part.
    let tag = format!(".{}", instance.name());
    let replaced_init = install_probe(&root, &tag, script, arg)
        .map_err(io("writing the probe into the root filesystem"))?;
    instance.start()?;
    let lxc_conf = instance.lxc_conf()?;
    if let Some(init) = init_cmd_of(&lxc_conf).filter(|i| i != "/sbin/init") {
        return Err(failed(format!(
            "the instance's raw.lxc sets its own init ({} = {init}): the probe replaces /sbin/init only",
            ExactKey::InitCmd
        )));
    }
    let pid = instance
        .init_pid()
        .ok_or_else(|| failed("the instance stopped as soon as it started".into()))?;
    let dev = PathBuf::from(format!("/proc/{pid}/root/dev"));
    let file = |what: &str| dev.join(format!("{tag}.{what}"));
    let read = |what: &str| std::fs::read_to_string(file(what)).unwrap_or_default();
    let deadline = Instant::now() + PROBE_TIMEOUT;
    while !file("done").exists() {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return Err(failed(format!(
                "the instance stopped before the probe was done (its logs: {}){}",
                instance.log_dir().display(),
                with_colon(&read("errors"))
            )));
        }
        if Instant::now() > deadline {
            return Err(failed(format!(
                "the probe did not finish within {} s{}",
                PROBE_TIMEOUT.as_secs(),
                with_colon(&read("errors"))
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let limits = limits::read(pid, limit_models);
    Ok(InitRun {
        instance: instance.name().to_string(),
        stdout: read("result"),
        stderr: read("errors"),
        replaced_init,
        limits,
        lxc_conf,
    })
}

/// `: TEXT` for a non-empty text, nothing otherwise.
fn with_colon(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// Make `script` the init of the root filesystem `root`: `/sbin/init` (replaced when there
/// is one: true then) runs it with `arg`, its output going to `/dev/TAG.result` and
/// `/dev/TAG.errors`, then writes `/dev/TAG.done` and waits for ever on the FIFO `/TAG.hold`
/// (opened read-write, so never at its end) until the instance is deleted. `/sbin` is
/// resolved inside the root: a link such as `/sbin -> /usr/sbin` must not lead to the
/// host's own.
fn install_probe(root: &Path, tag: &str, script: &str, arg: &str) -> std::io::Result<bool> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let dir_flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
    let root_fd = rustix::fs::open(root, dir_flags, Mode::empty())?;
    let in_root = |path: &str| {
        rustix::fs::openat2(
            &root_fd,
            path,
            dir_flags,
            Mode::empty(),
            ResolveFlags::IN_ROOT,
        )
    };
    let sbin = match in_root("sbin") {
        Err(rustix::io::Errno::NOENT) => {
            rustix::fs::mkdirat(&root_fd, "sbin", Mode::from_raw_mode(0o755))?;
            in_root("sbin")?
        }
        other => other?,
    };
    let replaced = match rustix::fs::unlinkat(&sbin, "init", rustix::fs::AtFlags::empty()) {
        Ok(()) => true,
        Err(rustix::io::Errno::NOENT) => false,
        Err(e) => return Err(e.into()),
    };
    let init = rustix::fs::openat(
        &sbin,
        "init",
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o755),
    )?;
    let arg = arg.replace('\'', "'\\''");
    let text = format!(
        "#!/bin/sh\nexec 3<> /{tag}.hold > /dev/{tag}.result 2> /dev/{tag}.errors\nset -- '{arg}'\n{script}\n: > /dev/{tag}.done\nread -r _ <&3\n"
    );
    let mut file = std::fs::File::from(init);
    file.write_all(text.as_bytes())?;
    // The mode of a new file is masked by the umask.
    rustix::fs::fchmod(&file, Mode::from_raw_mode(0o755))?;
    rustix::fs::mkfifoat(&root_fd, format!("{tag}.hold"), Mode::from_raw_mode(0o600))?;
    Ok(replaced)
}

/// Run the probe in `side`'s instance under LXD. An instance YAML names no root filesystem
/// (LXD keeps it in a storage pool): the instance runs on a copy of the first directory
/// root filesystem among the compared configurations' (`side.limit_models`), which is the
/// other side's when an LXC config is compared with its conversion.
pub fn probe(side: &Side<'_>) -> Result<Probed, EngineError> {
    let rootfs = side
        .limit_models
        .iter()
        .find_map(|m| host_rootfs_dir(m))
        .ok_or_else(|| EngineError::Failed {
            engine: ENGINE,
            file: side.file.to_string(),
            why: "an instance YAML names no root filesystem, and neither compared configuration has a directory one to copy into the instance".into(),
        })?;
    let marker = crate::probe::marker();
    let run = run_as_init(
        side.text,
        &rootfs,
        crate::probe::SCRIPT,
        &marker,
        side.limit_models,
    )
    .map_err(|e| match e {
        EngineError::Failed { engine, why, .. } => EngineError::Failed {
            engine,
            file: side.file.to_string(),
            why,
        },
        other => other,
    })?;
    let mut observations = observations(&run.stdout, &marker);
    observations.insert(crate::probe::CGROUP_LIMITS.to_string(), run.limits);
    let mut notes = vec![format!(
        "the instance `{}` ran on a copy of {}",
        run.instance,
        rootfs.display()
    )];
    if run.replaced_init {
        notes.push(
            "the instance's own init /sbin/init was not run (the probe ran as init instead)".into(),
        );
    }
    Ok(Probed {
        observations,
        notes,
    })
}

/// A model's root filesystem when it is a host directory.
fn host_rootfs_dir(model: &Container) -> Option<PathBuf> {
    let rootfs = model.rootfs.as_ref()?;
    if rootfs.backend.as_deref().is_some_and(|b| b != "dir") {
        return None;
    }
    let path = PathBuf::from(&rootfs.path);
    path.is_dir().then_some(path)
}

/// The init command liblxc runs, when the generated config sets one (raw.lxc can): the
/// probe replaces only `/sbin/init`, liblxc's default.
fn init_cmd_of(lxc_conf: &str) -> Option<String> {
    let key = ExactKey::InitCmd.to_string();
    lxc_conf.lines().rev().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_are_hostnames() {
        for good in ["a", "web-1", "A9", &"x".repeat(63)] {
            assert!(is_instance_name(good), "{good}");
        }
        for bad in ["", "1web", "-web", "web-", "we_b", "we.b", &"x".repeat(64)] {
            assert!(!is_instance_name(bad), "{bad}");
        }
    }

    #[test]
    fn unique_names_are_instance_names_and_differ() {
        let (a, b) = (unique_name("lxconf-lxd"), unique_name("lxconf-lxd"));
        assert_ne!(a, b);
        assert!(is_instance_name(&a), "{a}");
    }

    #[test]
    fn a_client_without_a_daemon_is_unavailable_so_a_fallback_may_stand_in() {
        for client in ["/bin/false", "/nonexistent/lxc"] {
            let e = Lxd::with_client(PathBuf::from(client)).expect_err(client);
            assert!(e.is_unavailable(), "{client}: {e}");
        }
    }

    #[test]
    fn the_probe_replaces_init_inside_the_root_even_through_absolute_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("usr/sbin")).expect("usr/sbin");
        // Both links name host paths: followed on the host they would reach its own
        // /usr/sbin/init.
        std::os::unix::fs::symlink("/usr/sbin", root.join("sbin")).expect("link");
        std::os::unix::fs::symlink("/lib/systemd/systemd", root.join("usr/sbin/init"))
            .expect("link");
        let replaced = install_probe(root, ".t", "echo \"$1\"", "it's").expect("installed");
        assert!(replaced);
        let init = root.join("usr/sbin/init");
        let meta = std::fs::symlink_metadata(&init).expect("init");
        assert!(meta.is_file(), "a file, not a link");
        let text = std::fs::read_to_string(&init).expect("read");
        assert!(text.contains("set -- 'it'\\''s'\n"), "{text}");
        assert!(
            text.contains("> /dev/.t.result 2> /dev/.t.errors"),
            "{text}"
        );
        assert!(root.join(".t.hold").exists());
        // Without /sbin, it is created.
        let bare = tempfile::tempdir().expect("tempdir");
        assert!(!install_probe(bare.path(), ".t", ":", "x").expect("installed"));
        assert!(bare.path().join("sbin/init").is_file());
    }

    #[test]
    fn the_init_command_is_the_last_one_set() {
        let key = ExactKey::InitCmd;
        let conf = format!("{key} = /a\nx = 1\n{key} = /b arg\n");
        assert_eq!(init_cmd_of(&conf).as_deref(), Some("/b arg"));
        assert_eq!(init_cmd_of("x = 1\n"), None);
    }
}
