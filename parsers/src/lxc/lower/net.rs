use super::*;

impl Lowerer<'_> {
    pub(super) fn apply_net(
        &mut self,
        n: u32,
        sub: &'static str,
        key_origin: Origin,
        v: Value<'_>,
    ) {
        let t = v.text;
        if sub == "type" {
            return self.net_type(n, key_origin, v);
        }
        let typed_subkey = sub.starts_with("veth.")
            || sub.starts_with("macvlan.")
            || sub.starts_with("ipvlan.")
            || sub == "vlan.id";
        let state = self.nets.entry(n).or_insert_with(|| NetState {
            net: Network::new(n, NetKind::Empty),
            typed: false,
            origin: key_origin,
            set: Vec::new(),
        });
        if typed_subkey {
            let wanted = match sub.split('.').next() {
                Some("veth") => NetKind::Veth,
                Some("macvlan") => NetKind::Macvlan,
                Some("ipvlan") => NetKind::Ipvlan,
                _ => NetKind::Vlan,
            };
            if !state.typed || state.net.kind != wanted {
                let kind_name = format!("{wanted:?}").to_lowercase();
                self.diag(
                    Diagnostic::new(
                        Code::L008,
                        format!("`{sub}` needs network {n} to be of type {kind_name} first"),
                    )
                    .at(key_origin)
                    .help(format!(
                        "put `{} = {kind_name}` before this line",
                        keys::family::net_key(n, "type", false)
                    )),
                );
                return;
            }
        }
        state.set.push((sub, key_origin));
        let net = &mut state.net;
        let (error, warning) = if sub.starts_with("veth.") {
            let veth = net.veth.get_or_insert_with(Veth::default);
            (veth_subkey(veth, sub, t), None)
        } else {
            net_subkey(net, sub, t)
        };
        if let Some((message, help)) = error {
            self.invalid(v, message, help);
        }
        if let Some((code, message, help)) = warning {
            self.diag(
                Diagnostic::new(code, message)
                    .severity(Severity::Warning)
                    .at(v.origin)
                    .help(help),
            );
        }
    }

    /// `lxc.net.N.type`: (re)creates network N, wiping what was set before.
    fn net_type(&mut self, n: u32, key_origin: Origin, v: Value<'_>) {
        let t = v.text;
        let empty = t.is_empty();
        if empty {
            // liblxc keeps the interface, untyped, with its settings wiped.
            self.nets.insert(
                n,
                NetState {
                    net: Network::new(n, NetKind::Empty),
                    typed: false,
                    origin: key_origin,
                    set: Vec::new(),
                },
            );
            return;
        }
        let kind = match t {
            "veth" => NetKind::Veth,
            "macvlan" => NetKind::Macvlan,
            "ipvlan" => NetKind::Ipvlan,
            "vlan" => NetKind::Vlan,
            "phys" => NetKind::Phys,
            "empty" => NetKind::Empty,
            "none" => NetKind::None,
            _ => {
                let help = if t == "bridge" {
                    "a bridged interface is `type = veth` with `link = BRIDGE`".to_string()
                } else {
                    "use veth, macvlan, ipvlan, vlan, phys, empty or none".to_string()
                };
                self.invalid(v, format!("`{t}` is not a network type"), help);
                return;
            }
        };
        if let Some(prev) = self.nets.get(&n) {
            if !prev.set.is_empty() {
                let mut d = Diagnostic::new(
                    Code::L016,
                    format!("`type` resets network {n}: the settings above it are lost"),
                )
                .at(key_origin)
                .help("liblxc wipes a network when its `type` is set; put `type` first");
                for (k, o) in prev.set.iter().take(4) {
                    d = d.also(*o, format!("`{k}` discarded"));
                }
                self.diag(d);
            }
        }
        let mut net = Network::new(n, kind);
        if kind == NetKind::Empty {
            // liblxc names the loopback-only interface `lo`.
            net.name = Some("lo".into());
        }
        if kind == NetKind::Ipvlan {
            // liblxc 5 means to default to l3, but its new netdev holds mode 0, which is
            // already a valid mode (l2), so l2 is what it reports and creates.
            net.ipvlan_mode = Some(IpvlanMode::L2);
        }
        self.nets.insert(
            n,
            NetState {
                net,
                typed: true,
                origin: key_origin,
                set: Vec::new(),
            },
        );
    }
}

