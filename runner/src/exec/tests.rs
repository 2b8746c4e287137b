//! The executor's cleanup, interface and signal decisions, through the recording double.

use super::*;
use crate::cgroup::CgroupLayout;
use crate::plan::{plan, RunOptions};
use crate::sys::record::{Call, RecordSys};
use lxconf_model::{Container, Namespace, NetKind, Network};

fn options() -> RunOptions {
    RunOptions::fixed(CgroupLayout::from_proc(
        "35 30 0:31 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
        "0::/user.slice\n",
    ))
}

fn container() -> Container {
    let mut c = Container {
        name: Some("c1".into()),
        ..Container::default()
    };
    c.init.command = vec!["/bin/true".into()];
    c.namespaces.clone.insert(Namespace::Net);
    c
}

fn veth(pair: &str) -> Network {
    let mut n = Network::new(0, NetKind::Veth);
    n.link = Some("br0".into());
    if let Some(v) = &mut n.veth {
        v.pair = Some(pair.into());
    }
    n
}

fn deletes(sys: &RecordSys) -> Vec<(String, u32)> {
    sys.calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::LinkDelete { name, index } => Some((name, index)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_existing_host_interface_stops_the_run_and_is_never_deleted() {
    let mut c = container();
    c.networks = vec![veth("lxcbr0")];
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    sys.link_errors
        .borrow_mut()
        .insert("lxcbr0".into(), libc::EEXIST);
    let err = execute(&plan, &sys).expect_err("the name exists");
    assert!(matches!(err, RunError::InterfaceExists(_)), "{err}");
    assert_eq!(err.code(), Some(Code::R012));
    assert!(deletes(&sys).is_empty(), "{:?}", sys.calls());
    // The container process was killed and waited for; its cgroup was removed.
    assert!(sys.calls().contains(&Call::Kill {
        pid: 100,
        signal: SIGKILL
    }));
}

#[test]
fn a_created_host_end_is_deleted_by_its_index() {
    let mut c = container();
    c.networks = vec![veth("vethx0")];
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    execute(&plan, &sys).expect("run");
    let d = deletes(&sys);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "vethx0");
}

#[test]
fn a_phys_link_is_given_back_under_its_host_name() {
    let mut c = container();
    let mut n = Network::new(0, NetKind::Phys);
    n.link = Some("dummy7".into());
    n.name = Some("eth1".into());
    c.networks = vec![n];
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    execute(&plan, &sys).expect("run");
    let calls = sys.calls();
    let pos = |want: &dyn Fn(&Call) -> bool| calls.iter().position(want);
    let open = pos(&|c| matches!(c, Call::OpenNetns { pid: 100 })).expect("netns held");
    let watcher =
        pos(&|c| matches!(c, Call::ForkWatcher { close } if !close.is_empty())).expect("armed");
    let moved = pos(&|c| matches!(c, Call::LinkCreate { .. })).expect("moved in");
    let exited = pos(&|c| matches!(c, Call::ChildExit { .. })).expect("ended");
    let back = pos(&|c| {
        matches!(c, Call::LinkReturn { name, host_name, .. } if name == "eth1" && host_name == "dummy7")
    })
    .expect("given back");
    assert!(open < watcher && watcher < moved && moved < exited && exited < back);
    assert!(deletes(&sys).is_empty(), "a phys link is never deleted");
}

#[test]
fn stale_cgroups_of_dead_runners_are_removed_and_live_ones_kept() {
    let plan = plan(&container(), &options()).expect("plan");
    let sys = RecordSys::new();
    sys.dirs.borrow_mut().insert(
        "/sys/fs/cgroup/user.slice".into(),
        vec![
            "lxconf.payload.old.4242".into(),
            "lxconf.payload.live.4343".into(),
            "lxconf.payload.named.t9".into(),
            "other.service".into(),
        ],
    );
    sys.dirs.borrow_mut().insert(
        "/sys/fs/cgroup/user.slice/lxconf.payload.old.4242".into(),
        vec!["nested".into()],
    );
    sys.dead.borrow_mut().insert(4242);
    execute(&plan, &sys).expect("run");
    let removed: Vec<String> = sys
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Rmdir { path } => Some(path),
            _ => None,
        })
        .collect();
    assert_eq!(
        removed,
        [
            "/sys/fs/cgroup/user.slice/lxconf.payload.old.4242/nested",
            "/sys/fs/cgroup/user.slice/lxconf.payload.old.4242",
            "/sys/fs/cgroup/user.slice/lxconf.payload.c1.t1",
        ]
    );
}

