//! Real-world LXC configs (`corpus/real-world/`, sources in its SOURCES.md): configs and
//! include fragments written by people outside this project. `domxml-from-native` in its
//! default mode must convert at least 95% of them, each to XML libvirt's schema accepts;
//! the rates in default and `--strict` mode are printed. Also the `--strict` rule: a loss
//! fails it only when the user wrote the lost setting.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const RNG: &str = "/usr/share/libvirt/schemas/domain.rng";
const DIR: &str = "corpus/real-world";

/// The share of real configs the default mode must convert (issue 14).
const MIN_CONVERTED: f64 = 0.95;
/// `--strict` passed none of them before it was limited to what the config wrote; 34.1% now.
const MIN_STRICT: f64 = 0.30;

/// The arguments that convert `file`: a fragment without a container name gets `--name`,
/// as a user converting an include fragment would pass it.
fn convert_args(file: &str) -> Vec<String> {
    let loaded = load_lxc(file, &root().join(DIR));
    let mut args = vec!["domxml-from-native".to_string(), "lxc-tools".to_string()];
    if loaded.document.container.hostname.is_none() {
        args.extend(["--name".to_string(), "real-world".to_string()]);
    }
    args.extend(["--format".to_string(), "json".to_string()]);
    args
}

/// The XML of a JSON conversion report, when the conversion succeeded.
fn converted_xml(stdout: &[u8]) -> Option<String> {
    let line = String::from_utf8_lossy(stdout);
    let record: serde_json::Value = serde_json::from_str(line.lines().next()?).ok()?;
    record["xml"].as_str().map(str::to_string)
}

/// The files among `paths` that xmllint does not validate against libvirt's schema.
pub fn schema_invalid(paths: &[PathBuf]) -> Vec<String> {
    assert!(
        Path::new(RNG).exists(),
        "libvirt's schema is missing: run ./scripts/test-all.sh (it installs libvirt)"
    );
    let mut invalid = Vec::new();
    for chunk in paths.chunks(200) {
        let out = Command::new("xmllint")
            .args(["--noout", "--relaxng", RNG])
            .args(chunk)
            .output()
            .expect("xmllint (libxml2-utils) must be installed: run ./scripts/test-all.sh");
        let report = String::from_utf8_lossy(&out.stderr);
        invalid.extend(
            report
                .lines()
                .filter(|l| l.ends_with("fails to validate"))
                .map(str::to_string),
        );
    }
    invalid
}

