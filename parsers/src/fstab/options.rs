//! Mount options: split the typed ones (ro, bind, rbind, size, create, optional, relative)
//! from the ones passed on to the kernel.

use lxconf_model::{BindKind, ByteSize, CreateKind, Mount, SizeSpec};

/// A mount option that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    /// Byte range of the option inside the options string.
    pub range: std::ops::Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Why a tmpfs `size=` value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TmpfsSizeError {
    /// A `N%` whose `N` is not a number.
    #[error("`{value}` is not a percentage")]
    NotAPercentage {
        /// The value refused, `%` included.
        value: String,
    },
    /// A value that does not start with digits.
    #[error("`{value}` is not a size")]
    NotASize {
        /// The value refused.
        value: String,
    },
    /// A suffix the kernel does not know.
    #[error("`{suffix}` is not a tmpfs size suffix (use k, m, g, or %)")]
    NotASuffix {
        /// The text after the digits.
        suffix: String,
    },
    /// A size that overflows 64 bits once scaled by its suffix.
    #[error("`{value}` is too large")]
    TooLarge {
        /// The value refused.
        value: String,
    },
}

/// Parse a tmpfs `size=` value the way the kernel does: digits, an optional binary suffix
/// (k, m, g, t, p, e in either case), or a percentage of RAM.
pub fn parse_tmpfs_size(value: &str) -> Result<SizeSpec, TmpfsSizeError> {
    if let Some(p) = value.strip_suffix('%') {
        return p
            .parse()
            .map(SizeSpec::Percent)
            .map_err(|_| TmpfsSizeError::NotAPercentage {
                value: value.into(),
            });
    }
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let number: u64 = value[..digits]
        .parse()
        .map_err(|_| TmpfsSizeError::NotASize {
            value: value.into(),
        })?;
    let factor: u64 = match &value[digits..] {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        "t" | "T" => 1 << 40,
        "p" | "P" => 1 << 50,
        "e" | "E" => 1 << 60,
        other => {
            return Err(TmpfsSizeError::NotASuffix {
                suffix: other.into(),
            })
        }
    };
    number
        .checked_mul(factor)
        .map(|b| SizeSpec::Bytes(ByteSize(b)))
        .ok_or_else(|| TmpfsSizeError::TooLarge {
            value: value.into(),
        })
}

/// Build a [`Mount`] from the four main fstab fields.
pub fn mount_from_fields(
    source: String,
    target: String,
    fstype: String,
    options: &str,
    dump: u32,
    pass: u32,
) -> (Mount, Vec<OptionError>) {
    let is_tmpfs = fstype == "tmpfs";
    let mut mount = Mount {
        source,
        target,
        fstype,
        options: Vec::new(),
        readonly: false,
        bind: BindKind::None,
        size: None,
        optional: false,
        create: None,
        relative: false,
        dump,
        pass,
    };
    let mut errors = Vec::new();
    let mut at = 0usize;
    for opt in options.split(',') {
        let range = at..at + opt.len();
        at += opt.len() + 1;
        match opt {
            "" | "defaults" => {}
            "ro" => mount.readonly = true,
            "rw" => mount.readonly = false,
            "bind" => mount.bind = BindKind::Bind,
            "rbind" => mount.bind = BindKind::Rbind,
            "optional" => mount.optional = true,
            "relative" => mount.relative = true,
            "create=dir" => mount.create = Some(CreateKind::Dir),
            "create=file" => mount.create = Some(CreateKind::File),
            _ if opt.starts_with("create=") => errors.push(OptionError {
                range,
                message: format!("`{opt}` is not a create option"),
                help: "use `create=dir` or `create=file`".into(),
            }),
            _ if opt.starts_with("size=") && is_tmpfs => {
                match parse_tmpfs_size(&opt[5..]) {
                    // The first size= wins, as in libvirt; the kernel takes the last one,
                    // so a second one is kept as a plain option and linted.
                    Ok(size) if mount.size.is_none() => mount.size = Some(size),
                    Ok(_) => mount.options.push(opt.to_string()),
                    Err(e) => errors.push(OptionError {
                        range,
                        message: e.to_string(),
                        help: "write the size as bytes with an optional k, m or g suffix, e.g. `size=64m`".into(),
                    }),
                }
            }
            _ => mount.options.push(opt.to_string()),
        }
    }
    (mount, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_options_are_split_out() {
        let (m, errors) = mount_from_fields(
            "tmpfs".into(),
            "/run".into(),
            "tmpfs".into(),
            "size=64m,mode=0755,ro,create=dir,optional",
            0,
            0,
        );
        assert!(errors.is_empty());
        assert_eq!(m.size, Some(SizeSpec::Bytes(ByteSize(64 << 20))));
        assert!(m.readonly && m.optional);
        assert_eq!(m.create, Some(CreateKind::Dir));
        assert_eq!(m.options, vec!["mode=0755"]);
    }

    #[test]
    fn bad_create_and_size_are_reported_with_their_range() {
        let (_, errors) = mount_from_fields(
            "t".into(),
            "/t".into(),
            "tmpfs".into(),
            "rw,create=sock,size=1x",
            0,
            0,
        );
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].range, 3..14);
        assert_eq!(errors[1].range, 15..22);
    }

    #[test]
    fn percent_sizes_are_kept_relative() {
        assert_eq!(parse_tmpfs_size("50%"), Ok(SizeSpec::Percent(50)));
        assert_eq!(
            parse_tmpfs_size("1G"),
            Ok(SizeSpec::Bytes(ByteSize(1 << 30)))
        );
        assert!(parse_tmpfs_size("1.5G").is_err());
    }

    /// The messages are the texts of diagnostics and their snapshots: they must not drift.
    #[test]
    fn size_errors_read_as_before() {
        let message = |value: &str| parse_tmpfs_size(value).unwrap_err().to_string();
        assert_eq!(message("x%"), "`x%` is not a percentage");
        assert_eq!(message("m"), "`m` is not a size");
        assert_eq!(
            message("1x"),
            "`x` is not a tmpfs size suffix (use k, m, g, or %)"
        );
        assert_eq!(message("99999e"), "`99999e` is too large");
    }
}
