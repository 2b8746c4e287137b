//! How every command talks: `--quiet`, `--color`, the width of a terminal, `<stdin>`.

use crate::support::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A config that loads with warnings (a legacy key) and a note (privileged), no error.
const WARNS: &str = "lxc.utsname = web\nlxc.rootfs.path = dir:/srv/web/rootfs\nlxc.mount.auto = proc:mixed sys:mixed\n";
/// A config with an error (an unknown key).
const FAILS: &str = "lxc.uts.name = web\nlxc.bogus = 1\n";

fn with_stdin(args: &[&str], input: &str, envs: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lxconf");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every command that reports on a config, with stdin as its input.
const COMMANDS: [&[&str]; 5] = [
    &["show", "-"],
    &["convert", "--to", "json", "-"],
    &["convert", "--to", "lxd", "-"],
    &["domxml-from-native", "lxc-tools", "-"],
    // Legacy keys are errors to lint unless the configs are for LXC 2.0.
    &["lint", "--lxc-version", "2.0", "-"],
];

#[test]
fn quiet_silences_warnings_and_summaries_of_every_command_but_keeps_errors_and_status() {
    for command in COMMANDS {
        let loud = with_stdin(command, WARNS, &[]);
        let mut args = command.to_vec();
        args.insert(0, "-q");
        let quiet = with_stdin(&args, WARNS, &[]);
        let loud_said = text(&loud.stderr) + &text(&loud.stdout);
        assert!(
            loud_said.contains("L002"),
            "{command:?} without -q reports the legacy key: {loud_said}"
        );
        assert!(
            !text(&quiet.stderr).contains("L002") && !text(&quiet.stdout).contains("L002"),
            "{command:?} -q: {}{}",
            text(&quiet.stderr),
            text(&quiet.stdout)
        );
        assert_eq!(quiet.status.code(), loud.status.code(), "{command:?}");
        // `-q` after the subcommand means the same.
        let mut after = command.to_vec();
        after.insert(1, "--quiet");
        let quiet_after = with_stdin(&after, WARNS, &[]);
        assert_eq!(quiet_after.stderr, quiet.stderr, "{command:?}");
    }
    let xml = "<domain type='lxc'><name>a</name><memory>524288</memory><os><type>exe</type><init>/sbin/init</init></os></domain>\n";
    let loud = with_stdin(&["domxml-to-native", "lxc-tools", "-"], xml, &[]);
    assert!(
        text(&loud.stderr).contains("X011"),
        "{}",
        text(&loud.stderr)
    );
    let quiet = with_stdin(&["domxml-to-native", "-q", "lxc-tools", "-"], xml, &[]);
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet.stderr));
    assert_eq!(quiet.stdout, loud.stdout);
    let lint_clean = with_stdin(&["-q", "lint", "-"], "lxc.uts.name = web\n", &[]);
    assert_eq!(lint_clean.status.code(), Some(0));
    assert!(
        lint_clean.stdout.is_empty() && lint_clean.stderr.is_empty(),
        "a clean lint with -q says nothing: {}",
        text(&lint_clean.stdout)
    );
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.insert(0, "-q");
        let failed = with_stdin(&args, FAILS, &[]);
        let said = text(&failed.stderr) + &text(&failed.stdout);
        assert!(said.contains("L001"), "{command:?} -q keeps errors: {said}");
        assert_eq!(failed.status.code(), Some(1), "{command:?}");
    }
}

