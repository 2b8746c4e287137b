//! Rules on the container's identity: its name and hostname.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::names::file_name_problem;
use lxconf_model::pointer;
use lxconf_model::{Code, Diagnostic, Severity};

/// The identity rules.
pub const RULES: &[RuleDef] = &[RuleDef {
    code: Code::M035,
    fixable: Fixable::No,
    check: Check::Model(name_not_a_file_name),
}];

fn name_not_a_file_name(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let c = &ctx.document.container;
    if let Some((name, why)) = c
        .name
        .as_deref()
        .and_then(|n| Some((n, file_name_problem(n)?)))
    {
        out.push(
            ctx.diag(
                Code::M035,
                pointer::NAME,
                format!("the container name `{}` is not one file name: {why}", name.escape_debug()),
            )
            .help("the name becomes a file and directory name (liblxc, libvirt, --output-dir); use a plain name such as `web-01`"),
        );
    }
    if let Some((name, why)) = c
        .hostname
        .as_deref()
        .and_then(|n| Some((n, file_name_problem(n)?)))
    {
        out.push(
            ctx.diag(
                Code::M035,
                pointer::HOSTNAME,
                format!("`{} = {}` cannot name the container: {why}", K::UtsName, name.escape_debug()),
            )
            .severity(Severity::Warning)
            .help(format!("domxml-from-native names the domain and its --output-dir file after {}, and libvirt refuses `/` in a domain name; use a plain name such as `web-01`", K::UtsName)),
        );
    }
}
