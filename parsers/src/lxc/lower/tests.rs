use super::*;
use crate::fs::MemoryFs;

fn lower(text: &str) -> Loaded {
    let fs = MemoryFs::new();
    load(
        "t.conf",
        text,
        &LoadOptions {
            fs: &fs,
            base_dir: "/".into(),
            lxd_profiles: Vec::new(),
        },
    )
}

#[test]
fn an_io_max_key_the_model_does_not_type_keeps_the_line() {
    // Found by the writers fuzz target: `rxps=12` vanished, leaving an empty device.
    let loaded = lower("lxc.cgroup2.io.max = 8:0 rxps=12\n");
    let r = &loaded.document.container.resources;
    assert!(r.blkio_devices.is_empty(), "{r:?}");
    assert_eq!(r.cgroup.len(), 1, "{r:?}");
    assert_eq!(r.cgroup[0].value, "8:0 rxps=12");
    // A device without settings, too (a NUL cut the line: fuzzing again).
    let loaded = lower("lxc.cgroup2.io.max = 8:0\n");
    let r = &loaded.document.container.resources;
    assert!(r.blkio_devices.is_empty() && r.cgroup.len() == 1, "{r:?}");
}

#[test]
fn a_long_interface_name_is_cut_at_a_character_boundary() {
    // Found by the lxc fuzz target: byte 15 fell inside a multi-byte character.
    let l = lower("lxc.net.0.type = veth\nlxc.net.0.name = abcdefghijklmn\u{e9}xyz\n");
    assert_eq!(
        l.document.container.networks[0].name.as_deref(),
        Some("abcdefghijklmn")
    );
    assert!(l.diagnostics.iter().any(|d| d.code == Code::L020));
    let l = lower("lxc.net.0.type = veth\nlxc.net.0.name = eth0-very-long-name\n");
    assert_eq!(
        l.document.container.networks[0].name.as_deref(),
        Some("eth0-very-long-")
    );
}

fn load_with(fs: &MemoryFs, text: &str) -> Loaded {
    let options = LoadOptions {
        fs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    load("/t.conf", text, &options)
}

#[test]
fn includes_that_fan_out_are_read_once_and_stop_at_the_include_limit() {
    // 20 files, each including the next twice: 2^20 applications without a limit.
    let mut fs = MemoryFs::new();
    for i in 0..20 {
        let next = format!("lxc.include = /f{}.conf\n", i + 1);
        fs = fs.with(
            format!("/f{i}.conf"),
            format!("lxc.uts.name = n{i}\n{next}{next}"),
        );
    }
    fs = fs.with("/f20.conf", "lxc.uts.name = last\n");
    let l = load_with(&fs, "lxc.include = /f0.conf\n");
    assert_eq!(l.sources.files().count(), 22, "each file read once");
    let limited: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::I004)
        .collect();
    assert_eq!(limited.len(), 1, "{:?}", l.diagnostics);
}

#[test]
fn a_deep_include_chain_stops_at_the_depth_limit() {
    let mut fs = MemoryFs::new();
    for i in 0..100 {
        fs = fs.with(
            format!("/d{i}.conf"),
            format!("lxc.include = /d{}.conf\n", i + 1),
        );
    }
    fs = fs.with("/d100.conf", "lxc.uts.name = deep\n");
    let l = load_with(&fs, "lxc.include = /d0.conf\n");
    assert!(l.diagnostics.iter().any(|d| d.code == Code::I005));
    assert_eq!(l.document.container.hostname, None);
}

#[test]
fn a_line_past_the_length_limit_is_refused() {
    let long = format!(
        "lxc.uts.name = {}\nlxc.arch = x86_64\n",
        "a".repeat(limits::MAX_LINE_BYTES)
    );
    let l = lower(&long);
    assert_eq!(l.diagnostics[0].code, Code::I003);
    assert_eq!(l.document.container.hostname, None);
    assert_eq!(l.document.container.arch.as_deref(), Some("x86_64"));
}

