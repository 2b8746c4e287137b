//! Model → libvirt domain XML (type='lxc'), in libvirt's own formatting, choosing elements
//! so that libvirt's LXC driver builds the container the model describes.
//!
//! Model settings libvirt has no element for are returned as coded loss diagnostics
//! pointing at where the value came from; libvirt behaviour that cannot be turned off (its
//! automatic /proc and /sys, its init environment) is reported as a note when the model
//! differs from it.

mod devices;
mod features;
mod filesystems;
mod general;
mod interfaces;
mod losses;
mod os;
mod resources;
mod security;
mod writer;

use lxconf_model::{Diagnostic, Document, Namespace};
use writer::W;

/// Where `ip netns` names live (`<lxc:sharenet type='netns'>`).
const NETNS_DIR: &str = "/run/netns";

/// The XML and the loss report.
#[derive(Debug, Clone)]
pub struct XmlOutput {
    /// Domain XML, ending with a newline.
    pub xml: String,
    /// What could not be expressed (warnings) and what libvirt adds (notes).
    pub losses: Vec<Diagnostic>,
}

/// Bytes as libvirt's `unit='KiB'` text, rounded up.
fn kib(bytes: u64) -> String {
    bytes.div_ceil(1024).to_string()
}

/// Environment variables libvirt sets for init by itself.
pub const LIBVIRT_ENV: [&str; 6] = [
    "PATH",
    "container",
    "container_uuid",
    "LIBVIRT_LXC_NAME",
    "LIBVIRT_LXC_UUID",
    "LIBVIRT_LXC_CMDLINE",
];

/// Write a domain XML for a model (normally prepared with `from_native::prepare`).
pub fn emit(doc: &Document) -> XmlOutput {
    let mut w = W::new(doc);
    let c = &doc.container;
    let lv = c.libvirt.clone().unwrap_or_default();
    let shares: Vec<(Namespace, &String)> =
        c.namespaces.share.iter().map(|(n, v)| (*n, v)).collect();
    let lxc_ns = shares
        .iter()
        .any(|(n, _)| matches!(n, Namespace::Net | Namespace::Ipc | Namespace::Uts));
    let mut root = vec![("type", "lxc".to_string())];
    if lxc_ns {
        root.push((
            "xmlns:lxc",
            "http://libvirt.org/schemas/domain/lxc/1.0".into(),
        ));
    }
    w.open("domain", &root);
    general::identity(&mut w, c, &lv);
    let memory = resources::memory(&mut w, c, &lv);
    resources::blkiotune(&mut w, c);
    resources::memtune(&mut w, c, &lv, memory);
    resources::vcpu_and_cputune(&mut w, c, &lv);
    resources::numatune_and_partition(&mut w, c, &lv);
    os::os(&mut w, c, &lv);
    features::idmap(&mut w, c);
    features::features(&mut w, c);
    general::kept_top_level(&mut w, c);
    general::clock_and_lifecycle(&mut w, &lv);
    devices::devices(&mut w, c, &lv);
    security::seclabels(&mut w, c);
    if lxc_ns {
        security::lxc_namespace(&mut w, c);
    }
    w.close("domain");
    losses::losses_for_the_rest(&mut w);
    losses::report_refused(&mut w);
    XmlOutput {
        xml: w.out,
        losses: w.losses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writable;
    use lxconf_model::model::EnvVar;

    #[test]
    fn the_seccomp_loss_covers_the_policy_read_from_the_profile() {
        let mut doc = Document::default();
        doc.container.name = Some("c".into());
        doc.container.init.command = vec!["/bin/sh".into()];
        let s = &mut doc.container.security;
        s.seccomp_profile = Some("/p.seccomp".into());
        s.seccomp_policy = Some(lxconf_model::SeccompPolicy {
            version: 2,
            list: lxconf_model::SeccompList::Denylist,
            default_action: None,
            rules: Vec::new(),
        });
        let out = emit(&doc);
        let covers = |p: &str| out.losses.iter().any(|l| l.covers(p));
        assert!(covers("/security/seccomp_profile"));
        assert!(covers("/security/seccomp_policy/rules/0"));
        doc.container.security.seccomp_profile = None;
        let out = emit(&doc);
        assert!(out
            .losses
            .iter()
            .any(|l| l.covers("/security/seccomp_policy")));
    }

    #[test]
    fn init_text_is_escaped_only_where_xml_needs_it() {
        // libvirt prints initenv text unescaped; lxconf matches it for `'`, `"` and `>`
        // and escapes `&` and `<`, so the document stays well-formed.
        let mut doc = Document::default();
        doc.container.name = Some("c".into());
        doc.container.init.command = vec!["/bin/sh".into()];
        doc.container.init.env.push(EnvVar {
            name: "MSG".into(),
            value: Some("a<b & \"it's\" > 0".into()),
        });
        let out = emit(&doc);
        assert!(
            out.xml
                .contains("<initenv name='MSG'>a&lt;b &amp; \"it's\" > 0</initenv>"),
            "{}",
            out.xml
        );
        assert_eq!(
            writable::xml_escape("a'b", true, true),
            Ok("a&apos;b".into())
        );
    }
}