/// A network subkey outside `veth.*`: the error and the warning it raises.
fn net_subkey(net: &mut Network, sub: &str, t: &str) -> (NetError, NetWarning) {
    let empty = t.is_empty();
    let mut error: NetError = None;
    let mut warning: NetWarning = None;
    match sub {
        "flags" => {
            net.up = !empty;
            if !empty && t != "up" {
                warning = Some((
                    Code::L003,
                    format!("`flags = {t}` brings the interface up: any non-empty value means up"),
                    "write `flags = up`, or remove the line to leave the interface down".into(),
                ));
            }
        }
        "link" => net.link = (!empty).then(|| t.to_string()),
        "name" => {
            if t.len() > 15 {
                // liblxc cuts at byte 15 (IFNAMSIZ); a cut inside a multi-byte character
                // is moved back to the character's start so the name stays text.
                let cut = (0..=15).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
                warning = Some((
                    Code::L020,
                    format!(
                        "interface name `{t}` is longer than 15 bytes; liblxc truncates it to `{}`",
                        &t[..cut]
                    ),
                    "use a name of at most 15 characters".into(),
                ));
                net.name = Some(t[..cut].to_string());
            } else {
                net.name = (!empty).then(|| t.to_string());
            }
        }
        "hwaddr" => {
            if empty {
                net.hwaddr = None;
            } else {
                match t.parse() {
                    Ok(mac) => net.hwaddr = Some(mac),
                    Err(e) => error = Some((e.to_string(), "write six hex octets, e.g. `00:16:3e:12:34:56` (`x` digits are randomized)".into())),
                }
            }
        }
        "mtu" => {
            if empty {
                net.mtu = None;
            } else {
                match t.parse::<u32>() {
                    Ok(m) => net.mtu = Some(m),
                    Err(_) => error = Some((
                        format!("`{t}` is not an MTU"),
                        "liblxc accepts any text here but fails when the container starts; write a number such as 1500".into(),
                    )),
                }
            }
        }
        "ipv4.address" | "ipv6.address" | "ipv4.gateway" | "ipv6.gateway" => {
            (error, warning) = net_address(net, sub, t);
        }
        "script.up" => net.script_up = (!empty).then(|| t.to_string()),
        "script.down" => net.script_down = (!empty).then(|| t.to_string()),
        "l2proxy" => match parse_bool01(t) {
            Ok((b, _)) => net.l2proxy = b,
            Err(e) if !empty => error = Some((e.to_string(), "write 0 or 1".into())),
            Err(_) => net.l2proxy = false,
        },
        "macvlan.mode" | "ipvlan.mode" | "ipvlan.isolation" | "vlan.id" => {
            error = net_mode(net, sub, t);
        }
        _ => {}
    }
    (error, warning)
}

/// A `veth.*` subkey: the error it raises.
fn veth_subkey(veth: &mut Veth, sub: &str, t: &str) -> NetError {
    let empty = t.is_empty();
    let mut error: NetError = None;
    match sub {
        "veth.pair" => {
            if t.len() > 15 {
                error = Some((
                    format!("`{t}` is longer than 15 bytes"),
                    "use an interface name of at most 15 characters".into(),
                ));
            } else {
                veth.pair = (!empty).then(|| t.to_string())
            }
        }
        "veth.mode" => match t {
            "" | "bridge" => veth.mode = VethMode::Bridge,
            "router" => veth.mode = VethMode::Router,
            _ => {
                error = Some((
                    format!("`{t}` is not a veth mode"),
                    "use bridge or router".into(),
                ))
            }
        },
        "veth.ipv4.route" | "veth.ipv6.route" => {
            if empty {
                veth.routes.clear();
            } else {
                match parse_route(t, sub.contains("ipv6")) {
                    Ok(r) => veth.routes.push(r),
                    Err(e) => error = Some((e.to_string(), "write `ADDRESS/PREFIX`".into())),
                }
            }
        }
        "veth.vlan.id" => {
            if empty || t == "none" {
                veth.vlan_id = None;
            } else {
                match parse_uint(t).ok().filter(|n| n.value <= 4094) {
                    Some(n) => veth.vlan_id = Some(n.value as u16),
                    None => {
                        error = Some((
                            format!("`{t}` is not a vlan id"),
                            "use 0..4094 or `none`".into(),
                        ))
                    }
                }
            }
        }
        "veth.vlan.tagged.id" => {
            if empty {
                veth.vlan_tagged.clear();
            } else {
                match parse_uint(t).ok().filter(|n| n.value <= 4094) {
                    Some(n) => veth.vlan_tagged.push(n.value as u16),
                    None => error = Some((format!("`{t}` is not a vlan id"), "use 0..4094".into())),
                }
            }
        }
        "veth.n_rxqueues" | "veth.n_txqueues" => {
            let q = if empty {
                Ok(None)
            } else {
                match parse_uint(t) {
                    Ok(n) if n.value > 0 => Ok(Some(n.value as u32)),
                    _ => Err(()),
                }
            };
            match q {
                Ok(q) if sub.ends_with("rxqueues") => veth.rx_queues = q,
                Ok(q) => veth.tx_queues = q,
                Err(()) => {
                    error = Some((
                        format!("`{t}` is not a positive queue count"),
                        "write a number greater than 0".into(),
                    ))
                }
            }
        }
        _ => {}
    }
    error
}

/// A refused value: message and help.
type NetError = Option<(String, String)>;
/// An accepted but suspicious value: code, message and help.
type NetWarning = Option<(Code, String, String)>;

