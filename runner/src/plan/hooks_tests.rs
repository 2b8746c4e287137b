//! Where each hook runs and with what, snapshot-tested (no root needed). The facts come
//! from liblxc 5.0.2 under `lxc-execute` (docs/runner.md, "Hooks").

use crate::cgroup::CgroupLayout;
use crate::plan::{plan, ContainerStep, HookStep, HostStep, Plan, RunOptions};
use lxconf_model::{Cap, Capabilities, Container, EnvVar, Hook, HookKind, Rootfs};

fn options() -> RunOptions {
    let mut o = RunOptions::fixed(CgroupLayout::from_proc(
        "35 30 0:31 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
        "0::/user.slice\n",
    ));
    o.host_env = [("PATH", "/usr/bin:/bin"), ("HOME", "/root")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    o.config_file = Some("/var/lib/lxc/c1/config".into());
    o
}

fn hook(kind: HookKind, command: &str) -> Hook {
    Hook {
        kind,
        command: command.into(),
    }
}

/// An LXC container with one hook of every kind, as the LXC reader gives it.
fn with_every_hook(version: u8) -> Container {
    let mut c = Container {
        name: Some("c1".into()),
        hostname: Some("c1".into()),
        rootfs: Some(Rootfs {
            path: "/srv/c1/rootfs".into(),
            backend: None,
            options: Vec::new(),
            readonly: false,
            mount: None,
            managed: true,
        }),
        capabilities: Capabilities::Drop {
            caps: Cap::from_name("sys_module").into_iter().collect(),
        },
        ..Container::default()
    };
    c.init.command = vec!["/bin/sh".into()];
    c.init.env = vec![
        EnvVar {
            name: "FOO".into(),
            value: Some("bar".into()),
        },
        EnvVar {
            name: "container".into(),
            value: Some("lxc".into()),
        },
    ];
    c.no_new_privs = true;
    c.console.enabled = false;
    c.hooks.version = version;
    c.hooks.hooks = vec![
        hook(HookKind::PreStart, "/usr/local/bin/pre-start extra"),
        hook(HookKind::PreStart, "/usr/local/bin/second"),
        hook(HookKind::PreMount, "/usr/local/bin/pre-mount"),
        hook(HookKind::Mount, "/usr/local/bin/mount"),
        hook(HookKind::Autodev, "/usr/local/bin/autodev"),
        hook(HookKind::Start, "/start-hook"),
        hook(HookKind::StartHost, "/usr/local/bin/start-host"),
        hook(HookKind::Stop, "/usr/local/bin/stop"),
        hook(HookKind::PostStop, "/usr/local/bin/post-stop"),
        hook(HookKind::Clone, "/usr/local/bin/clone"),
        hook(HookKind::Destroy, "/usr/local/bin/destroy"),
    ];
    c
}

/// Every step of the plan in order, by where it runs, hooks named by their kind.
fn order(p: &Plan) -> Vec<String> {
    let hook = |where_: &str, h: &HookStep| format!("{where_}: hook {}", h.kind.name());
    let mut out = Vec::new();
    for s in &p.host {
        out.push(match s {
            HostStep::Hook(h) => hook("runner", h),
            HostStep::Cgroup(_) => "runner: cgroup".into(),
        });
    }
    out.push("runner: clone, parent steps, go".into());
    for s in &p.container {
        out.push(match s {
            ContainerStep::Hook(h) => hook("container", h),
            other => {
                let json = serde_json::to_value(other).expect("json");
                format!("container: {}", json["step"].as_str().unwrap_or("?"))
            }
        });
    }
    out.extend(p.hooks.start_host.iter().map(|h| hook("runner", h)));
    out.push("container: the command runs and ends".into());
    out.extend(p.hooks.stop.iter().map(|h| hook("runner", h)));
    out.push("runner: cgroups removed".into());
    out.extend(p.hooks.post_stop.iter().map(|h| hook("runner", h)));
    out
}

fn all_hooks(p: &Plan) -> Vec<HookStep> {
    let host = p.host.iter().filter_map(|s| match s {
        HostStep::Hook(h) => Some(h.clone()),
        HostStep::Cgroup(_) => None,
    });
    let container = p.container.iter().filter_map(|s| match s {
        ContainerStep::Hook(h) => Some(h.clone()),
        _ => None,
    });
    let hooks = &p.hooks;
    host.chain(container)
        .chain(hooks.start_host.iter().cloned())
        .chain(hooks.stop.iter().cloned())
        .chain(hooks.post_stop.iter().cloned())
        .collect()
}

#[test]
fn every_hook_runs_at_its_point_in_liblxc_order() {
    let p = plan(&with_every_hook(0), &options()).expect("plan");
    insta::assert_yaml_snapshot!("hook_order", order(&p));
    assert!(p.not_applied.is_empty(), "{:?}", p.not_applied);
}

#[test]
fn version_0_hooks_get_arguments_and_the_lxc_environment() {
    let p = plan(&with_every_hook(0), &options()).expect("plan");
    insta::assert_yaml_snapshot!("hooks_version_0", all_hooks(&p));
}

#[test]
fn version_1_hooks_get_their_type_and_section_in_the_environment() {
    let p = plan(&with_every_hook(1), &options()).expect("plan");
    for h in all_hooks(&p) {
        assert!(!h.command.contains(" lxc "), "no arguments: {}", h.command);
        assert!(
            h.env.contains(&format!("LXC_HOOK_TYPE={}", h.kind.name())),
            "{:?}",
            h.env
        );
        assert!(h.env.contains(&"LXC_HOOK_SECTION=lxc".to_string()));
        assert!(h.env.contains(&"LXC_HOOK_VERSION=1".to_string()));
        assert!(!h.namespace_args, "only version 0 stop hooks get arguments");
    }
}

#[test]
fn only_hooks_run_from_the_container_process_get_lxc_environment() {
    let p = plan(&with_every_hook(0), &options()).expect("plan");
    for h in all_hooks(&p) {
        let in_container = matches!(
            h.kind,
            HookKind::PreMount | HookKind::Mount | HookKind::Autodev | HookKind::Start
        );
        assert_eq!(
            h.env.contains(&"FOO=bar".to_string()),
            in_container,
            "{h:?}"
        );
        // liblxc adds container=lxc only for the command.
        assert!(!h.env.iter().any(|e| e.starts_with("container=")), "{h:?}");
    }
}

#[test]
fn autodev_hooks_need_autodev_and_clone_or_destroy_hooks_never_run_at_start() {
    let mut c = with_every_hook(0);
    c.dev.autodev = false;
    let p = plan(&c, &options()).expect("plan");
    let kinds: Vec<HookKind> = all_hooks(&p).iter().map(|h| h.kind).collect();
    assert!(!kinds.contains(&HookKind::Autodev), "{kinds:?}");
    assert!(!kinds.contains(&HookKind::Clone) && !kinds.contains(&HookKind::Destroy));
    assert_eq!(kinds.len(), 8, "{kinds:?}");
}

#[test]
fn no_hooks_runs_none_and_reports_them() {
    let mut o = options();
    o.run_hooks = false;
    let p = plan(&with_every_hook(0), &o).expect("plan");
    assert!(all_hooks(&p).is_empty());
    assert!(!p.hooks.sync_after_setup());
    let r004: Vec<&str> = p
        .not_applied
        .iter()
        .filter(|f| f.code == lxconf_model::Code::R004)
        .map(|f| f.message.as_str())
        .collect();
    // Clone and destroy hooks would not run at a start anyway.
    assert_eq!(r004, ["9 hook(s) are not run (--no-hooks)"]);
}

#[test]
fn a_name_with_shell_characters_is_one_quoted_argument() {
    let mut c = with_every_hook(0);
    c.name = Some("web; touch /tmp/owned".into());
    let p = plan(&c, &options()).expect("plan");
    let pre_start = &all_hooks(&p)[0];
    assert_eq!(
        pre_start.command,
        "exec /usr/local/bin/pre-start extra 'web; touch /tmp/owned' lxc pre-start"
    );
    assert!(pre_start
        .env
        .contains(&"LXC_NAME=web; touch /tmp/owned".to_string()));
}

#[test]
fn the_first_start_hook_line_is_taken_whole_as_its_program_as_liblxc_checks_it() {
    let mut c = with_every_hook(0);
    c.hooks.hooks = vec![
        hook(HookKind::Start, "/start-hook --flag"),
        hook(HookKind::Start, "/second-start-hook --flag"),
    ];
    let p = plan(&c, &options()).expect("plan");
    let programs: Vec<String> = all_hooks(&p).into_iter().map(|h| h.program).collect();
    assert_eq!(programs, ["/start-hook --flag", "/second-start-hook"]);
}
