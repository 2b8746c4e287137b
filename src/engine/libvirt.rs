//! A domain XML under libvirt's LXC driver (`virsh -c lxc:///system create`). The probe
//! runs **as the container's init**: `virsh lxc-enter-namespace` would run it with the
//! host's capabilities, not the container's. A copy of the domain gets `<init>/bin/sh</init>`
//! with the probe script as argument and a writable `<filesystem>` bound from a temporary
//! directory under `/dev` (libvirt's own tmpfs, so nothing is created in the domain's root
//! filesystem), where the script writes its output and then a done file. The domain is
//! polled with a timeout and always destroyed: also on error, timeout or panic.

use super::domain_xml::{self, ProbeInit};
use super::PROBE_TIMEOUT;
use super::{find_program, limits, observations, unique_name, EngineError, Probed, Side};
use lxconf_model::Container;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ENGINE: &str = "libvirt_lxc";
/// The libvirt connection of system LXC containers.
pub const URI: &str = "lxc:///system";

/// A script that ran as a domain's init.
#[derive(Debug, Clone)]
pub struct InitRun {
    /// What the script printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// The domain's own init and arguments, which the script replaced.
    pub replaced_init: Vec<String>,
    /// The cgroup limits of `limit_models`, read while the container ran.
    pub limits: Vec<String>,
    /// Where the script's directory was bound in the container (a mount it sees).
    pub mount_point: String,
}

/// Run the probe in `side`'s domain under libvirt_lxc.
pub fn probe(side: &Side<'_>) -> Result<Probed, EngineError> {
    let marker = crate::probe::marker();
    let run = run_as_init(side.text, crate::probe::SCRIPT, &marker, side.limit_models)
        .map_err(|e| with_file(e, side.file))?;
    let mut observations = observations(&run.stdout, &marker);
    // The probe's own directory is not the domain's.
    if let Some(mounts) = observations.get_mut("mounts") {
        mounts.retain(|l| l.split_whitespace().next() != Some(run.mount_point.as_str()));
    }
    observations.insert(crate::probe::CGROUP_LIMITS.to_string(), run.limits);
    let mut notes = Vec::new();
    if !run.replaced_init.is_empty() {
        notes.push(format!(
            "the domain's own init was not run (the probe ran as init instead): {}",
            run.replaced_init.join(" ")
        ));
    }
    Ok(Probed {
        observations,
        notes,
    })
}

fn with_file(e: EngineError, file: &str) -> EngineError {
    match e {
        EngineError::Failed { engine, why, .. } => EngineError::Failed {
            engine,
            file: file.to_string(),
            why,
        },
        other => other,
    }
}

/// Run `script` (POSIX shell, its first argument is `arg`) as the init of a copy of the
/// domain `text` under libvirt_lxc, wait until it is done (at most [`PROBE_TIMEOUT`]), read
/// the cgroup limits of `limit_models` from the running container, destroy the domain and
/// give what the script printed. The domain keeps its name (it is the container's hostname
/// and `LIBVIRT_LXC_NAME`): a running domain of that name is an error, and is not touched.
pub fn run_as_init(
    text: &str,
    script: &str,
    arg: &str,
    limit_models: &[&Container],
) -> Result<InitRun, EngineError> {
    let virsh = reachable_virsh()?;
    let io = |what| {
        move |source| EngineError::Io {
            engine: ENGINE,
            what,
            source,
        }
    };
    let failed = |why: String| EngineError::Failed {
        engine: ENGINE,
        file: String::new(),
        why,
    };
    let dir = tempfile::tempdir().map_err(io("creating the probe directory"))?;
    let out = dir.path().join("out");
    let mount_point = format!("/dev/.{}", unique_name(&crate::probe::marker()));
    let hold =
        write_script_dir(&out, &mount_point, script).map_err(io("writing the probe script"))?;
    let args = [format!("{mount_point}/probe.sh"), arg.to_string()];
    let host_dir = out
        .to_str()
        .ok_or_else(|| failed("the temporary directory's path is not UTF-8".into()))?;
    let domain = domain_xml::inject(
        text,
        &ProbeInit {
            init: "/bin/sh",
            args: &args,
            host_dir,
            mount_point: &mount_point,
        },
    )
    .map_err(|e| failed(e.to_string()))?;
    let path = dir.path().join("domain.xml");
    std::fs::write(&path, &domain.xml).map_err(io("writing the probe domain"))?;
    let created = Command::new(&virsh)
        .args(["-q", "-c", URI, "create"])
        .arg(&path)
        .output()
        .map_err(io("starting virsh create"))?;
    if !created.status.success() {
        return Err(failed(format!(
            "virsh create: {}",
            String::from_utf8_lossy(&created.stderr).trim()
        )));
    }
    let running = Created {
        virsh: &virsh,
        name: &domain.name,
    };
    let done = wait_for(&out.join("done"), || running.controller_pid().is_some());
    let limits = if done == Waited::Done {
        match running.init_pid() {
            Some(pid) => limits::read(pid, limit_models),
            None => vec!["(the container's init was not found)".to_string()],
        }
    } else {
        Vec::new()
    };
    if done == Waited::Done {
        running.release(hold);
    } else {
        drop(hold);
    }
    drop(running);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    match done {
        Waited::Done => {}
        Waited::Stopped => {
            return Err(failed(format!(
                "the domain stopped before the probe was done: its init did not run as the domain says (libvirt's log: /var/log/libvirt/lxc/{}.log){}",
                domain.name,
                with_colon(&read("errors"))
            )))
        }
        Waited::TimedOut => {
            return Err(failed(format!(
                "the probe did not finish within {} s{}",
                PROBE_TIMEOUT.as_secs(),
                with_colon(&read("errors"))
            )))
        }
    }
    Ok(InitRun {
        stdout: read("result"),
        stderr: read("errors"),
        replaced_init: domain.replaced_init,
        limits,
        mount_point,
    })
}