fn direct_run_with_signal(status_file: &str) -> (i32, Vec<Call>) {
    let mut opts = options();
    opts.init = InitMode::Direct;
    let plan = plan(&container(), &opts).expect("plan");
    let sys = RecordSys::new();
    sys.command_exit.set(Some(Exit::Signal(SIGKILL)));
    sys.running_polls.set(1);
    sys.queue_signal(libc::SIGINT);
    sys.files
        .borrow_mut()
        .insert("/proc/100/status".into(), status_file.into());
    let status = execute(&plan, &sys).expect("run");
    (status, sys.calls())
}

#[test]
fn direct_init_without_a_handler_is_ended_by_sigint() {
    let (status, calls) = direct_run_with_signal(
        "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n",
    );
    assert!(calls.contains(&Call::Kill {
        pid: 100,
        signal: SIGKILL
    }));
    assert_eq!(status, 128 + libc::SIGINT, "reported as a death by SIGINT");
}

#[test]
fn direct_init_with_a_handler_gets_the_signal_itself() {
    // SigCgt bit 1 is SIGINT (signal 2).
    let (_, calls) =
        direct_run_with_signal("SigIgn:\t0000000000000000\nSigCgt:\t0000000000000002\n");
    assert!(calls.contains(&Call::Kill {
        pid: 100,
        signal: libc::SIGINT
    }));
    assert!(!calls.contains(&Call::Kill {
        pid: 100,
        signal: SIGKILL
    }));
}

#[test]
fn limits_are_read_back_and_reported() {
    let mut c = container();
    c.resources.pids_max = Some(50);
    let mut opts = RunOptions::fixed(CgroupLayout::from_proc(
        "35 30 0:31 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
        "0::/user.slice\n",
    ));
    if let Some(v2) = &mut opts.cgroups.v2 {
        v2.controllers = vec!["pids".into()];
    }
    opts.report_limits = Some("/tmp/limits".into());
    let plan = plan(&c, &opts).expect("plan");
    let sys = RecordSys::new();
    sys.files.borrow_mut().insert(
        "/sys/fs/cgroup/user.slice/lxconf.payload.c1.t1/pids.max".into(),
        "50\n".into(),
    );
    execute(&plan, &sys).expect("run");
    assert!(sys.calls().contains(&Call::WriteNew {
        path: "/tmp/limits".into(),
        data: "pids.max 50\n".into()
    }));
}

#[test]
fn a_setup_error_crosses_the_error_pipe_typed_with_its_message() {
    let error = SetupError::JoinNamespace {
        ns: Namespace::Net,
        path: "/proc/77/ns/net".into(),
        error: SysError::errno("setns", libc::EPERM),
    };
    let back = SetupError::from_report(&error.to_report());
    assert_eq!(back, error);
    assert_eq!(
        RunError::from(back).to_string(),
        "container setup failed: joining the net namespace at /proc/77/ns/net: setns: Operation not permitted (os error 1)"
    );
    let torn = SetupError::from_report(b"{\"Exec\": {\"pa\n");
    assert_eq!(torn, SetupError::Unreadable("{\"Exec\": {\"pa".into()));
}