#[test]
fn an_included_file_that_is_not_a_config_is_never_shown() {
    let fs = MemoryFs::new().with("/etc/shadow", "root:$6$secret:19000:0:99999:7:::\n");
    let l = load_with(&fs, "lxc.include = /etc/shadow\n");
    let (id, file) = l.sources.files().nth(1).expect("included");
    assert_eq!(file.name, "/etc/shadow");
    assert!(file.is_private());
    assert!(!l.sources.get(lxconf_model::SourceId(0)).is_private());
    assert!(l
        .diagnostics
        .iter()
        .any(|d| d.primary.as_ref().is_some_and(|p| p.origin.source == id)));
}

#[test]
fn devices_and_fifos_are_not_included() {
    let dir = std::env::temp_dir().join(format!("lxconf-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let fifo = dir.join("fifo.conf");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let text = format!(
        "lxc.include = {}\nlxc.include = /dev/zero\nlxc.mount.fstab = /dev/urandom\n",
        fifo.display()
    );
    let options = LoadOptions {
        fs: &crate::fs::RealFs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    let l = load("t.conf", &text, &options);
    let _ = std::fs::remove_dir_all(&dir);
    let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [Code::I002, Code::I002, Code::I002],
        "{:?}",
        l.diagnostics
    );
}

#[test]
fn the_seccomp_policy_file_is_read_and_its_rules_located() {
    let fs = MemoryFs::new().with(
        "/p/common.seccomp",
        "2\ndenylist\n[all]\nkexec_load errno 1\n",
    );
    let l = load_with(&fs, "lxc.seccomp.profile = /p/common.seccomp\n");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let s = &l.document.container.security;
    let policy = s.seccomp_policy.as_ref().expect("policy read");
    assert_eq!(policy.rules.len(), 1);
    let at = l
        .document
        .origins
        .get("/security/seccomp_policy/rules/0")
        .expect("rule origin");
    assert_eq!(l.sources.locate(at).line, 4);
    assert_eq!(l.sources.get(at.source).name, "/p/common.seccomp");
}

#[test]
fn a_missing_or_bad_seccomp_policy_is_a_finding_not_a_failure() {
    let l = lower("lxc.seccomp.profile = /nowhere.seccomp\n");
    let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::S002]);
    assert_eq!(
        l.sources
            .locate(l.diagnostics[0].primary.as_ref().expect("at").origin)
            .line,
        1
    );
    assert!(l.document.container.security.seccomp_policy.is_none());
    assert!(l.document.container.security.seccomp_profile.is_some());
    let fs = MemoryFs::new().with("/p/bad.seccomp", "2\ndenylist\nread log\n");
    let l = load_with(&fs, "lxc.seccomp.profile = /p/bad.seccomp\n");
    assert_eq!(l.diagnostics[0].code, Code::S001);
    assert!(l.document.container.security.seccomp_policy.is_none());
}

#[test]
fn a_seccomp_policy_counts_in_the_total_size_of_what_is_read() {
    let big = format!(
        "2\ndenylist\n#{}\n",
        "x".repeat(limits::MAX_TOTAL_BYTES as usize)
    );
    let fs = MemoryFs::new().with("/p/big.seccomp", big);
    let l = load_with(&fs, "lxc.seccomp.profile = /p/big.seccomp\n");
    let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::I001]);
    assert!(l.document.container.security.seccomp_policy.is_none());
}

#[test]
fn an_interface_index_too_large_is_said_so_not_suggested_as_itself() {
    let loaded = lower("lxc.net.99999999999.type = veth\n");
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code, Code::L001);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("unsigned 32-bit"), "{help}");
    assert!(d.fix.is_none(), "{:?}", d.fix);
}

#[test]
fn the_mounts_nesting_adds_come_from_the_allow_nesting_line() {
    let text = "lxc.uts.name = a\nlxc.apparmor.allow_nesting = 1\n";
    let l = lower(text);
    let c = &l.document.container;
    let nesting: Vec<usize> = (0..c.mounts.len())
        .filter(|i| c.mounts[*i].target.starts_with("/dev/.lxc/"))
        .collect();
    assert_eq!(nesting.len(), 2, "{:?}", c.mounts);
    let line = text.find("lxc.apparmor").expect("line");
    for i in nesting {
        let o = l
            .document
            .origins
            .get(&pointer::item(pointer::MOUNTS, i).to_string())
            .expect("located");
        assert!(o.start as usize >= line, "{o:?}");
    }
}
