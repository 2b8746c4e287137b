//! Differential test of `--compat libvirt` (lxconf_convert::libvirt_compat) against live
//! libvirt 9.0.0: `virsh -c lxc:///system domxml-from-native lxc-tools FILE`, run with
//! the file's directory as cwd, for every top-level LXC config in corpus/lxc,
//! corpus/invalid and corpus/libvirt-compat. The output must be byte-identical with the
//! uuid masked, or the error line identical where virsh fails.
//!
//! Configs with a negative tty count are not sent: they abort libvirtd 9.0.0. The converter
//! must refuse them itself (checked here too).

use crate::support::*;
use lxconf_convert::libvirt_compat::{self, CompatError, DEBIAN_EMULATOR};
use std::path::Path;
use std::process::Command;

const URI: &str = "lxc:///system";
const UUID: &str = "6c78636f-6e66-4d00-8000-00000000c0de";
const DIRS: &[&str] = &["corpus/lxc", "corpus/invalid", "corpus/libvirt-compat"];

/// What virsh printed, normalised to what `from_native` returns: the XML without virsh's
/// extra blank line and with our uuid, or the stderr text.
fn virsh(file: &str) -> Result<String, String> {
    let path = root().join(file);
    let dir = path.parent().expect("dir");
    let base = path.file_name().expect("name").to_string_lossy();
    let out = Command::new("virsh")
        .args(["-c", URI, "domxml-from-native", "lxc-tools"])
        .arg(format!("./{base}"))
        .current_dir(dir)
        .output()
        .expect("run virsh");
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(text
            .lines()
            .map(|l| {
                if l.starts_with("  <uuid>") && l.ends_with("</uuid>") {
                    format!("  <uuid>{UUID}</uuid>")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n")
    } else {
        Err(String::from_utf8_lossy(&out.stderr)
            .trim_end_matches('\n')
            .to_string())
    }
}

/// A negative `lxc.tty.max`/`lxc.tty` anywhere: never send it to libvirtd.
fn crashes_libvirtd(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("lxc.tty") && !l.starts_with("lxc.tty.dir"))
            && l.split_once('=').is_some_and(|(_, v)| {
                v.trim_start()
                    .strip_prefix('-')
                    .is_some_and(|n| n.bytes().any(|c| (b'1'..=b'9').contains(&c)))
            })
    })
}

/// A file, lxconf's result and virsh's.
type Outcome = (String, Result<String, CompatError>, Result<String, String>);

fn first_difference(a: &str, b: &str) -> String {
    for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: lxconf {x:?} / virsh {y:?}", n + 1);
        }
    }
    format!(
        "lengths differ: lxconf {} lines / virsh {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn compat_libvirt_output_is_byte_identical_to_virsh() {
    ensure_libvirtd();
    let mut files: Vec<String> = Vec::new();
    for dir in DIRS {
        files.extend(corpus_files(dir, "conf"));
    }
    assert!(
        corpus_files("corpus/libvirt-compat", "conf").len() >= 60,
        "corpus/libvirt-compat is missing"
    );

    let mut skipped = Vec::new();
    let mut to_run = Vec::new();
    for f in &files {
        let bytes = std::fs::read(root().join(f)).expect("read");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mine = libvirt_compat::from_native(&text, UUID, DEBIAN_EMULATOR);
        // Conservative: the text check also skips files that fail before the tty step.
        if crashes_libvirtd(&text) || matches!(mine, Err(CompatError::DaemonCrash { .. })) {
            skipped.push(f.clone());
            continue;
        }
        to_run.push((f.clone(), mine));
    }

    // virsh costs ~30-50 ms per call, mostly waiting: run a few at once.
    let workers = 4;
    let chunks: Vec<_> = to_run
        .chunks(to_run.len().div_ceil(workers).max(1))
        .collect();
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(f, mine)| (f.clone(), mine.clone(), virsh(f)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });

    let mut failures = Vec::new();
    let (mut converted, mut refused) = (0, 0);
    for (f, mine, theirs) in &results {
        let mine_norm = mine.clone().map_err(|e| e.virsh_message());
        if &mine_norm == theirs {
            if theirs.is_ok() {
                converted += 1;
            } else {
                refused += 1;
            }
            continue;
        }
        let why = match (&mine_norm, theirs) {
            (Ok(a), Ok(b)) => first_difference(a, b),
            (Ok(_), Err(e)) => format!("lxconf converts, virsh fails: {e}"),
            (Err(e), Ok(_)) => format!("lxconf fails ({e}), virsh converts"),
            (Err(a), Err(b)) => format!("errors differ: lxconf {a:?} / virsh {b:?}"),
        };
        failures.push(format!("{f}: {why}"));
    }
    eprintln!(
        "libvirt compat agreement: {}/{} files identical ({converted} converted, {refused} refused with the same error); {} not sent to virsh (negative tty count aborts libvirtd): {:?}",
        converted + refused,
        results.len(),
        skipped.len(),
        skipped
    );
    assert!(
        failures.is_empty(),
        "{} file(s) differ from virsh:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_negative_tty_count_is_refused_without_a_daemon() {
    let text = "lxc.uts.name = c1\nlxc.rootfs.path = /x\nlxc.tty.max = -1\n";
    let err = libvirt_compat::from_native(text, UUID, DEBIAN_EMULATOR).expect_err("refused");
    assert!(matches!(err, CompatError::DaemonCrash { .. }), "{err:?}");
    assert!(err
        .virsh_message()
        .contains("Disconnected from lxc:///system"));
}

#[test]
fn the_compat_corpus_holds_only_configs_libvirt_reads() {
    // Every compat corpus file says what it covers on its first line.
    for f in corpus_files("corpus/libvirt-compat", "conf") {
        let text = std::fs::read(root().join(&f)).expect("read");
        assert!(
            text.starts_with(b"#")
                || Path::new(&f)
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("raw-")),
            "{f}: start with a `# what this covers` comment (or name it raw-*.conf)"
        );
    }
}
