//! Property tests: what is written is what is read back.

use lxconf_model::model::{IdKind, IdMap};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::lxc::syntax::{self, LineKind};
use lxconf_parse::LoadOptions;
use proptest::prelude::*;

fn load(text: &str) -> lxconf_parse::Loaded {
    let fs = MemoryFs::new();
    lxconf_parse::lxc::load(
        "p.conf",
        text,
        &LoadOptions {
            fs: &fs,
            base_dir: "/".into(),
            lxd_profiles: Vec::new(),
        },
    )
}

proptest! {
    /// Any key and value survive arbitrary blanks around `=` and leading indentation.
    #[test]
    fn key_and_value_survive_blanks(
        key in "lxc\\.[a-z][a-z0-9_.]{0,20}",
        value in "[!-~]([ -~]{0,40}[!-~])?",
        lead in "[ \t]{0,3}", before in "[ \t]{0,3}", after in "[ \t]{0,3}", trail in "[ \t]{0,3}",
    ) {
        prop_assume!(!key.contains('='));
        prop_assume!(!(value.len() > 1 && (value.starts_with('"') || value.starts_with('\'')) && value.ends_with(&value[..1])));
        let line = format!("{lead}{key}{before}={after}{value}{trail}\n");
        let lines = syntax::parse(&line);
        prop_assert_eq!(lines.len(), 1);
        match &lines[0].kind {
            LineKind::Entry(e) => {
                prop_assert_eq!(&line[e.key.clone()], key.as_str());
                prop_assert_eq!(&line[e.value.clone()], value.as_str());
            }
            other => prop_assert!(false, "not an entry: {:?}", other),
        }
    }

    /// fstab escapes: any path encodes to one field and decodes back.
    #[test]
    fn fstab_paths_round_trip(source in "/[ -~\t]{0,30}", target in "[a-z/ ]{1,20}") {
        let line = format!(
            "{} {} none bind 0 0",
            lxconf_convert::writable::fstab_path(&source).unwrap(),
            lxconf_convert::writable::fstab_path(&target).unwrap()
        );
        let entry = lxconf_parse::fstab::parse_line(&line, 0).unwrap().unwrap();
        prop_assert_eq!(entry.source.text, source);
        prop_assert_eq!(entry.target.text, target);
    }

    /// Settings written as LXC keys come back as the same model values.
    #[test]
    fn lxc_settings_round_trip(
        hostname in "[a-z][a-z0-9-]{0,30}",
        env in proptest::collection::vec(("[A-Z_][A-Z0-9_]{0,10}", "[ -~]{0,20}"), 0..5),
        maps in proptest::collection::vec((any::<bool>(), 0u32..70000, 0u32..2_000_000, 1u32..70000), 0..4),
        ttys in 0u32..64,
        groups in proptest::collection::vec(0u32..100000, 0..4),
    ) {
        let mut text = format!("lxc.uts.name = {hostname}\nlxc.tty.max = {ttys}\n");
        for (k, v) in &env {
            // A value that starts and ends with the same quote loses the quotes in liblxc.
            prop_assume!(!(v.len() > 1 && (v.starts_with('"') || v.starts_with('\'')) && v.ends_with(&v[..1])));
            prop_assume!(v.trim() == v.as_str());
            text.push_str(&format!("lxc.environment = {k}={v}\n"));
        }
        for (uid, c, h, n) in &maps {
            text.push_str(&format!("lxc.idmap = {} {c} {h} {n}\n", if *uid { "u" } else { "g" }));
        }
        if !groups.is_empty() {
            let g: Vec<String> = groups.iter().map(u32::to_string).collect();
            text.push_str(&format!("lxc.init.groups = {}\n", g.join(",")));
        }
        let loaded = load(&text);
        prop_assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let c = &loaded.document.container;
        prop_assert_eq!(c.hostname.as_deref(), Some(hostname.as_str()));
        prop_assert_eq!(c.dev.ttys, ttys);
        prop_assert_eq!(c.init.env.len(), env.len() + 1);
        for ((k, v), e) in env.iter().zip(&c.init.env) {
            prop_assert_eq!(&e.name, k);
            prop_assert_eq!(e.value.as_deref(), Some(v.as_str()));
        }
        let expected: Vec<IdMap> = maps.iter().map(|(uid, c, h, n)| IdMap {
            kind: if *uid { IdKind::Uid } else { IdKind::Gid },
            container_start: *c, host_start: *h, count: *n,
        }).collect();
        prop_assert_eq!(&c.idmap, &expected);
        prop_assert_eq!(&c.init.groups, &groups);
    }

    /// The parser never panics and every diagnostic points inside the input.
    #[test]
    fn arbitrary_text_gives_located_diagnostics(text in "(lxc\\.[a-z.0-9]{0,12}[ =]{0,2}[ -~]{0,20}\n){0,8}") {
        let loaded = load(&text);
        for d in &loaded.diagnostics {
            if let Some(p) = &d.primary {
                prop_assert!(p.origin.end as usize <= loaded.sources.get(p.origin.source).text.len());
            }
        }
    }
}
