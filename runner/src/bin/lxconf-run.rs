//! A standalone runner for development and tests: runs a model given as JSON.
//!
//! `lxconf-run [--plan] [--init direct|supervised] MODEL.json [-- COMMAND ARGS...]`
//! `lxconf-run --check-host`
//!
//! Exit status: the command's; 1 when the model is refused (a coded error: M040, M041,
//! R012, R014); 125 when the container could not be started.

use lxconf_model::Container;
use lxconf_run::{InitMode, RunOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut model_path = None;
    let mut command = None;
    let mut show_plan = false;
    let mut init = InitMode::Supervised;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check-host" => {
                let report = lxconf_run::check_host();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                return;
            }
            "--plan" => show_plan = true,
            "--init" => {
                init = match args.next().as_deref() {
                    Some("direct") => InitMode::Direct,
                    _ => InitMode::Supervised,
                }
            }
            "--" => {
                command = Some(args.by_ref().collect::<Vec<_>>());
            }
            _ => model_path = Some(a),
        }
    }
    let Some(path) = model_path else {
        eprintln!("usage: lxconf-run [--plan] [--init direct|supervised] MODEL.json [-- CMD...]");
        std::process::exit(2);
    };
    let text = match read_bounded(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lxconf-run: {path}: {e}");
            std::process::exit(2);
        }
    };
    let container: Container = match serde_json::from_str(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lxconf-run: {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut options = RunOptions::detect();
    options.command = command;
    options.init = init;
    options.config_file = Some(path.clone());
    let plan = match lxconf_run::plan(&container, &options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("lxconf-run: error[{}]: {e}", e.code());
            std::process::exit(1);
        }
    };
    for f in &plan.not_applied {
        eprintln!("lxconf-run: warning[{}]: {}", f.code, f.message);
    }
    if show_plan {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan).unwrap_or_default()
        );
        return;
    }
    match lxconf_run::exec::execute(&plan, &lxconf_run::sys::linux::LinuxSys) {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            match e.code() {
                Some(code) => eprintln!("lxconf-run: error[{code}]: {e}"),
                None => eprintln!("lxconf-run: {e}"),
            }
            std::process::exit(if e.code().is_some() { 1 } else { 125 });
        }
    }
}

/// A model document, at most 16 MiB (the readers' limit): a development tool is handed
/// hostile files too (`lxconf-run /dev/zero` must not eat the machine).
fn read_bounded(path: &str) -> std::io::Result<String> {
    use std::io::Read;
    const MAX: u64 = 16 << 20;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX {
        return Err(std::io::Error::other("larger than 16 MiB"));
    }
    Ok(text)
}
