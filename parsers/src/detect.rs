//! Format detection from content.

/// Input formats lxconf reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An LXC config (`lxc.container.conf(5)`).
    Lxc,
    /// An fstab file.
    Fstab,
    /// libvirt domain XML.
    DomXml,
    /// An lxconf model document (JSON).
    ModelJson,
    /// An lxconf model document (YAML, as `lxconf convert --to yaml` writes it).
    ModelYaml,
    /// An LXD/Incus instance or profile YAML (`lxc config show`, `lxc profile show`).
    Lxd,
}

impl Format {
    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Lxc => "lxc",
            Format::Fstab => "fstab",
            Format::DomXml => "domxml",
            Format::ModelJson => "json",
            Format::ModelYaml => "yaml",
            Format::Lxd => "lxd",
        }
    }
}

/// Guess the format of a text: XML starts with `<`, a model document with `{` (JSON) or
/// `---`/a `field:` line (YAML), an LXC config has `lxc.` keys, and anything else with 4-6
/// field lines is an fstab.
pub fn detect(text: &str) -> Format {
    let mut lxc_lines = 0usize;
    let mut fstab_lines = 0usize;
    for line in text.lines().take(500) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('<') {
            return Format::DomXml;
        }
        if t.starts_with('{') {
            return Format::ModelJson;
        }
        // A YAML mapping key at the start of a line (`name: web`, `init:`); no LXC key or
        // fstab line looks like that.
        let yaml_key = line.split_once(':').is_some_and(|(k, rest)| {
            !k.is_empty()
                && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && (rest.is_empty() || rest.starts_with(' '))
        });
        if t.starts_with("---") || (lxc_lines == 0 && fstab_lines == 0 && yaml_key) {
            return if crate::lxd::looks_like_lxd(text) {
                Format::Lxd
            } else {
                Format::ModelYaml
            };
        }
        if t.starts_with("lxc.") {
            lxc_lines += 1;
        } else {
            let n = t.split_whitespace().count();
            if (4..=6).contains(&n) && !t.contains('=') {
                fstab_lines += 1;
            }
        }
    }
    if fstab_lines > lxc_lines {
        Format::Fstab
    } else {
        Format::Lxc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        assert_eq!(detect("# c\nlxc.uts.name = a\n"), Format::Lxc);
        assert_eq!(detect("proc /proc proc defaults 0 0\n"), Format::Fstab);
        assert_eq!(detect("<domain type='lxc'>\n"), Format::DomXml);
        assert_eq!(detect("  {\"name\": 1}"), Format::ModelJson);
        assert_eq!(
            detect("name: web\ninit:\n  command: []\n"),
            Format::ModelYaml
        );
        assert_eq!(detect("---\nname: web\n"), Format::ModelYaml);
        assert_eq!(detect("lxc.uts.name = a\n"), Format::Lxc);
        assert_eq!(detect(""), Format::Lxc);
        assert_eq!(
            detect("architecture: x86_64\nconfig:\n  security.privileged: \"true\"\n"),
            Format::Lxd
        );
        assert_eq!(
            detect("config: {}\ndescription: x\ndevices: {}\nname: p\nused_by: []\n"),
            Format::Lxd
        );
        assert_eq!(detect("---\nconfig:\n  limits.cpu: \"2\"\n"), Format::Lxd);
        assert_eq!(
            detect("name: web\nhostname: web\nconsole:\n  enabled: true\n"),
            Format::ModelYaml
        );
    }
}
