//! Rule levels: defaults from the code table (the legacy-key rules follow the oldest LXC the
//! configs must load on, `lxc-version`), then `lxconf.toml` (`[rules]`, then the
//! `[[overrides]]` whose globs match the file), then `--allow/--warn/--deny`.
//!
//! ```toml
//! # lxconf.toml
//! exclude = ["vendor/**"]
//! lxc-version = "2.0"   # old hosts: legacy keys are warnings, not errors
//!
//! [rules]
//! privileged-container = "allow"
//! L021 = "error"
//!
//! [[overrides]]
//! files = ["legacy/**"]
//! rules = { legacy-key = "allow" }
//! ```

use super::Level;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use lxconf_model::Code;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The name of the project file.
pub const CONFIG_FILE: &str = "lxconf.toml";

/// A problem with the settings: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The project file cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The project file is not valid.
    #[error("`{path}`: {message}")]
    Invalid {
        /// Path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A rule given on the command line does not exist.
    #[error("unknown rule `{0}` (give a code such as M003 or a name such as idmap-overlap)")]
    UnknownRule(String),
    /// `--lxc-version` is not a version.
    #[error("--lxc-version: {0}")]
    LxcVersion(#[from] LxcVersionError),
}

/// A text that is not an LXC version.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an LXC version (write MAJOR.MINOR, such as 2.0 or 5.0)")]
pub struct LxcVersionError(String);

/// The oldest LXC release the configs must load on (`lxc-version`, `--lxc-version`).
///
/// liblxc 3.0 removed the 1.x/2.x key names: from 3.0 on a file with one of them is refused
/// whole ("Unsupported config key"), so the legacy-key rules are errors; for a 2.x host they
/// are the deprecations they were then, warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LxcVersion {
    /// Major release.
    pub major: u32,
    /// Minor release.
    pub minor: u32,
}

impl Default for LxcVersion {
    /// LXC 3.0: every supported release refuses legacy keys (2.0 is out of support).
    fn default() -> Self {
        LxcVersion { major: 3, minor: 0 }
    }
}

impl std::str::FromStr for LxcVersion {
    type Err = LxcVersionError;

    /// `MAJOR`, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` (the patch level changes no key);
    /// LXC 1.0 was the first release with this config format.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || LxcVersionError(text.to_string());
        let mut parts = text.trim().split('.');
        let mut number = |required: bool| -> Result<u32, LxcVersionError> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map_err(|_| invalid())
                }
                None if !required => Ok(0),
                _ => Err(invalid()),
            }
        };
        let major = number(true)?;
        let minor = number(false)?;
        number(false)?;
        if parts.next().is_some() || major == 0 {
            return Err(invalid());
        }
        Ok(LxcVersion { major, minor })
    }
}

impl LxcVersion {
    /// True for releases that still read the 1.x/2.x key names (before 3.0).
    pub fn reads_legacy_keys(self) -> bool {
        self.major < 3
    }
}

/// The rules about 1.x/2.x key names that liblxc 3.0 and later refuse: a legacy key, a
/// legacy network key before any legacy `type` line, a key removed without replacement.
/// The code table gives them as warnings, since lxconf reads and converts such files; lint
/// judges whether a host loads them, which `lxc-version` decides.
pub const LEGACY_KEY_RULES: [Code; 3] = [Code::L002, Code::L012, Code::L015];

/// The level lint gives a rule when nothing configures it, for configs that must load on
/// `version`.
pub fn default_level(code: Code, version: LxcVersion) -> Level {
    if LEGACY_KEY_RULES.contains(&code) {
        if version.reads_legacy_keys() {
            Level::Warning
        } else {
            Level::Error
        }
    } else {
        Level::of(code.info().severity)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    overrides: Vec<Override>,
    #[serde(default, rename = "lxc-version")]
    lxc_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Override {
    files: Vec<String>,
    rules: BTreeMap<String, String>,
}

/// Resolved rule levels.
#[derive(Debug, Default)]
pub struct Settings {
    /// Directory of the project file (globs are relative to it).
    root: Option<PathBuf>,
    exclude: Option<GlobSet>,
    rules: HashMap<Code, Level>,
    overrides: Vec<(GlobSet, HashMap<Code, Level>)>,
    cli: HashMap<Code, Level>,
    /// The oldest LXC the configs must load on.
    pub lxc_version: LxcVersion,
    /// The project file used, if any.
    pub config_path: Option<PathBuf>,
}

fn levels(
    path: &str,
    table: &BTreeMap<String, String>,
) -> Result<HashMap<Code, Level>, SettingsError> {
    let invalid = |message: String| SettingsError::Invalid {
        path: path.to_string(),
        message,
    };
    table
        .iter()
        .map(|(rule, level)| {
            let code =
                Code::parse(rule).ok_or_else(|| invalid(format!("unknown rule `{rule}`")))?;
            let level = Level::parse(level).ok_or_else(|| {
                invalid(format!(
                    "`{level}` is not a level for `{rule}` (allow, note, warn, error)"
                ))
            })?;
            Ok((code, level))
        })
        .collect()
}

fn globs(path: &str, patterns: &[String]) -> Result<GlobSet, SettingsError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p)
            .literal_separator(p.contains('/'))
            .build()
            .map_err(|e| SettingsError::Invalid {
                path: path.to_string(),
                message: format!("bad glob `{p}`: {e}"),
            })?;
        b.add(glob);
    }
    b.build().map_err(|e| SettingsError::Invalid {
        path: path.to_string(),
        message: e.to_string(),
    })
}