fn with_hooks(hooks: &[(lxconf_model::HookKind, &str)]) -> Container {
    let mut c = container();
    c.hooks.hooks = hooks
        .iter()
        .map(|(kind, command)| lxconf_model::Hook {
            kind: *kind,
            command: command.to_string(),
        })
        .collect();
    c
}

/// The shell text of every hook the run started, in order.
fn hooks_run(sys: &RecordSys) -> Vec<String> {
    sys.calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Exec { path, argv, .. } if path == "/bin/sh" => argv.get(2).cloned(),
            _ => None,
        })
        .collect()
}

#[test]
fn a_failing_pre_start_hook_fails_the_start_and_stop_hooks_still_run() {
    use lxconf_model::HookKind::*;
    let c = with_hooks(&[
        (PreStart, "/hooks/fail"),
        (PreStart, "/hooks/never"),
        (Stop, "/hooks/stop"),
        (PostStop, "/hooks/post-stop"),
    ]);
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    sys.existing.borrow_mut().extend(
        [
            "/hooks/fail",
            "/hooks/never",
            "/hooks/stop",
            "/hooks/post-stop",
        ]
        .map(String::from),
    );
    sys.hook_status.borrow_mut().insert("/hooks/fail".into(), 7);
    let err = execute(&plan, &sys).expect_err("the pre-start hook fails");
    assert_eq!(
        err.to_string(),
        "lxc.hook.pre-start hook /hooks/fail failed: exit status 7"
    );
    // As liblxc: the rest of the list is skipped, nothing is cloned, the stop and
    // post-stop hooks run, the cgroup is removed between them.
    assert_eq!(
        hooks_run(&sys),
        [
            "exec /hooks/fail c1 lxc pre-start",
            "exec /hooks/stop c1 lxc stop",
            "exec /hooks/post-stop c1 lxc post-stop"
        ]
    );
    let calls = sys.calls();
    assert!(!calls.iter().any(|c| matches!(c, Call::CloneChild { .. })));
    let rmdir = calls.iter().position(|c| matches!(c, Call::Rmdir { .. }));
    let stop_hook = |text: &str| {
        calls.iter().position(
            |c| matches!(c, Call::Exec { argv, .. } if argv.get(2).is_some_and(|a| a.contains(text))),
        )
    };
    assert!(stop_hook("/hooks/stop") < rmdir && rmdir < stop_hook("/hooks/post-stop"));
}

#[test]
fn a_hook_program_that_does_not_exist_is_a_clear_error_and_nothing_is_forked() {
    let c = with_hooks(&[(lxconf_model::HookKind::PreStart, "/no/such/hook --flag")]);
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    let err = execute(&plan, &sys).expect_err("missing program");
    assert!(
        matches!(err, RunError::Hook(HookError::NotFound { ref program, .. }) if program == "/no/such/hook"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "lxc.hook.pre-start hook program /no/such/hook does not exist"
    );
    assert!(!sys.calls().iter().any(|c| matches!(c, Call::Fork { .. })));
}

#[test]
fn a_failing_mount_hook_fails_the_container_setup_with_a_typed_error() {
    use lxconf_model::HookKind::*;
    let c = with_hooks(&[(Mount, "/hooks/mount"), (Start, "/hooks/start")]);
    let plan = plan(&c, &options()).expect("plan");
    let sys = RecordSys::new();
    sys.existing
        .borrow_mut()
        .extend(["/hooks/mount", "/hooks/start"].map(String::from));
    sys.hook_status
        .borrow_mut()
        .insert("/hooks/mount".into(), 3);
    let err = execute(&plan, &sys).expect_err("the mount hook fails");
    assert!(
        matches!(
            err,
            RunError::Container(SetupError::Hook(HookError::Failed { status: 3, .. }))
        ),
        "{err:?}"
    );
    assert_eq!(hooks_run(&sys), ["exec /hooks/mount c1 lxc mount"]);
    // The hook's output goes to stderr: the container's stdout is the command's.
    assert!(sys.calls().contains(&Call::StdoutToStderr));
}
