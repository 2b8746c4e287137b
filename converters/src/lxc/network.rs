//! User and network namespaces, capabilities.

use super::*;

impl Emitter<'_> {
    pub(super) fn idmap(&mut self) {
        let maps = &self.doc.container.idmap;
        if maps.is_empty() {
            return;
        }
        self.section("User namespace");
        let k = self.key(K::Idmap);
        for m in maps {
            self.line(k, m);
        }
    }

    pub(super) fn networks(&mut self) {
        let c = &self.doc.container;
        let nets = &c.networks;
        // A lone loopback, down, in a new network namespace is what LXC does without any
        // network line: nothing to write.
        let implicit_lo = |n: &Network| {
            let mut lo = Network::new(0, NetKind::Empty);
            lo.name = Some("lo".into());
            *n == lo
        };
        let bare = nets.len() == 1
            && implicit_lo(&nets[0])
            && c.namespaces.clone.contains(&Namespace::Net);
        if nets.is_empty() || bare {
            return;
        }
        self.section("Network");
        for (i, n) in nets.iter().enumerate() {
            let pointer = pointer::item(pointer::NETWORKS, i).to_string();
            let p = if self.opts.legacy {
                // 2.x unindexed form: each `type` line starts the next interface.
                Family::Net.prefix_for(true).to_string()
            } else {
                Family::Net.key(n.index)
            };
            let key = |sub: &str| -> String {
                let sub = match (self_legacy(self.opts), sub) {
                    (true, "ipv4.address") => "ipv4",
                    (true, "ipv6.address") => "ipv6",
                    (_, s) => s,
                };
                format!("{p}.{sub}")
            };
            self.line(&key("type"), lower(n.kind));
            if let Some(l) = &n.link {
                self.text(&format!("{pointer}/link"), &key("link"), l);
            }
            if let Some(net) = &n.network {
                self.loss(
                    &pointer,
                    format!("libvirt network `{net}`"),
                    "LXC has no libvirt networks: attach the veth to the network's bridge with `link`",
                );
            }
            match (&n.name, n.kind) {
                (Some(name), NetKind::Empty) if name == "lo" => {}
                (Some(name), _) => self.text(&format!("{pointer}/name"), &key("name"), name),
                _ => {}
            }
            if let Some(h) = &n.hwaddr {
                self.line(&key("hwaddr"), h);
            }
            if let Some(m) = n.mtu {
                self.line(&key("mtu"), m);
            }
            if n.up {
                self.line(&key("flags"), "up");
            }
            for a in &n.ipv4 {
                let mut v = format!("{}/{}", a.address, a.prefix);
                if let Some(b) = a.broadcast {
                    let _ = write!(v, " {b}");
                }
                if a.peer.is_some() {
                    self.loss(
                        &pointer,
                        format!("the peer address of {}", a.address),
                        "LXC has no point-to-point peer setting",
                    );
                }
                self.line(&key("ipv4.address"), v);
            }
            if let Some(g) = &n.ipv4_gateway {
                self.line(&key("ipv4.gateway"), gateway(g));
            }
            for a in &n.ipv6 {
                self.line(&key("ipv6.address"), format!("{}/{}", a.address, a.prefix));
            }
            if let Some(g) = &n.ipv6_gateway {
                self.line(&key("ipv6.gateway"), gateway(g));
            }
            if !n.routes.is_empty() {
                self.loss(
                    &pointer,
                    format!("{} route(s) inside the container", n.routes.len()),
                    "LXC only sets the default gateway; add the routes from a start hook",
                );
            }
            if let Some(v) = &n.veth {
                if let Some(pair) = &v.pair {
                    self.text(&format!("{pointer}/veth/pair"), &key("veth.pair"), pair);
                }
                if v.mode != VethMode::Bridge {
                    self.line(&key("veth.mode"), lower(v.mode));
                }
                for r in &v.routes {
                    let k = if r.address.is_ipv6() {
                        "veth.ipv6.route"
                    } else {
                        "veth.ipv4.route"
                    };
                    self.line(&key(k), format!("{}/{}", r.address, r.prefix));
                }
                if let Some(id) = v.vlan_id {
                    self.line(&key("veth.vlan.id"), id);
                }
                for id in &v.vlan_tagged {
                    self.line(&key("veth.vlan.tagged.id"), id);
                }
                if let Some(q) = v.rx_queues {
                    self.line(&key("veth.n_rxqueues"), q);
                }
                if let Some(q) = v.tx_queues {
                    self.line(&key("veth.n_txqueues"), q);
                }
            }
            if let Some(m) = n.macvlan_mode.filter(|m| *m != MacvlanMode::Private) {
                self.line(&key("macvlan.mode"), lower(m));
            }
            // liblxc 5 creates an ipvlan in l2 mode unless told otherwise (the reader's default).
            if let Some(m) = n.ipvlan_mode.filter(|m| *m != IpvlanMode::L2) {
                self.line(&key("ipvlan.mode"), lower(m));
            }
            if let Some(m) = n.ipvlan_isolation.filter(|m| *m != IpvlanIsolation::Bridge) {
                self.line(&key("ipvlan.isolation"), lower(m));
            }
            if let Some(id) = n.vlan_id {
                self.line(&key("vlan.id"), id);
            }
            if n.l2proxy {
                self.line(&key("l2proxy"), 1);
            }
            if let Some(s) = &n.script_up {
                self.text(&format!("{pointer}/script_up"), &key("script.up"), s);
            }
            if let Some(s) = &n.script_down {
                self.text(&format!("{pointer}/script_down"), &key("script.down"), s);
            }
        }
    }

    pub(super) fn capabilities(&mut self) {
        let caps = &self.doc.container.capabilities;
        let (key, list): (&str, Vec<String>) = match caps {
            Capabilities::Drop { caps } if caps.is_empty() => return,
            Capabilities::Drop { caps } => (
                K::CapDrop.name(),
                caps.iter().map(|c| c.name().to_string()).collect(),
            ),
            Capabilities::Keep { caps } if caps.is_empty() => {
                (K::CapKeep.name(), vec!["none".into()])
            }
            Capabilities::Keep { caps } => (
                K::CapKeep.name(),
                caps.iter().map(|c| c.name().to_string()).collect(),
            ),
            Capabilities::Policy { .. } => {
                let dropped = caps.dropped();
                if dropped.is_empty() {
                    return;
                }
                (
                    K::CapDrop.name(),
                    dropped.iter().map(|c| c.name().to_string()).collect(),
                )
            }
        };
        self.section("Capabilities");
        self.line(key, list.join(" "));
    }

    pub(super) fn namespaces(&mut self) {
        let c = &self.doc.container;
        let default = c.lxc_default_namespaces();
        if c.namespaces.clone == default && c.namespaces.share.is_empty() {
            return;
        }
        self.section("Namespaces");
        if c.namespaces.clone != default {
            let names: Vec<&str> = c.namespaces.clone.iter().map(|n| n.name()).collect();
            if names.is_empty() {
                self.note(
                    pointer::NAMESPACES_CLONE,
                    "the container creates no namespace".into(),
                    &format!(
                        "LXC needs at least one namespace in {}; keep is used instead",
                        K::NamespaceClone
                    ),
                );
                let all: Vec<&str> = Namespace::ALL
                    .iter()
                    .filter(|n| !c.namespaces.share.contains_key(n))
                    .map(|n| n.name())
                    .collect();
                self.line(K::NamespaceKeep.name(), all.join(" "));
            } else {
                self.line(K::NamespaceClone.name(), names.join(" "));
            }
        }
        // An absolute path is opened as a namespace file by liblxc 5 (`/run/netns/red`, the
        // `ip netns` name libvirt's sharenet type='netns' joins); anything else is a
        // container name or a pid.
        for (ns, target) in &c.namespaces.share {
            let pointer = pointer::entry(pointer::NAMESPACES_SHARE, ns.name());
            self.text(&pointer, &Family::NamespaceShare.key(ns.name()), target);
        }
    }
}