impl Settings {
    /// Read a project file: a regular file of at most 16 MiB, since a repository in CI
    /// can plant a FIFO or a link to `/dev/zero` as its `lxconf.toml`.
    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let name = path.display().to_string();
        let text = lxconf_parse::limits::read_regular(path)
            .map(lxconf_parse::limits::decode)
            .map_err(|source| SettingsError::Read {
                path: name.clone(),
                source,
            })?;
        Settings::from_toml(&name, &text, path.parent().map(Path::to_path_buf))
    }

    /// Parse a project file's text; `root` is the directory globs are relative to.
    pub fn from_toml(
        name: &str,
        text: &str,
        root: Option<PathBuf>,
    ) -> Result<Settings, SettingsError> {
        let file: File = toml::from_str(text).map_err(|e| SettingsError::Invalid {
            path: name.to_string(),
            message: e.message().to_string(),
        })?;
        let lxc_version = match &file.lxc_version {
            Some(v) => v
                .parse()
                .map_err(|e: LxcVersionError| SettingsError::Invalid {
                    path: name.to_string(),
                    message: format!("lxc-version: {e}"),
                })?,
            None => LxcVersion::default(),
        };
        let mut overrides = Vec::new();
        for o in &file.overrides {
            overrides.push((globs(name, &o.files)?, levels(name, &o.rules)?));
        }
        Ok(Settings {
            root,
            exclude: if file.exclude.is_empty() {
                None
            } else {
                Some(globs(name, &file.exclude)?)
            },
            rules: levels(name, &file.rules)?,
            overrides,
            cli: HashMap::new(),
            lxc_version,
            config_path: Some(PathBuf::from(name)),
        })
    }

    /// Find `lxconf.toml` in `dir` or its ancestors.
    pub fn discover(dir: &Path) -> Result<Settings, SettingsError> {
        for d in dir.ancestors() {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return Settings::from_file(&candidate);
            }
        }
        Ok(Settings::default())
    }

    /// Apply `--allow`, `--warn` and `--deny` (in that order, so `--deny` wins).
    pub fn with_cli(
        mut self,
        allow: &[String],
        warn: &[String],
        deny: &[String],
    ) -> Result<Settings, SettingsError> {
        for (list, level) in [
            (allow, Level::Allow),
            (warn, Level::Warning),
            (deny, Level::Error),
        ] {
            for rule in list {
                for part in rule.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if part == "all" {
                        for code in Code::ALL {
                            self.cli.insert(*code, level);
                        }
                        continue;
                    }
                    let code = Code::parse(part)
                        .ok_or_else(|| SettingsError::UnknownRule(part.to_string()))?;
                    self.cli.insert(code, level);
                }
            }
        }
        Ok(self)
    }

    /// Apply `--lxc-version`, which wins over the project file's `lxc-version`.
    pub fn with_lxc_version(mut self, version: Option<&str>) -> Result<Settings, SettingsError> {
        if let Some(v) = version {
            self.lxc_version = v.parse()?;
        }
        Ok(self)
    }

    fn relative<'p>(&self, path: &'p Path) -> std::borrow::Cow<'p, Path> {
        let Some(root) = &self.root else {
            return path.into();
        };
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(path)
        };
        let root = if root.as_os_str().is_empty() {
            std::env::current_dir().unwrap_or_default()
        } else if root.is_absolute() {
            root.clone()
        } else {
            std::env::current_dir().unwrap_or_default().join(root)
        };
        match absolute.strip_prefix(&root) {
            Ok(r) => r.to_path_buf().into(),
            Err(_) => path.into(),
        }
    }

    fn matches(set: &GlobSet, path: &Path) -> bool {
        set.is_match(path) || path.file_name().is_some_and(|n| set.is_match(Path::new(n)))
    }

    /// True when the project file excludes this path from directory walks.
    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|set| Settings::matches(set, &self.relative(path)))
    }

    /// The level configured for `code` in `path`, or `None` to keep the finding's own
    /// severity (the code's default, or what the rule chose). The legacy-key rules always
    /// get a level: the one `lxc-version` gives them unless a rule level is configured.
    pub fn level(&self, path: &Path, code: Code) -> Option<Level> {
        if let Some(l) = self.cli.get(&code) {
            return Some(*l);
        }
        let rel = self.relative(path);
        let mut level = self.rules.get(&code).copied();
        for (set, rules) in &self.overrides {
            if let Some(l) = rules.get(&code) {
                if Settings::matches(set, &rel) {
                    level = Some(*l);
                }
            }
        }
        level.or_else(|| {
            LEGACY_KEY_RULES
                .contains(&code)
                .then(|| default_level(code, self.lxc_version))
        })
    }

    /// True when the rule runs at all somewhere (used to skip nothing today; kept cheap).
    pub fn is_configured(&self) -> bool {
        !self.rules.is_empty() || !self.overrides.is_empty() || !self.cli.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_by_glob_and_cli_wins() {
        let s = Settings::from_toml(
            "lxconf.toml",
            "[rules]\nprivileged-container = \"allow\"\n[[overrides]]\nfiles = [\"legacy/**\"]\nrules = { L002 = \"allow\", M006 = \"error\" }\n",
            None,
        )
        .expect("valid");
        assert_eq!(s.level(Path::new("a.conf"), Code::M006), Some(Level::Allow));
        assert_eq!(
            s.level(Path::new("legacy/x/a.conf"), Code::M006),
            Some(Level::Error)
        );
        assert_eq!(
            s.level(Path::new("legacy/a.conf"), Code::L002),
            Some(Level::Allow)
        );
        assert_eq!(s.level(Path::new("a.conf"), Code::L002), Some(Level::Error));
        let s = s.with_cli(&[], &[], &["legacy-key".into()]).expect("known");
        assert_eq!(
            s.level(Path::new("legacy/a.conf"), Code::L002),
            Some(Level::Error)
        );
    }

    #[test]
    fn legacy_keys_are_errors_unless_the_configs_are_for_lxc_2() {
        let modern = Settings::default();
        let old =
            Settings::from_toml("lxconf.toml", "lxc-version = \"2.0\"\n", None).expect("valid");
        for code in LEGACY_KEY_RULES {
            assert_eq!(modern.level(Path::new("a.conf"), code), Some(Level::Error));
            assert_eq!(old.level(Path::new("a.conf"), code), Some(Level::Warning));
        }
        // Other rules keep the finding's own severity.
        assert_eq!(old.level(Path::new("a.conf"), Code::L019), None);
        // The command line wins over the project file, both ways.
        let up = old.with_lxc_version(Some("5.0.2")).expect("version");
        assert_eq!(
            up.level(Path::new("a.conf"), Code::L002),
            Some(Level::Error)
        );
        let down = Settings::default()
            .with_lxc_version(Some("2.1"))
            .expect("version");
        assert_eq!(
            down.level(Path::new("a.conf"), Code::L015),
            Some(Level::Warning)
        );
        // An explicit level wins over the version's default.
        let s = Settings::from_toml("x", "[rules]\nlegacy-key = \"allow\"\n", None)
            .expect("valid")
            .with_cli(&[], &["L012".into()], &[])
            .expect("known");
        assert_eq!(s.level(Path::new("a.conf"), Code::L002), Some(Level::Allow));
        assert_eq!(
            s.level(Path::new("a.conf"), Code::L012),
            Some(Level::Warning)
        );
        assert_eq!(s.level(Path::new("a.conf"), Code::L015), Some(Level::Error));
    }

    #[test]
    fn lxc_versions_parse_and_bad_ones_are_usage_errors() {
        let v = |t: &str| t.parse::<LxcVersion>().ok();
        assert_eq!(v("2.0"), Some(LxcVersion { major: 2, minor: 0 }));
        assert_eq!(v("5"), Some(LxcVersion { major: 5, minor: 0 }));
        assert_eq!(v("6.0.4"), Some(LxcVersion { major: 6, minor: 0 }));
        assert!(v("2.0").is_some_and(LxcVersion::reads_legacy_keys));
        assert!(!LxcVersion::default().reads_legacy_keys());
        for bad in [
            "",
            "two",
            "2.x",
            "0.9",
            "2.0.1.1",
            "-2",
            "2..0",
            "99999999999",
        ] {
            assert_eq!(v(bad), None, "{bad}");
        }
        let e = Settings::default()
            .with_lxc_version(Some("latest"))
            .expect_err("not a version");
        assert_eq!(
            e.to_string(),
            "--lxc-version: `latest` is not an LXC version (write MAJOR.MINOR, such as 2.0 or 5.0)"
        );
        let e = Settings::from_toml("lxconf.toml", "lxc-version = \"3.0-rc1\"\n", None)
            .expect_err("not a version");
        assert!(
            e.to_string()
                .contains("lxc-version: `3.0-rc1` is not an LXC version"),
            "{e}"
        );
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(Settings::from_toml("x", "[rules]\nnope = \"allow\"\n", None).is_err());
        assert!(Settings::from_toml("x", "[rules]\nL001 = \"loud\"\n", None).is_err());
        assert!(Settings::from_toml("x", "bogus = 1\n", None).is_err());
        assert!(Settings::default()
            .with_cli(&["nope".into()], &[], &[])
            .is_err());
    }
}
