//! Hostile inputs (tests/adversarial/*.sh), each run under a memory and a time limit: a
//! crash, a hang or runaway memory fails here instead of on a user's machine.

use crate::support::root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Limits of one case, from its `# limits:` and `# needs:` header lines.
struct Header {
    mem_mib: u64,
    time_s: u64,
    needs_root: bool,
}

fn header(script: &str) -> Header {
    let mut h = Header {
        mem_mib: 1024,
        time_s: 30,
        needs_root: false,
    };
    for line in script.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# limits:") {
            for part in rest.split_whitespace() {
                match part.split_once('=') {
                    Some(("mem", v)) => h.mem_mib = v.parse().expect("mem=MiB"),
                    Some(("time", v)) => h.time_s = v.parse().expect("time=seconds"),
                    _ => panic!("bad limits header: {line}"),
                }
            }
        }
        if line.trim() == "# needs: root" {
            h.needs_root = true;
        }
    }
    h
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("tests/adversarial"))
        .expect("tests/adversarial")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sh") && !p.ends_with("lib.sh"))
        .collect();
    cases.sort();
    cases
}

/// Run one case; `Err` carries what it printed.
fn run_case(case: &Path, h: &Header) -> Result<(), String> {
    let work = tempfile::tempdir().expect("scratch directory");
    let limited = format!(
        "ulimit -v {} && exec timeout -s KILL {} bash \"$0\"",
        h.mem_mib * 1024,
        h.time_s
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(limited)
        .arg(case)
        .current_dir(work.path())
        .env("LXCONF", env!("CARGO_BIN_EXE_lxconf"))
        .env("WORK", work.path())
        .env("CASES", root().join("tests/adversarial"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash");
    if out.status.success() {
        return Ok(());
    }
    let killed = out.status.code() == Some(137);
    Err(format!(
        "{}{}{}",
        if killed {
            format!("killed after the {} s time limit\n", h.time_s)
        } else {
            String::new()
        },
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn run_all(root_cases: bool) {
    let _containers = crate::support::containers_lock();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases() {
        let script = std::fs::read_to_string(&case).expect("read case");
        let h = header(&script);
        if h.needs_root != root_cases {
            continue;
        }
        ran += 1;
        if let Err(msg) = run_case(&case, &h) {
            failures.push(format!("== {}\n{msg}", case.display()));
        }
    }
    assert!(ran > 0, "no adversarial case ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} adversarial cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn adversarial_cases() {
    run_all(false);
}

#[test]
#[ignore = "needs root"]
fn adversarial_cases_as_root() {
    run_all(true);
}
