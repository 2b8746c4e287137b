//! The lint rules' fixtures: corpus/lint/CODE.*, and corpus/lint/fixed/CODE.* where the
//! input can be fixed. Run with `--isolated`, so that every rule is at its default level
//! (corpus/lint/lxconf.toml quiets two rules for the lint snapshots).

use super::{Example, Fixture};
use lxconf_model::Code;

const LINT: &[&str] = &["lint", "--isolated"];
/// The rules that look at the host's files need `--host`.
const LINT_HOST: &[&str] = &["lint", "--isolated", "--host"];

macro_rules! file {
    ($file:literal) => {
        Fixture {
            name: $file,
            text: Some(include_str!(concat!("../../../corpus/lint/", $file))),
        }
    };
}

macro_rules! lint {
    ($code:ident, $bad:literal, $fixed:expr, $at:literal) => {
        lint!($code, $bad, $fixed, $at, LINT)
    };
    ($code:ident, $bad:literal, $fixed:expr, $at:literal, $command:ident) => {
        Example {
            code: Code::$code,
            dir: "corpus/lint",
            bad: file!($bad),
            fixed: $fixed,
            command: $command,
            at: $at,
            needs_root: false,
        }
    };
}

/// One entry per lint rule. Without a fixed file: the input limits (the fix is a smaller
/// input, which shows nothing) and L025 (a note on any value: the fix is a comment).
pub const EXAMPLES: &[Example] = &[
    lint!(
        F001,
        "F001.fstab",
        Some(file!("fixed/F001.fstab")),
        "F001.fstab:3:"
    ),
    lint!(
        F002,
        "F002.fstab",
        Some(file!("fixed/F002.fstab")),
        "F002.fstab:2:"
    ),
    lint!(
        F003,
        "F003.fstab",
        Some(file!("fixed/F003.fstab")),
        "F003.fstab:2:"
    ),
    lint!(
        F004,
        "F004.fstab",
        Some(file!("fixed/F004.fstab")),
        "F004.fstab:2:"
    ),
    lint!(I001, "I001.conf", None, "I001-fan.conf:2:"),
    lint!(
        I002,
        "I002.conf",
        Some(file!("fixed/I002.conf")),
        "I002.conf:2:"
    ),
    // 66 KiB (one line over the 64 KiB limit): too long to compile in and show.
    Example {
        code: Code::I003,
        dir: "corpus/lint",
        bad: Fixture {
            name: "I003.conf",
            text: None,
        },
        fixed: None,
        command: LINT,
        at: "I003.conf:3:",
        needs_root: false,
    },
    lint!(I004, "I004.conf", None, "I004-9.conf:1:"),
    lint!(I005, "I005.conf", None, "I005-31.conf:1:"),
    lint!(
        I006,
        "I006.xml",
        Some(file!("fixed/I006.xml")),
        "I006.xml:2:"
    ),
    lint!(
        L001,
        "L001.conf",
        Some(file!("fixed/L001.conf")),
        "L001.conf:2:"
    ),
    lint!(
        L002,
        "L002.conf",
        Some(file!("fixed/L002.conf")),
        "L002.conf:2:"
    ),
    lint!(
        L003,
        "L003.conf",
        Some(file!("fixed/L003.conf")),
        "L003.conf:2:"
    ),
    lint!(
        L004,
        "L004.conf",
        Some(file!("fixed/L004.conf")),
        "L004.conf:2:"
    ),
    lint!(
        L005,
        "L005.conf",
        Some(file!("fixed/L005.conf")),
        "L005.conf:2:"
    ),
    lint!(
        L006,
        "L006.conf",
        Some(file!("fixed/L006.conf")),
        "L006.conf:2:"
    ),
    lint!(
        L007,
        "L007.conf",
        Some(file!("fixed/L007.conf")),
        "L007.conf:3:"
    ),
    lint!(
        L008,
        "L008.conf",
        Some(file!("fixed/L008.conf")),
        "L008.conf:2:"
    ),
    lint!(
        L009,
        "L009.conf",
        Some(file!("fixed/L009.conf")),
        "L009.conf:2:"
    ),
    lint!(
        L010,
        "L010.conf",
        Some(file!("fixed/L010.conf")),
        "L010.conf:3:"
    ),
    lint!(
        L011,
        "L011.conf",
        Some(file!("fixed/L011.conf")),
        "L011.conf:2:"
    ),
    lint!(
        L012,
        "L012.conf",
        Some(file!("fixed/L012.conf")),
        "L012.conf:2:"
    ),
    lint!(
        L013,
        "L013.conf",
        Some(file!("fixed/L013.conf")),
        "L013.conf:4:"
    ),
    lint!(
        L014,
        "L014.conf",
        Some(file!("fixed/L014.conf")),
        "L014.conf:2:"
    ),
    lint!(
        L015,
        "L015.conf",
        Some(file!("fixed/L015.conf")),
        "L015.conf:2:"
    ),
    lint!(
        L016,
        "L016.conf",
        Some(file!("fixed/L016.conf")),
        "L016.conf:3:"
    ),
    lint!(
        L017,
        "L017.conf",
        Some(file!("fixed/L017.conf")),
        "L017.conf:2:"
    ),
    lint!(
        L018,
        "L018.conf",
        Some(file!("fixed/L018.conf")),
        "L018.conf:2:"
    ),
    lint!(
        L019,
        "L019.conf",
        Some(file!("fixed/L019.conf")),
        "L019.conf:4:"
    ),
    lint!(
        L020,
        "L020.conf",
        Some(file!("fixed/L020.conf")),
        "L020.conf:4:"
    ),
    lint!(
        L021,
        "L021.conf",
        Some(file!("fixed/L021.conf")),
        "L021.conf:2:"
    ),
    lint!(
        L022,
        "L022.conf",
        Some(file!("fixed/L022.conf")),
        "L022.conf:4:"
    ),
    lint!(
        L023,
        "L023.conf",
        Some(file!("fixed/L023.conf")),
        "L023.conf:2:"
    ),
    lint!(
        L024,
        "L024.conf",
        Some(file!("fixed/L024.conf")),
        "L024.conf:2:"
    ),
    lint!(L025, "L025.conf", None, "L025.conf:2:"),
    lint!(
        M001,
        "M001.json",
        Some(file!("fixed/M001.json")),
        "M001.json:3:"
    ),
    lint!(
        M002,
        "M002.json",
        Some(file!("fixed/M002.json")),
        "M002.json:3:"
    ),
    lint!(
        M003,
        "M003.conf",
        Some(file!("fixed/M003.conf")),
        "M003.conf:3:"
    ),
    lint!(
        M004,
        "M004.conf",
        Some(file!("fixed/M004.conf")),
        "M004.conf:2:"
    ),
    lint!(
        M005,
        "M005.conf",
        Some(file!("fixed/M005.conf")),
        "M005.conf:2:"
    ),
    lint!(
        M006,
        "M006.conf",
        Some(file!("fixed/M006.conf")),
        "M006.conf:2:"
    ),
    lint!(
        M007,
        "M007.conf",
        Some(file!("fixed/M007.conf")),
        "M007.conf:3:"
    ),
    lint!(
        M008,
        "M008.conf",
        Some(file!("fixed/M008.conf")),
        "M008.conf:2:"
    ),
    lint!(
        M009,
        "M009.conf",
        Some(file!("fixed/M009.conf")),
        "M009.conf:2:"
    ),
    lint!(
        M010,
        "M010.conf",
        Some(file!("fixed/M010.conf")),
        "M010.conf:4:"
    ),
    lint!(
        M011,
        "M011.conf",
        Some(file!("fixed/M011.conf")),
        "M011.conf:7:"
    ),
    lint!(
        M012,
        "M012.conf",
        Some(file!("fixed/M012.conf")),
        "M012.conf:2:"
    ),
    lint!(
        M013,
        "M013.conf",
        Some(file!("fixed/M013.conf")),
        "M013.conf:2:"
    ),
    lint!(
        M014,
        "M014.conf",
        Some(file!("fixed/M014.conf")),
        "M014.conf:5:"
    ),
    lint!(
        M015,
        "M015.conf",
        Some(file!("fixed/M015.conf")),
        "M015.conf:4:"
    ),
    lint!(
        M016,
        "M016.conf",
        Some(file!("fixed/M016.conf")),
        "M016.conf:4:"
    ),
    lint!(
        M017,
        "M017.conf",
        Some(file!("fixed/M017.conf")),
        "M017.conf:3:"
    ),
    lint!(
        M018,
        "M018.conf",
        Some(file!("fixed/M018.conf")),
        "M018.conf:3:"
    ),
    lint!(
        M019,
        "M019.conf",
        Some(file!("fixed/M019.conf")),
        "M019.conf:2:"
    ),
    lint!(
        M020,
        "M020.conf",
        Some(file!("fixed/M020.conf")),
        "M020.conf:2:"
    ),
    lint!(
        M021,
        "M021.conf",
        Some(file!("fixed/M021.conf")),
        "M021.conf:2:"
    ),
    lint!(
        M022,
        "M022.conf",
        Some(file!("fixed/M022.conf")),
        "M022.conf:2:"
    ),
    lint!(
        M023,
        "M023.conf",
        Some(file!("fixed/M023.conf")),
        "M023.conf:2:",
        LINT_HOST
    ),
    lint!(
        M024,
        "M024.conf",
        Some(file!("fixed/M024.conf")),
        "M024.conf:2:"
    ),
    lint!(
        M025,
        "M025.conf",
        Some(file!("fixed/M025.conf")),
        "M025.conf:3:"
    ),
    lint!(
        M026,
        "M026.json",
        Some(file!("fixed/M026.json")),
        "M026.json:3:"
    ),
    lint!(
        M027,
        "M027.json",
        Some(file!("fixed/M027.json")),
        "M027.json:3:"
    ),
    lint!(
        M028,
        "M028.conf",
        Some(file!("fixed/M028.conf")),
        "M028.conf:7:"
    ),
    lint!(
        M029,
        "M029.conf",
        Some(file!("fixed/M029.conf")),
        "M029.conf:2:"
    ),
    lint!(
        M030,
        "M030.conf",
        Some(file!("fixed/M030.conf")),
        "M030.conf:2:"
    ),
    lint!(
        M031,
        "M031.conf",
        Some(file!("fixed/M031.conf")),
        "M031.conf:2:",
        LINT_HOST
    ),
    lint!(
        M032,
        "M032.conf",
        Some(file!("fixed/M032.conf")),
        "M032.conf:2:",
        LINT_HOST
    ),
    lint!(
        M033,
        "M033.conf",
        Some(file!("fixed/M033.conf")),
        "M033.conf:3:"
    ),
    lint!(
        M034,
        "M034.conf",
        Some(file!("fixed/M034.conf")),
        "M034.conf:2:"
    ),
    lint!(
        M035,
        "M035.conf",
        Some(file!("fixed/M035.conf")),
        "M035.conf:2:"
    ),
    lint!(
        M040,
        "M040.json",
        Some(file!("fixed/M040.json")),
        "M040.json:3:"
    ),
    lint!(
        M041,
        "M041.conf",
        Some(file!("fixed/M041.conf")),
        "M041.conf:2:"
    ),
    lint!(
        X008,
        "X008.xml",
        Some(file!("fixed/X008.xml")),
        "X008.xml:3:"
    ),
    lint!(
        X009,
        "X009.xml",
        Some(file!("fixed/X009.xml")),
        "X009.xml:4:"
    ),
    lint!(
        X010,
        "X010.xml",
        Some(file!("fixed/X010.xml")),
        "X010.xml:1:"
    ),
    lint!(
        X011,
        "X011.xml",
        Some(file!("fixed/X011.xml")),
        "X011.xml:2:"
    ),
];