#[test]
fn color_is_off_in_a_pipe_forced_by_always_and_refused_by_never() {
    let esc = |o: &Output| o.stderr.contains(&0x1b) || o.stdout.contains(&0x1b);
    for command in COMMANDS {
        let auto = with_stdin(command, FAILS, &[]);
        assert!(!esc(&auto), "{command:?}: no colour into a pipe");
        let mut always = command.to_vec();
        always.splice(0..0, ["--color", "always"]);
        assert!(
            esc(&with_stdin(&always, FAILS, &[("NO_COLOR", "1")])),
            "{command:?} --color always wins over NO_COLOR"
        );
        let mut never = command.to_vec();
        never.splice(0..0, ["--color", "never"]);
        assert!(
            !esc(&with_stdin(&never, FAILS, &[("FORCE_COLOR", "1")])),
            "{command:?} --color never"
        );
    }
    let bad = lxconf(&["--color", "sometimes", "schema"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn diagnostics_name_stdin_and_show_the_code_on_the_message_line() {
    let out = with_stdin(&["show", "-"], FAILS, &[]);
    let err = text(&out.stderr);
    assert!(
        err.contains("× <stdin>:2:1: L001 unknown key `lxc.bogus`"),
        "{err}"
    );
    assert!(
        !err.lines().any(|l| l.trim() == "L001"),
        "the code is not on a line of its own: {err}"
    );
    assert!(
        err.contains("lxconf: <stdin> has 1 error(s)"),
        "stdin is `<stdin>` in the closing line too: {err}"
    );
    let json = with_stdin(
        &["convert", "--to", "json", "--format", "json", "-"],
        WARNS,
        &[],
    );
    let record: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON record");
    assert_eq!(record["file"], "<stdin>");
}

/// A long message into a pipe stays on one line: a log keeps each path whole.
#[test]
fn a_pipe_gets_unwrapped_lines() {
    let long_key = format!("lxc.{}", "x".repeat(150));
    let out = with_stdin(&["show", "-"], &format!("{long_key} = 1\n"), &[]);
    let err = text(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("L001") && l.contains(&long_key)),
        "{err}"
    );
}

/// Run `command` on a pseudo-terminal of `cols` columns (util-linux `script`), stdout to
/// /dev/null: what a user sees.
fn on_terminal(cols: u16, command: &str) -> String {
    let shell = format!("stty rows 40 cols {cols}; {command} >/dev/null");
    let out = Command::new("script")
        .args(["-qec", &shell, "/dev/null"])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs a command on a pseudo-terminal");
    text(&out.stdout)
}

#[test]
fn a_terminal_gets_lines_wrapped_at_its_width_and_no_colour_with_no_color() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("legacy.conf");
    std::fs::write(&conf, WARNS).expect("write");
    let bin = env!("CARGO_BIN_EXE_lxconf");
    let command = format!("{bin} show --color never {}", conf.display());
    let narrow = on_terminal(60, &command);
    assert!(narrow.contains("L002"), "{narrow}");
    let widest = narrow.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 60, "wrapped at 60 columns:\n{narrow}");
    let wide = on_terminal(200, &command);
    assert!(
        wide.lines()
            .any(|l| l.contains("L002") && l.contains("later call it `lxc.uts.name`")),
        "one line on a wide terminal:\n{wide}"
    );
    let colored = on_terminal(120, &format!("{bin} show {}", conf.display()));
    assert!(
        colored.contains('\u{1b}'),
        "colour on a terminal: {colored}"
    );
    let no_color = on_terminal(120, &format!("NO_COLOR=1 {bin} show {}", conf.display()));
    assert!(no_color.contains("L002"), "{no_color}");
    assert!(!no_color.contains('\u{1b}'), "NO_COLOR: {no_color}");
}

#[test]
fn upgrade_in_place_says_what_it_did_unless_quiet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("web.conf");
    let path = conf.to_str().expect("utf8");
    std::fs::write(&conf, WARNS).expect("write");
    let loud = lxconf(&["upgrade", "--in-place", path]);
    assert_eq!(loud.status.code(), Some(0));
    assert!(
        text(&loud.stderr).contains("1 line(s) upgraded"),
        "{}",
        text(&loud.stderr)
    );
    std::fs::write(&conf, WARNS).expect("write");
    let quiet = lxconf(&["-q", "upgrade", "--in-place", path]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet.stderr));
    assert!(std::fs::read_to_string(&conf)
        .expect("read")
        .starts_with("lxc.uts.name = web"));
}
