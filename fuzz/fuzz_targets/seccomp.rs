//! Fuzz the seccomp policy reader and the runner's compiler: no panics, spans inside the
//! input, and every policy read compiles to a program the kernel's checker would take
//! (every jump lands inside it, it ends in a return).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_model::SourceId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = lxconf_parse::seccomp::parse(&text, SourceId(0));
    for d in &parsed.diagnostics {
        if let Some(p) = &d.primary {
            assert!(p.origin.end as usize <= text.len());
        }
    }
    for r in &parsed.rule_lines {
        assert!(r.end <= text.len());
    }
    let Some(policy) = parsed.policy else {
        return;
    };
    assert_eq!(parsed.rule_lines.len(), policy.rules.len());
    let program = lxconf_run::plan::compile_seccomp(&policy);
    let len = program.len();
    for (pc, i) in program.iter().enumerate() {
        let targets: Vec<usize> = match i.code {
            0x05 => vec![pc + 1 + i.k as usize],
            c if c & 0x07 == 0x05 => vec![pc + 1 + i.jt as usize, pc + 1 + i.jf as usize],
            _ => vec![],
        };
        assert!(targets.iter().all(|&t| t < len), "jump out of the program at {pc}");
    }
    assert_eq!(program.last().map(|i| i.code), Some(0x06));
});
