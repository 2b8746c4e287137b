//! Names that become file names: `domxml-from-native --output-dir` writes `NAME.xml`, liblxc
//! keeps a container in `<lxcpath>/NAME/`, libvirt keeps a domain's state in
//! `/run/libvirt/lxc/NAME.pid` and refuses `/` and newlines in a domain name (observed with
//! libvirt 9.0: `name a/b cannot contain '/'`). A name is usable only
//! when it is one safe path component: anything else could name a file outside the
//! directory it is meant for (`../x`, `/etc/x`).

/// Why `name` is not a single safe path component (a reason to show after "because"), or
/// `None` when it is one.
pub fn file_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` name directories")
    } else if name.contains('/') {
        Some("it contains `/`")
    } else if name.contains('\0') {
        Some("it contains a NUL character")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_single_components_pass() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "/etc/x",
            "a/b",
            "a\0b",
            "a\nb",
            "a\u{1b}]0;x",
            "\u{85}",
        ] {
            assert!(file_name_problem(bad).is_some(), "{bad:?}");
        }
        for good in [
            "web",
            "web-01.example",
            "a b",
            "..x",
            "x..",
            ".hidden",
            "ünï",
        ] {
            assert_eq!(file_name_problem(good), None, "{good:?}");
        }
    }
}