/// `ipv4.*` and `ipv6.*` addresses and gateways: the error and the warning they raise.
fn net_address(net: &mut Network, sub: &str, t: &str) -> (NetError, NetWarning) {
    let empty = t.is_empty();
    let mut error: NetError = None;
    let mut warning: NetWarning = None;
    match sub {
        "ipv4.address" => {
            if empty {
                net.ipv4.clear();
            } else {
                match parse_ipv4_address(t) {
                    Ok((a, given)) => {
                        if !given {
                            warning = Some((
                                Code::L013,
                                format!("IPv4 address without prefix: liblxc uses /{}", a.prefix),
                                format!("add the prefix explicitly, e.g. `{}/24`; liblxc's computed prefix depends on the last octet", a.address),
                            ));
                        }
                        net.ipv4.push(a);
                    }
                    Err(e) => {
                        error = Some((
                            e.to_string(),
                            "write `ADDRESS/PREFIX [BROADCAST]`, e.g. `10.0.3.5/24`".into(),
                        ))
                    }
                }
            }
        }
        "ipv6.address" => {
            if empty {
                net.ipv6.clear();
            } else {
                match parse_ipv6_address(t) {
                    Ok(a) => {
                        if a.prefix > 128 {
                            warning = Some((
                                Code::L003,
                                format!("IPv6 prefix /{} is larger than 128", a.prefix),
                                "liblxc accepts it but the kernel will refuse the address; use a prefix of at most 128".into(),
                            ));
                        }
                        net.ipv6.push(a);
                    }
                    Err(e) => {
                        error = Some((
                            e.to_string(),
                            "write `ADDRESS[/PREFIX]`, e.g. `fd00::5/64`".into(),
                        ))
                    }
                }
            }
        }
        "ipv4.gateway" | "ipv6.gateway" => {
            let v6 = sub.starts_with("ipv6");
            let gw = if empty {
                Ok(None)
            } else {
                parse_gateway(t, v6).map(Some)
            };
            match gw {
                Ok(g) => {
                    let slot = if v6 {
                        &mut net.ipv6_gateway
                    } else {
                        &mut net.ipv4_gateway
                    };
                    // liblxc keeps `auto` and `dev` in flags: an empty value clears an
                    // address only, and nothing but a new `type` clears `dev`, which its
                    // start code prefers to an address or `auto` (a device route).
                    *slot = match (*slot, g) {
                        (Some(Gateway::Dev), _) => Some(Gateway::Dev),
                        (old @ Some(Gateway::Auto), None) => old,
                        (_, new) => new,
                    };
                }
                Err(e) => error = Some((e.to_string(), "write an address, `auto` or `dev`".into())),
            }
        }
        _ => {}
    }
    (error, warning)
}

/// The modes of macvlan and ipvlan interfaces and the vlan id: the error they raise.
fn net_mode(net: &mut Network, sub: &str, t: &str) -> NetError {
    let empty = t.is_empty();
    let mut error: NetError = None;
    match sub {
        "macvlan.mode" => {
            net.macvlan_mode = Some(match t {
                "" | "private" => MacvlanMode::Private,
                "vepa" => MacvlanMode::Vepa,
                "bridge" => MacvlanMode::Bridge,
                "passthru" => MacvlanMode::Passthru,
                _ => {
                    error = Some((
                        format!("`{t}` is not a macvlan mode"),
                        "use private, vepa, bridge or passthru".into(),
                    ));
                    MacvlanMode::Private
                }
            })
        }
        "ipvlan.mode" => {
            net.ipvlan_mode = Some(match t {
                "" | "l3" => IpvlanMode::L3,
                "l3s" => IpvlanMode::L3s,
                "l2" => IpvlanMode::L2,
                _ => {
                    error = Some((
                        format!("`{t}` is not an ipvlan mode"),
                        "use l3, l3s or l2".into(),
                    ));
                    IpvlanMode::L3
                }
            })
        }
        "ipvlan.isolation" => {
            net.ipvlan_isolation = Some(match t {
                "" | "bridge" => IpvlanIsolation::Bridge,
                "private" => IpvlanIsolation::Private,
                "vepa" => IpvlanIsolation::Vepa,
                _ => {
                    error = Some((
                        format!("`{t}` is not an ipvlan isolation"),
                        "use bridge, private or vepa".into(),
                    ));
                    IpvlanIsolation::Bridge
                }
            })
        }
        "vlan.id" => {
            if empty {
                net.vlan_id = None;
            } else {
                match parse_uint(t).ok().and_then(|n| u16::try_from(n.value).ok()) {
                    Some(id) => net.vlan_id = Some(id),
                    None => {
                        error = Some((
                            format!("`{t}` is not a vlan id"),
                            "use a number from 0 to 4094".into(),
                        ))
                    }
                }
            }
        }
        _ => {}
    }
    error
}
