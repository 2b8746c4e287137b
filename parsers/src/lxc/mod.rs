//! The LXC config format: syntax (nom), value grammars and lowering. The key table is the
//! model crate's [`lxconf_model::lxc_key`], re-exported here as `keys`.

pub mod entries;
pub mod inline;
pub mod lower;
pub mod syntax;
pub mod upgrade;
pub mod values;

pub use lower::{load, LoadOptions, Loaded};
pub use lxconf_model::lxc_key as keys;

use std::path::{Component, Path};

/// The directories of LXC's shared configuration (`LXCTEMPLATECONFIG`, for a distribution's
/// package and for a build from source): the defaults a config pulls in with `lxc.include`
/// (`common.conf`, `ubuntu.common.conf`, `common.conf.d/`...). They come with LXC, not from
/// the user.
pub const SYSTEM_CONFIG_DIRS: [&str; 2] = ["/usr/share/lxc/config", "/usr/local/share/lxc/config"];

/// True for a file in LXC's shared configuration (compared by path components, so
/// `/usr/share/lxc/config-mine/x.conf` is not one, nor a path that climbs out with `..`).
pub fn is_system_config(path: &str) -> bool {
    let path = Path::new(path);
    !path.components().any(|c| c == Component::ParentDir)
        && SYSTEM_CONFIG_DIRS.iter().any(|dir| path.starts_with(dir))
}

#[cfg(test)]
mod tests {
    use super::is_system_config;

    #[test]
    fn system_config_files_are_those_under_lxc_shared_config() {
        assert!(is_system_config("/usr/share/lxc/config/common.conf"));
        assert!(is_system_config(
            "/usr/local/share/lxc/config/common.conf.d/00-lxcfs.conf"
        ));
        assert!(!is_system_config("/usr/share/lxc/config-mine/x.conf"));
        assert!(!is_system_config(
            "/usr/share/lxc/config/../../../../home/me/x.conf"
        ));
        assert!(!is_system_config("usr/share/lxc/config/common.conf"));
        assert!(!is_system_config("/etc/lxc/default.conf"));
    }
}
