//! Writing files: what every writer (`upgrade --in-place`, `lint --fix`, `convert -o`,
//! `domxml-to-native -o`, `domxml-from-native --output-dir`) must keep and must refuse.

use crate::support::lxconf_in;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

/// A legacy config whose comments hold invalid UTF-8 (Latin-1 `é`, stray bytes).
const LEGACY: &[u8] =
    b"# caf\xe9 \xff\xfe\nlxc.utsname = web # \xe9t\xe9\nlxc.rootfs.path = dir:/srv/web\n";
/// `LEGACY` upgraded: only `lxc.utsname` changed.
const UPGRADED: &[u8] =
    b"# caf\xe9 \xff\xfe\nlxc.uts.name = web # \xe9t\xe9\nlxc.rootfs.path = dir:/srv/web\n";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn upgrade_replaces_a_planted_backup_symlink_instead_of_following_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("victim"), "precious\n").expect("write");
    std::fs::write(d.join("config"), LEGACY).expect("write");
    std::os::unix::fs::symlink(d.join("victim"), d.join("config.bak")).expect("symlink");
    let out = lxconf_in(d, &["upgrade", "--in-place", "config"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&d.join("victim")), b"precious\n");
    let bak = std::fs::symlink_metadata(d.join("config.bak")).expect("bak");
    assert!(bak.file_type().is_file(), "the link itself is replaced");
    assert_eq!(read(&d.join("config.bak")), LEGACY);
    assert_eq!(read(&d.join("config")), UPGRADED);
}