#[test]
fn real_world_configs_convert_to_schema_valid_xml() {
    let files = corpus_files(DIR, "conf");
    assert!(files.len() >= 150, "{} real configs", files.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut converted = Vec::new();
    let mut failed = Vec::new();
    let mut strict_passed = 0usize;
    for (i, file) in files.iter().enumerate() {
        let mut args = convert_args(file);
        args.extend(["--include-base".to_string(), DIR.to_string(), file.clone()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = lxconf(&argv);
        match converted_xml(&out.stdout).filter(|_| out.status.success()) {
            Some(xml) => {
                let path = dir.path().join(format!("{i}.xml"));
                std::fs::write(&path, xml).expect("write");
                converted.push(path);
            }
            None => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                failed.push(format!("{file}: {}", stderr.trim()));
            }
        }
        let mut strict = argv.clone();
        strict.insert(2, "--strict");
        if lxconf(&strict).status.success() {
            strict_passed += 1;
        }
    }
    let total = files.len() as f64;
    let rate = converted.len() as f64 / total;
    let strict_rate = strict_passed as f64 / total;
    println!(
        "real-world configs: {} of {} convert in default mode ({:.1}%), {strict_passed} pass --strict ({:.1}%)",
        converted.len(),
        files.len(),
        rate * 100.0,
        strict_rate * 100.0
    );
    for f in &failed {
        println!("not converted: {f}");
    }
    let invalid = schema_invalid(&converted);
    assert!(invalid.is_empty(), "schema-invalid output: {invalid:#?}");
    assert!(
        rate >= MIN_CONVERTED,
        "only {:.1}% convert: {failed:#?}",
        rate * 100.0
    );
    assert!(
        strict_rate >= MIN_STRICT,
        "only {:.1}% pass --strict",
        strict_rate * 100.0
    );
}

fn virsh(args: &[&str]) -> std::process::Output {
    Command::new("virsh")
        .args(["-q", "-c", "lxc:///system"])
        .args(args)
        .output()
        .expect("virsh (libvirt-clients) must be installed: run ./scripts/test-all.sh")
}

/// libvirt's own formatting of `xml`: the domain is defined under `name` (which replaces its
/// first `<name>`), dumped with `dumpxml --inactive` and undefined. Returns the XML as
/// defined and libvirt's dump, or libvirt's refusal.
pub fn libvirt_formatting(xml: &str, name: &str) -> Result<(String, String), String> {
    let start = xml.find("<name>").ok_or("no <name>")?;
    let end = start + xml[start..].find("</name>").ok_or("no </name>")?;
    let renamed = format!("{}<name>{name}{}", &xml[..start], &xml[end..]);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("domain.xml");
    std::fs::write(&path, &renamed).map_err(|e| e.to_string())?;
    let defined = virsh(&["define", path.to_str().unwrap_or_default()]);
    if !defined.status.success() {
        return Err(String::from_utf8_lossy(&defined.stderr).into_owned());
    }
    let dump = virsh(&["dumpxml", "--inactive", name]);
    let undefined = virsh(&["undefine", name]);
    assert!(undefined.status.success(), "virsh undefine {name}");
    Ok((renamed, String::from_utf8_lossy(&dump.stdout).into_owned()))
}

/// `libvirt`'s dump without the `<mac address>` lines it generated for interfaces that had
/// none in `written` (a random MAC each time).
pub fn without_generated_macs(libvirt: &str, written: &str) -> String {
    if written.contains("<mac address") {
        return libvirt.to_string();
    }
    libvirt
        .lines()
        .filter(|l| !l.trim_start().starts_with("<mac address="))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn libvirt_defines_every_real_world_conversion_as_written() {
    // libvirt as the judge: every converted config is accepted by `virsh define`, and
    // libvirt's own formatting of it is byte for byte what lxconf wrote.
    ensure_libvirtd();
    let mut problems = Vec::new();
    let mut defined = 0;
    for file in corpus_files(DIR, "conf") {
        let mut args = convert_args(&file);
        args.extend(["--include-base".to_string(), DIR.to_string(), file.clone()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = lxconf(&argv);
        let Some(xml) = converted_xml(&out.stdout).filter(|_| out.status.success()) else {
            continue;
        };
        match libvirt_formatting(&xml, "examples-real-world") {
            Ok((written, libvirt)) => {
                defined += 1;
                if without_generated_macs(&libvirt, &written) != written {
                    problems.push(format!(
                        "{file}: libvirt formats it differently:\n{libvirt}"
                    ));
                }
            }
            Err(e) => problems.push(format!("{file}: libvirt refuses it: {e}")),
        }
    }
    println!("real-world conversions libvirt defines as written: {defined}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn real_world_lxc_output_loads_in_liblxc() {
    // The LXC direction: each config lxconf reads, written back as an LXC config (modern
    // keys, includes as lxconf writes them), is loaded by liblxc.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut written = Vec::new();
    for (i, file) in corpus_files(DIR, "conf").iter().enumerate() {
        let out = lxconf(&["convert", "--to", "lxc", "--include-base", DIR, file]);
        if out.status.success() {
            let path = dir.path().join(format!("{i}.conf"));
            std::fs::write(&path, &out.stdout).expect("write");
            written.push(path);
        }
    }
    println!("real-world configs written back as LXC: {}", written.len());
    let refused = crate::examples::liblxc_refuses(&written);
    assert!(refused.is_empty(), "{refused:#?}");
}

/// A config in `dir` named `name` with `text`.
fn config(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf8").to_string()
}

/// The domain XML conversion of `file` with `extra` arguments: exit code and stderr.
fn from_native(file: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["domxml-from-native", "lxc-tools"];
    args.extend(extra);
    args.push(file);
    let out = lxconf(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn strict_passes_when_only_lxcs_shared_configuration_is_lost() {
    // The device rules, hooks and seccomp profile of /usr/share/lxc/config/common.conf are
    // LXC's defaults, not the user's: libvirt replaces them with its own.
    let shared = "/usr/share/lxc/config/common.conf";
    assert!(
        Path::new(shared).exists(),
        "{shared} is missing: install the lxc package (./scripts/test-all.sh does)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = config(
        dir.path(),
        "web.conf",
        &format!("lxc.include = {shared}\nlxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\n"),
    );
    let (code, stderr) = from_native(&file, &["--strict"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("C301"),
        "the losses are still reported: {stderr}"
    );
    // The same setting written by the user fails.
    let file = config(
        dir.path(),
        "own.conf",
        &format!("lxc.include = {shared}\nlxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\nlxc.seccomp.profile = /srv/web.seccomp\n"),
    );
    let (code, stderr) = from_native(&file, &["--strict"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("1 setting(s) cannot be converted"),
        "{stderr}"
    );
}

#[test]
fn strict_ignores_what_libvirt_adds() {
    // No memory limit (libvirt's <memory> is a C201 warning) and a tmpfs left to the
    // kernel's default size: nothing the user wrote is lost.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = config(
        dir.path(),
        "shm.conf",
        "lxc.uts.name = shm\nlxc.rootfs.path = dir:/srv/shm\nlxc.mount.entry = tmpfs dev/shm tmpfs defaults,create=dir 0 0\n",
    );
    let (code, stderr) = from_native(&file, &["--strict"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("C201") && stderr.contains("C202"),
        "{stderr}"
    );
    // A lost setting of the user's own still fails, in every command.
    let file = config(
        dir.path(),
        "hook.conf",
        "lxc.uts.name = hook\nlxc.rootfs.path = dir:/srv/hook\nlxc.hook.pre-start = /bin/true\n",
    );
    let (code, _) = from_native(&file, &["--strict"]);
    assert_eq!(code, Some(1));
    let out = lxconf(&["convert", "--to", "domxml", "--strict", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn strict_domxml_to_lxc_fails_only_on_what_the_domain_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = config(
        dir.path(),
        "plain.xml",
        "<domain type='lxc'>\n  <name>plain</name>\n  <memory unit='KiB'>524288</memory>\n  <os>\n    <type>exe</type>\n    <init>/sbin/init</init>\n  </os>\n  <devices>\n    <console type='pty'/>\n  </devices>\n</domain>\n",
    );
    let out = lxconf(&["domxml-to-native", "lxc-tools", "--strict", &plain]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lossy = config(
        dir.path(),
        "lossy.xml",
        "<domain type='lxc'>\n  <name>lossy</name>\n  <title>The web server</title>\n  <memory unit='KiB'>524288</memory>\n  <os>\n    <type>exe</type>\n    <init>/sbin/init</init>\n  </os>\n  <devices>\n    <console type='pty'/>\n  </devices>\n</domain>\n",
    );
    let out = lxconf(&["domxml-to-native", "lxc-tools", "--strict", &lossy]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("C101"), "{stderr}");
}

#[test]
fn a_tmpfs_without_size_converts_with_a_warning() {
    // 14 real configs failed on /dev/shm or /run alone.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = config(
        dir.path(),
        "run.conf",
        "lxc.uts.name = run\nlxc.rootfs.path = dir:/srv/run\nlxc.mount.entry = tmpfs run tmpfs defaults 0 0\n",
    );
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--memory",
        "1G",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<(&str, &str)> = record["losses"]
        .as_array()
        .expect("losses")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default(),
                d["severity"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(codes.contains(&("C202", "warning")), "{codes:?}");
    // --memory chose the memory: that is still reported.
    assert!(codes.contains(&("C201", "warning")), "{codes:?}");
    assert!(record["xml"]
        .as_str()
        .is_some_and(|x| x.contains("<filesystem type='ram'")));
}