/// `virsh`, when it is installed and libvirtd answers on [`URI`].
fn reachable_virsh() -> Result<PathBuf, EngineError> {
    let unavailable = |why: String| EngineError::Unavailable {
        engine: ENGINE,
        why,
    };
    let virsh = find_program("virsh")
        .ok_or_else(|| unavailable("virsh is not installed (libvirt-clients)".into()))?;
    let version = Command::new(&virsh)
        .args(["-q", "-c", URI, "version"])
        .output()
        .map_err(|e| unavailable(format!("virsh cannot be started: {e}")))?;
    if !version.status.success() {
        return Err(unavailable(format!(
            "libvirtd does not answer on {URI}: {}",
            String::from_utf8_lossy(&version.stderr).trim()
        )));
    }
    Ok(virsh)
}

/// The directory bound into the container: the script, and a FIFO it waits on after it is
/// done; lxconf holds the FIFO's only writer, given back (the open end). The script opens
/// the FIFO first, so when lxconf ends, by any signal too, its read sees the end of the
/// file and the domain stops by itself. World-writable: with an `<idmap>` the container's
/// root is an unprivileged user on the host; the directory above it (the temporary
/// directory, 0700) keeps everyone else out.
fn write_script_dir(
    out: &Path,
    mount_point: &str,
    script: &str,
) -> std::io::Result<rustix::fd::OwnedFd> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir(out)?;
    std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o777))?;
    let probe = out.join("probe.sh");
    std::fs::write(
        &probe,
        format!(
            "exec 3< {mount_point}/hold > {mount_point}/result 2> {mount_point}/errors\n{script}\n: > {mount_point}/done\nread -r _ <&3\n"
        ),
    )?;
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o644))?;
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        out.join("hold"),
        rustix::fs::Mode::from_raw_mode(0o666),
    )?;
    // mkfifo's mode is masked by the umask.
    std::fs::set_permissions(out.join("hold"), std::fs::Permissions::from_mode(0o666))?;
    // Read and write: opening a FIFO so never waits for a partner.
    Ok(rustix::fs::open(
        out.join("hold"),
        rustix::fs::OFlags::RDWR | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )?)
}

/// How waiting for the probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waited {
    /// It wrote its done file.
    Done,
    /// The domain stopped first.
    Stopped,
    /// Neither, within [`PROBE_TIMEOUT`].
    TimedOut,
}

/// Poll for `file` while `running` says the domain runs, until the timeout.
fn wait_for(file: &Path, running: impl Fn() -> bool) -> Waited {
    let deadline = Instant::now() + PROBE_TIMEOUT;
    loop {
        if file.exists() {
            return Waited::Done;
        }
        if !running() {
            // The done file may have come just before the domain went.
            return if file.exists() {
                Waited::Done
            } else {
                Waited::Stopped
            };
        }
        if Instant::now() > deadline {
            return Waited::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
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

/// A domain this run created: destroyed when dropped, whatever happened.
struct Created<'a> {
    virsh: &'a Path,
    name: &'a str,
}

impl Created<'_> {
    /// The pid of libvirt's controller process of the domain (`libvirt_lxc`), which libvirt
    /// keeps in `/run/libvirt/lxc/NAME.pid`.
    fn controller_pid(&self) -> Option<u32> {
        std::fs::read_to_string(format!("/run/libvirt/lxc/{}.pid", self.name))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The host pid of the container's init: the controller's child.
    fn init_pid(&self) -> Option<u32> {
        let controller = self.controller_pid()?;
        let children =
            std::fs::read_to_string(format!("/proc/{controller}/task/{controller}/children"))
                .ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// Let the probe end by itself (a line on the FIFO it waits on, then its end), and wait
    /// a moment for its init to exit. `virsh destroy` of a running init takes about 2 s
    /// here (libvirt sends SIGTERM, which the init of a pid namespace without a handler
    /// never gets, and waits before SIGKILL); of a domain whose init has exited, about
    /// 0.5 s.
    fn release(&self, hold: rustix::fd::OwnedFd) {
        let init = self.init_pid();
        let _ = rustix::io::write(&hold, b"\n");
        drop(hold);
        let Some(init) = init else { return };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Path::new(&format!("/proc/{init}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Created<'_> {
    fn drop(&mut self) {
        let _ = Command::new(self.virsh)
            .args(["-q", "-c", URI, "destroy", "--domain", self.name])
            .output();
    }
}
