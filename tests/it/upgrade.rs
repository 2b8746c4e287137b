//! `lxconf upgrade` against `lxc-update-config`, with liblxc 5 as the judge: every
//! upgraded legacy corpus config must load in liblxc, and give the same values as
//! lxc-update-config's output wherever lxc-update-config is right. The cases where it is
//! wrong are listed here and in docs/upgrade.md.

use crate::liblxc::run_oracle;
use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// Corpus files on which lxc-update-config 5.0.2 is wrong, and how.
pub const UPDATE_CONFIG_BUGS: &[(&str, &str)] = &[
    ("legacy-multi-unindexed.conf", "a comment that mentions `lxc.network.type` increments its interface counter, so every interface shifts by one"),
    ("legacy-indexed.conf", "indexed `lxc.network.N.ipv4` becomes `lxc.net.N.ipv4` (invalid) instead of `ipv4.address`"),
    ("legacy-init-limits.conf", "`lxc.limit.<res>` is not renamed to `lxc.prlimit.<res>`"),
    ("legacy-overlay-rootfs.conf", "the backend type is prefixed to a rootfs that already has one"),
    ("legacy-subkey-before-type.conf", "a subkey before the first type gets the index -1 (`lxc.net.-1.link`)"),
    ("mixed-limits.conf", "`lxc.limit.<res>` is not renamed to `lxc.prlimit.<res>`"),
    ("mixed-network-indexed.conf", "indexed `lxc.network.N.ipv4` becomes `lxc.net.N.ipv4` (invalid) instead of `ipv4.address`"),
    ("legacy-lxc2-full.conf", "`lxc.limit.<res>` is not renamed to `lxc.prlimit.<res>`"),
];

fn legacy_files() -> Vec<String> {
    corpus_files("corpus/lxc", "conf")
        .into_iter()
        .filter(|f| {
            let name = f.trim_start_matches("corpus/lxc/");
            name.starts_with("legacy-") || name.starts_with("mixed-")
        })
        .collect()
}

#[test]
fn upgraded_legacy_configs_load_in_liblxc_and_match_lxc_update_config() {
    let files = legacy_files();
    assert!(files.len() >= 15);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for f in &files {
        let name = f.trim_start_matches("corpus/lxc/");
        let text = std::fs::read_to_string(root().join(f)).expect("read");
        let up = lxconf_parse::lxc::upgrade::upgrade(&text, lxconf_model::SourceId(0));
        let a = dir.path().join(format!("lxconf-{name}"));
        std::fs::write(&a, &up.text).expect("write");
        ours.push(a.display().to_string());
        let b = dir.path().join(format!("update-config-{name}"));
        std::fs::write(&b, &text).expect("write");
        let status = Command::new("lxc-update-config")
            .args(["-c", &b.display().to_string()])
            .output()
            .expect("lxc-update-config (package lxc) must be installed: run ./scripts/test-all.sh");
        assert!(status.status.success(), "lxc-update-config failed on {f}");
        theirs.push(b.display().to_string());
    }
    let ours_v = run_oracle("corpus/lxc", &ours);
    let theirs_v = run_oracle("corpus/lxc", &theirs);
    let mut failures = Vec::new();
    let mut same = 0;
    for ((f, o), t) in files.iter().zip(&ours_v).zip(&theirs_v) {
        let name = f.trim_start_matches("corpus/lxc/");
        if !o.loaded {
            failures.push(format!(
                "{name}: liblxc refuses lxconf's upgrade ({:?})",
                o.error
            ));
            continue;
        }
        let known_bug = UPDATE_CONFIG_BUGS.iter().find(|(n, _)| *n == name);
        let differences = if t.loaded {
            diff_items(&o.items, &t.items, &o.random_keys)
        } else {
            vec!["lxc-update-config's output does not load".to_string()]
        };
        match (differences.is_empty(), known_bug) {
            (true, None) => same += 1,
            (true, Some((_, why))) => failures.push(format!("{name}: listed as an lxc-update-config bug ({why}) but both agree: update the list")),
            (false, Some(_)) => {}
            (false, None) => failures.push(format!("{name}: lxconf and lxc-update-config differ: {}", differences.join("; "))),
        }
    }
    eprintln!(
        "upgrade: liblxc loads {}/{} lxconf outputs; same values as lxc-update-config on {same}, lxc-update-config wrong on {}",
        ours_v.iter().filter(|v| v.loaded).count(),
        files.len(),
        UPDATE_CONFIG_BUGS.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn diff_items(
    a: &BTreeMap<String, Value>,
    b: &BTreeMap<String, Value>,
    random: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, va) in a {
        if random.contains(k) {
            continue;
        }
        match b.get(k) {
            Some(vb) if vb == va => {}
            Some(vb) => out.push(format!("{k}: lxconf {va} vs {vb}")),
            None => {}
        }
    }
    out
}

#[test]
fn upgrade_in_place_is_atomic_keeps_a_backup_and_recurses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inc = dir.path().join("common.conf");
    std::fs::write(&inc, "lxc.tty = 2\n").expect("write");
    let main = dir.path().join("config");
    std::fs::write(
        &main,
        format!(
            "# keep me\nlxc.utsname = x\nlxc.include = {}\n",
            inc.display()
        ),
    )
    .expect("write");
    let out = lxconf(&[
        "upgrade",
        "--in-place",
        "--recursive",
        main.to_str().expect("utf8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&main).expect("read"),
        format!(
            "# keep me\nlxc.uts.name = x\nlxc.include = {}\n",
            inc.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&inc).expect("read"),
        "lxc.tty.max = 2\n"
    );
    assert!(dir.path().join("config.bak").exists());
    assert!(dir.path().join("common.conf.bak").exists());
    // A second run changes nothing.
    let again = lxconf(&["upgrade", "--in-place", main.to_str().expect("utf8")]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to upgrade"));
}

#[test]
fn upgrade_to_stdout_leaves_the_file_alone() {
    let out = lxconf(&["upgrade", "corpus/lxc/legacy-idmap.conf"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("lxc.idmap = "), "{text}");
    assert!(!text.contains("lxc.id_map ="), "{text}");
}
