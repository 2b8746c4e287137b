//! A standalone runner for development and tests: runs a model given as JSON.
//!
//! `lxconf-run [--plan] [--init direct|supervised] MODEL.json [-- COMMAND ARGS...]`
//! `lxconf-run --check-host`
//!
//! Exit status: the command's, 125 when the container could not be started.

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
    let text = match std::fs::read_to_string(&path) {
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
    if show_plan {
        match lxconf_run::plan(&container, &options) {
            Ok(p) => println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default()),
            Err(e) => {
                eprintln!("lxconf-run: {e}");
                std::process::exit(125);
            }
        }
        return;
    }
    match lxconf_run::run(&container, &options) {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            eprintln!("lxconf-run: {e}");
            std::process::exit(125);
        }
    }
}