#[test]
fn in_place_writers_keep_invalid_utf8_they_did_not_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("up.conf"), LEGACY).expect("write");
    let out = lxconf_in(d, &["upgrade", "-i", "up.conf"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&d.join("up.conf")), UPGRADED);
    // To stdout too.
    std::fs::write(d.join("stdout.conf"), LEGACY).expect("write");
    let out = lxconf_in(d, &["upgrade", "stdout.conf"]);
    assert_eq!(out.stdout, UPGRADED);

    std::fs::write(d.join("fix.conf"), LEGACY).expect("write");
    let out = lxconf_in(d, &["lint", "--fix", "fix.conf"]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let fixed = read(&d.join("fix.conf"));
    assert!(fixed.starts_with(b"# caf\xe9 \xff\xfe\nlxc.uts.name = web # \xe9t\xe9\n"));

    let text = b"# \xff\nlxc.uts.name = a\nlxc.mount.fstab = fstab\n# after \xfe\n";
    std::fs::write(d.join("inline.conf"), text).expect("write");
    std::fs::write(d.join("fstab"), "proc proc proc defaults 0 0\n").expect("write");
    let args = [
        "convert",
        "--to",
        "lxc",
        "--inline-fstab",
        "--include-base",
        ".",
        "inline.conf",
    ];
    let out = lxconf_in(d, &[&args[..], &["-o", "out.conf"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = read(&d.join("out.conf"));
    assert!(
        written.starts_with(b"# \xff\nlxc.uts.name = a\n"),
        "{written:?}"
    );
    assert!(written.ends_with(b"# after \xfe\n"), "{written:?}");
}

#[test]
fn a_symlinked_config_is_written_through_to_its_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("real")).expect("mkdir");
    std::fs::write(d.join("real/config"), LEGACY).expect("write");
    std::os::unix::fs::symlink("real/config", d.join("config")).expect("symlink");
    let out = lxconf_in(d, &["upgrade", "-i", "config"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(d.join("config")).expect("link");
    assert!(link.file_type().is_symlink(), "still a link");
    assert_eq!(read(&d.join("real/config")), UPGRADED);
    assert_eq!(read(&d.join("real/config.bak")), LEGACY);
    assert!(stderr(&out).contains("real/config.bak"), "{}", stderr(&out));

    std::os::unix::fs::symlink("real/out.conf", d.join("out")).expect("symlink");
    std::fs::write(d.join("real/out.conf"), "old\n").expect("write");
    let out = lxconf_in(d, &["convert", "--to", "lxc", "real/config", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(d.join("out"))
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(String::from_utf8_lossy(&read(&d.join("real/out.conf"))).contains("lxc.uts.name"));
    // A link to nothing is not followed.
    std::os::unix::fs::symlink("nowhere/x", d.join("dangling")).expect("symlink");
    let out = lxconf_in(
        d,
        &["convert", "--to", "lxc", "real/config", "-o", "dangling"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`dangling`"), "{}", stderr(&out));
}

#[test]
fn hard_links_and_mode_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (name, args) in [
        ("up.conf", vec!["upgrade", "-i", "up.conf"]),
        ("fix.conf", vec!["lint", "--fix", "fix.conf"]),
        (
            "out.conf",
            vec!["convert", "--to", "lxc", "src.conf", "-o", "out.conf"],
        ),
    ] {
        std::fs::write(d.join("src.conf"), LEGACY).expect("write");
        std::fs::write(d.join(name), LEGACY).expect("write");
        std::fs::set_permissions(d.join(name), std::fs::Permissions::from_mode(0o640))
            .expect("chmod");
        let other = d.join(format!("{name}.link"));
        std::fs::hard_link(d.join(name), &other).expect("link");
        let ino = std::fs::metadata(d.join(name)).expect("stat").ino();
        let out = lxconf_in(d, &args);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{name}: {}",
            stderr(&out)
        );
        let meta = std::fs::metadata(d.join(name)).expect("stat");
        assert_eq!(
            (meta.ino(), meta.nlink()),
            (ino, 2),
            "{name}: same inode, links kept"
        );
        assert_eq!(meta.mode() & 0o7777, 0o640, "{name}");
        assert_ne!(
            read(&other),
            LEGACY,
            "{name}: the other link sees the new content"
        );
    }
    // A file with one link is replaced, keeping its mode.
    std::fs::write(d.join("single.conf"), LEGACY).expect("write");
    std::fs::set_permissions(
        d.join("single.conf"),
        std::fs::Permissions::from_mode(0o604),
    )
    .expect("chmod");
    let out = lxconf_in(d, &["upgrade", "-i", "single.conf"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["single.conf", "single.conf.bak"] {
        let mode = std::fs::metadata(d.join(f)).expect("stat").mode() & 0o7777;
        assert_eq!(mode, 0o604, "{f}");
    }
}

#[test]
fn outputs_that_are_not_regular_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("c.conf"), "lxc.uts.name = a\n").expect("write");
    let status = Command::new("mkfifo")
        .arg(d.join("fifo"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    std::fs::create_dir(d.join("dir")).expect("mkdir");
    // As root a regression would replace the device node: use a private one then.
    let root = std::fs::metadata(d).expect("stat").uid() == 0;
    let null = if root {
        let mut mknod = Command::new("mknod");
        mknod.arg(d.join("null")).args(["c", "1", "3"]);
        assert!(mknod.status().expect("mknod").success());
        "null"
    } else {
        "/dev/null"
    };
    for target in [null, "fifo", "dir"] {
        let out = lxconf_in(d, &["convert", "--to", "json", "c.conf", "-o", target]);
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
    let null = std::fs::metadata(d.join(null)).expect("stat");
    assert!(null.file_type().is_char_device());
    assert!(std::fs::symlink_metadata(d.join("fifo"))
        .expect("fifo")
        .file_type()
        .is_fifo());
    let out = lxconf_in(
        d,
        &["domxml-to-native", "lxc-tools", "x.xml", "-o", "/dev/null"],
    );
    assert_eq!(out.status.code(), Some(2));
    // `-` is stdout, not a file named `-`.
    let out = lxconf_in(d, &["convert", "--to", "lxc", "c.conf", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("lxc.uts.name = a"));
    assert!(!d.join("-").exists());
}

#[test]
fn a_domain_name_that_is_not_a_file_name_is_flagged_by_lint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let xml = "<domain type='lxc'><name>../x</name><memory>65536</memory><os><type>exe</type><init>/sbin/init</init></os></domain>\n";
    std::fs::write(d.join("d.xml"), xml).expect("write");
    let out = lxconf_in(d, &["lint", "--format", "json", "d.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"M035\""), "{text}");
}

/// The value of an extended attribute of a file.
fn xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let mut buf = vec![0; 256];
    let n = rustix::fs::getxattr(path, name, &mut buf[..]).ok()?;
    buf.truncate(n);
    Some(buf)
}

#[test]
#[ignore = "needs root"]
fn owner_group_mode_and_xattrs_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (name, args) in [
        ("up.conf", vec!["upgrade", "-i", "up.conf"]),
        ("fix.conf", vec!["lint", "--fix", "fix.conf"]),
        (
            "out.conf",
            vec!["convert", "--to", "lxc", "src.conf", "-o", "out.conf"],
        ),
    ] {
        std::fs::write(d.join("src.conf"), LEGACY).expect("write");
        let p = d.join(name);
        std::fs::write(&p, LEGACY).expect("write");
        std::os::unix::fs::chown(&p, Some(1234), Some(5678)).expect("chown");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o2640)).expect("chmod");
        let flags = rustix::fs::XattrFlags::empty();
        rustix::fs::setxattr(&p, "user.lxconf", b"kept", flags).expect("user xattr");
        rustix::fs::setxattr(&p, "trusted.lxconf", b"also", flags).expect("trusted xattr");
        rustix::fs::setxattr(&p, "security.lxconf", b"label", flags).expect("security xattr");
        let out = lxconf_in(d, &args);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{name}: {}",
            stderr(&out)
        );
        assert_ne!(read(&p), LEGACY, "{name} was rewritten");
        let meta = std::fs::metadata(&p).expect("stat");
        assert_eq!((meta.uid(), meta.gid()), (1234, 5678), "{name}");
        assert_eq!(meta.mode() & 0o7777, 0o2640, "{name}");
        assert_eq!(
            xattr(&p, "user.lxconf").as_deref(),
            Some(&b"kept"[..]),
            "{name}"
        );
        assert_eq!(
            xattr(&p, "trusted.lxconf").as_deref(),
            Some(&b"also"[..]),
            "{name}"
        );
        let label = xattr(&p, "security.lxconf");
        assert_eq!(label.as_deref(), Some(&b"label"[..]), "{name}");
    }
    let bak = std::fs::metadata(d.join("up.conf.bak")).expect("stat");
    assert_eq!(
        (bak.uid(), bak.gid(), bak.mode() & 0o7777),
        (1234, 5678, 0o2640)
    );
}

/// A small tmpfs mounted on a new directory, unmounted when dropped.
struct SmallFs(tempfile::TempDir);

impl SmallFs {
    fn new(size: &str) -> SmallFs {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "lxconf-test"])
            .arg(dir.path())
            .status()
            .expect("mount");
        assert!(status.success(), "mount tmpfs");
        SmallFs(dir)
    }

    /// Fill every free block with `filler`.
    fn fill(&self) {
        let mut f = std::fs::File::create(self.0.path().join("filler")).expect("filler");
        let block = vec![0u8; 4096];
        while std::io::Write::write_all(&mut f, &block).is_ok() {}
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
#[ignore = "needs root"]
fn a_full_disk_keeps_the_old_backup_and_the_config_and_names_the_file() {
    let fs = SmallFs::new("64k");
    let d = fs.0.path();
    // A config of exactly five pages: upgraded, it grows into a sixth.
    let mut config = b"lxc.utsname = web\n".to_vec();
    config.resize(20479, b'#');
    config.push(b'\n');
    std::fs::write(d.join("config"), &config).expect("write");
    std::fs::write(d.join("config.bak"), "good old backup\n").expect("write");
    fs.fill();
    // No room for the new backup: the old one stays whole.
    let out = lxconf_in(d, &["upgrade", "-i", "config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("config.bak`"), "{}", stderr(&out));
    assert_eq!(read(&d.join("config.bak")), b"good old backup\n");
    assert_eq!(read(&d.join("config")), config);
    // Room for the backup (five pages) but not for the upgraded file (six).
    std::fs::remove_file(d.join("filler")).expect("rm");
    std::fs::write(d.join("reserve"), vec![0u8; 20480]).expect("reserve");
    fs.fill();
    std::fs::remove_file(d.join("reserve")).expect("rm");
    let out = lxconf_in(d, &["upgrade", "-i", "config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("write `config`"), "{}", stderr(&out));
    assert_eq!(read(&d.join("config")), config);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".lxconf-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
#[ignore = "needs root"]
fn a_link_planted_by_another_user_is_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("victim"), "precious\n").expect("write");
    std::fs::write(d.join("c.conf"), "lxc.uts.name = web\n").expect("write");
    std::fs::create_dir(d.join("out")).expect("mkdir");
    std::os::unix::fs::symlink(d.join("victim"), d.join("out/web.xml")).expect("symlink");
    std::os::unix::fs::lchown(d.join("out/web.xml"), Some(1234), None).expect("lchown");
    let out = lxconf_in(
        d,
        &[
            "domxml-from-native",
            "lxc-tools",
            "--output-dir",
            "out",
            "c.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("owned by uid 1234"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&d.join("victim")), b"precious\n");
    // The same link owned by the directory's owner is followed.
    std::os::unix::fs::lchown(d.join("out/web.xml"), Some(0), None).expect("lchown");
    let out = lxconf_in(
        d,
        &[
            "domxml-from-native",
            "lxc-tools",
            "--output-dir",
            "out",
            "c.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&read(&d.join("victim"))).contains("<name>web</name>"));
}

#[test]
#[ignore = "needs root"]
fn a_failed_in_place_rewrite_puts_the_old_content_back() {
    let fs = SmallFs::new("64k");
    let d = fs.0.path();
    let env: String = (0..300)
        .map(|i| format!("lxc.environment = V{i}=x\n"))
        .collect();
    std::fs::write(d.join("big.conf"), env).expect("write");
    std::fs::write(d.join("linked"), "old content\n").expect("write");
    std::fs::hard_link(d.join("linked"), d.join("other")).expect("link");
    // Room for the copy of the old content (one page), not for the new content.
    std::fs::write(d.join("reserve"), vec![0u8; 4096]).expect("reserve");
    fs.fill();
    std::fs::remove_file(d.join("reserve")).expect("rm");
    let out = lxconf_in(d, &["convert", "--to", "json", "big.conf", "-o", "linked"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("rewrite in place `linked`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&d.join("other")), b"old content\n");
    assert_eq!(
        std::fs::metadata(d.join("linked")).expect("stat").nlink(),
        2
    );
}
