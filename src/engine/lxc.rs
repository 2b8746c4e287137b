//! An LXC config under liblxc's `lxc-execute`: the probe is the command
//! (`lxc-execute -n NAME -f CONF -P DIR -- /bin/sh -c SCRIPT probe MARKER`), its output
//! comes back on the container's stdout. lxc-execute 5.0 runs a command without a terminal
//! as the config is (measured: no `lxc.console.path`, no `lxc.tty.max` needed), so what the
//! probe sees is what the config says. One setting is overridden (`-s`): `lxc.ephemeral`
//! is 0, or liblxc would delete the container's root filesystem when the probe ends.
//!
//! After its sections the probe prints the done marker and waits on its stdin, so the
//! container is still running while its cgroup limits are read from the host; closing
//! stdin ends it.

use super::{find_program, limits, observations, unique_name, EngineError, Probed, Side};
use super::{DONE, PROBE_TIMEOUT};
use lxconf_model::lxc_key::ExactKey;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

const ENGINE: &str = "lxc-execute";

/// What the probe does after its sections: say so, then wait until stdin closes.
fn script() -> String {
    format!(
        "{}echo \"$1\"'{DONE}'\nread -r _ || :\n",
        crate::probe::SCRIPT
    )
}

/// Run the probe in the container of `side`'s config under lxc-execute.
pub fn probe(side: &Side<'_>) -> Result<Probed, EngineError> {
    let unavailable = |why: &str| EngineError::Unavailable {
        engine: ENGINE,
        why: why.to_string(),
    };
    let lxc_execute =
        find_program("lxc-execute").ok_or_else(|| unavailable("lxc-execute is not installed"))?;
    let lxc_info =
        find_program("lxc-info").ok_or_else(|| unavailable("lxc-info is not installed"))?;
    let io = |what| {
        move |source| EngineError::Io {
            engine: ENGINE,
            what,
            source,
        }
    };
    let lxcpath = tempfile::tempdir().map_err(io("creating the container directory"))?;
    // The config by absolute path, as liblxc reads it: relative includes and fstab paths
    // stay relative to the directory it runs in (`--include-base`, or ours).
    let stdin_copy;
    let config = if side.file == "-" {
        stdin_copy = lxcpath.path().join("stdin.conf");
        std::fs::write(&stdin_copy, side.text).map_err(io("writing the config from stdin"))?;
        stdin_copy.clone()
    } else {
        std::path::absolute(side.file).map_err(io("resolving the config path"))?
    };
    let marker = crate::probe::marker();
    let name = unique_name(&marker);
    let mut cmd = Command::new(lxc_execute);
    cmd.arg("-n")
        .arg(&name)
        .arg("-f")
        .arg(&config)
        .arg("-P")
        .arg(lxcpath.path());
    // The one setting changed: an ephemeral container is destroyed when it stops, and
    // liblxc then deletes its root filesystem (measured with lxc-execute 5.0: a `dir:`
    // rootfs is gone after the run, also after a failed start). Management, not visible
    // inside the container.
    cmd.arg("-s").arg(format!("{}=0", ExactKey::Ephemeral));
    cmd.args(["--", "/bin/sh", "-c", &script(), "probe", &marker]);
    if let Some(dir) = side.include_base {
        cmd.current_dir(dir);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(io("starting lxc-execute"))?;
    // Read apart from stdout, so that neither pipe can fill up and stall the container.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = e.read_to_string(&mut text);
            text
        })
    });
    let run = Run {
        name: &name,
        lxcpath: lxcpath.path(),
        lxc_info: &lxc_info,
    };
    let result = run.collect(&mut child, &marker, side);
    // Closing stdin ends the probe; a container still running after a timeout is stopped.
    drop(child.stdin.take());
    finish(&mut child, &run);
    let (output, limits) = result;
    let status = child.wait().map_err(io("waiting for lxc-execute"))?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    let done = output
        .lines()
        .any(|l| l.strip_prefix(marker.as_str()) == Some(DONE));
    if !done || !status.success() {
        return Err(EngineError::Failed {
            engine: ENGINE,
            file: side.file.to_string(),
            why: format!(
                "the probe did not finish (exit {:?}): {}",
                status.code(),
                stderr.trim()
            ),
        });
    }
    let mut observations = observations(&output, &marker);
    observations.insert(crate::probe::CGROUP_LIMITS.to_string(), limits);
    Ok(Probed {
        observations,
        notes: Vec::new(),
    })
}

/// One container of lxc-execute, by name and lxcpath.
struct Run<'a> {
    name: &'a str,
    lxcpath: &'a std::path::Path,
    lxc_info: &'a std::path::Path,
}

impl Run<'_> {
    /// Read the probe's output until its done marker (or its end, or the timeout) and,
    /// once it is done, the container's cgroup limits.
    fn collect(&self, child: &mut Child, marker: &str, side: &Side<'_>) -> (String, Vec<String>) {
        let Some(stdout) = child.stdout.take() else {
            return (String::new(), Vec::new());
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + PROBE_TIMEOUT;
        let mut output = String::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = rx.recv_timeout(left) else {
                break;
            };
            output.push_str(&line);
            output.push('\n');
            if line.strip_prefix(marker) == Some(DONE) {
                let limits = match self.init_pid() {
                    Some(pid) => limits::read(pid, side.limit_models),
                    None => vec!["(the container's init was not found)".to_string()],
                };
                return (output, limits);
            }
        }
        (output, Vec::new())
    }

    /// The host pid of the container's init, as `lxc-info` gives it.
    fn init_pid(&self) -> Option<u32> {
        let out = Command::new(self.lxc_info)
            .arg("-n")
            .arg(self.name)
            .arg("-P")
            .arg(self.lxcpath)
            .args(["-p", "-H"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }
}

/// Wait for lxc-execute to end, stopping the container with `lxc-stop -k` when it does not
/// within a few seconds of its stdin closing.
fn finish(child: &mut Child, run: &Run<'_>) {
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > deadline {
            let _ = Command::new("lxc-stop")
                .arg("-n")
                .arg(run.name)
                .arg("-P")
                .arg(run.lxcpath)
                .arg("-k")
                .output();
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
