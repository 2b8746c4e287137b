//! Helpers shared by the integration tests.

use lxconf_parse::fs::RealFs;
use lxconf_parse::{LoadOptions, Loaded};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Load an LXC config the way liblxc would from the directory `base` (relative includes are
/// resolved against it). `name` is the path shown in diagnostics (relative to the root).
pub fn load_lxc(name: &str, base: &Path) -> Loaded {
    let text = std::fs::read_to_string(root().join(name)).expect("read corpus file");
    // Tests run in the repository root: a relative base keeps file names in diagnostics
    // independent of where the repository is checked out.
    let base = base.strip_prefix(root()).unwrap_or(base);
    lxconf_parse::lxc::load(
        name,
        &text,
        &LoadOptions {
            fs: &RealFs,
            base_dir: base.to_path_buf(),
            lxd_profiles: Vec::new(),
        },
    )
}

/// Files in a corpus directory with the given extension, sorted.
pub fn corpus_files(dir: &str, ext: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().and_then(|e| e.to_str()) == Some(ext))
                .filter_map(|p| {
                    p.file_name()
                        .map(|n| format!("{dir}/{}", n.to_string_lossy()))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Run the lxconf binary in the repository root.
pub fn lxconf(args: &[&str]) -> Output {
    lxconf_in(&root(), args)
}

/// Run the lxconf binary in `dir`, without colour.
pub fn lxconf_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lxconf")
}

/// Diagnostics as JSON records with paths relative to the root.
pub fn diagnostic_records(loaded: &Loaded) -> serde_json::Value {
    let records: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| d.to_record(&loaded.sources))
        .collect();
    let mut value = serde_json::to_value(records).expect("serialize");
    strip_root(&mut value);
    value
}

/// Replace absolute paths under the root by relative ones, for stable snapshots.
pub fn strip_root(value: &mut serde_json::Value) {
    let prefix = format!("{}/", root().display());
    match value {
        serde_json::Value::String(s) if s.contains(&prefix) => *s = s.replace(&prefix, ""),
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_root),
        serde_json::Value::Object(o) => o.values_mut().for_each(strip_root),
        _ => {}
    }
}

fn virsh_answers() -> bool {
    std::process::Command::new("virsh")
        .args(["-q", "-c", "lxc:///system", "version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Make sure libvirtd answers on lxc:///system (starting it if needed).
pub fn ensure_libvirtd() {
    if virsh_answers() {
        return;
    }
    let status =
        std::process::Command::new(root().join("tests/oracle/libvirt/start-libvirtd.sh")).status();
    assert!(
        status.map(|s| s.success()).unwrap_or(false) && virsh_answers(),
        "libvirtd does not answer on lxc:///system: run tests/oracle/libvirt/start-libvirtd.sh"
    );
}

/// Held by every test that starts containers: a run removes the stale cgroups of runners
/// that are gone (R013), so a test that kills a runner on purpose must not race another
/// test's run.
pub static CONTAINERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Take [`CONTAINERS`] (a test that panicked while holding it does not poison the others).
pub fn containers_lock() -> std::sync::MutexGuard<'static, ()> {
    CONTAINERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn is_code(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// The code of a human report's first line: `× file:1:2: L001 message`, or `× L001 message`
/// for a finding without a location; with its severity mark.
pub fn report_code(line: &str) -> Option<(char, &str)> {
    let line = line.trim_start();
    let mark = line
        .chars()
        .next()
        .filter(|c| ['×', '⚠', '☞'].contains(c))?;
    let rest = &line[mark.len_utf8()..];
    let code = rest.split_whitespace().take(2).find(|w| is_code(w))?;
    Some((mark, code))
}
