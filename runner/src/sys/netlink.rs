//! A small synchronous rtnetlink client (netlink-packet-route over netlink-sys): just the
//! link, address and route requests the runner needs. It works in the network namespace of
//! the calling process.

use super::{Pid, SysError, SysResult};
use crate::plan::{IfConfig, LinkCreate};
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL,
    NLM_F_REQUEST,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoIpVlan, InfoKind, InfoMacVlan, InfoVeth, InfoVlan, IpVlanMode, LinkAttribute,
    LinkFlags, LinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::net::IpAddr;

/// An rtnetlink socket.
pub struct Rtnl {
    socket: Socket,
    seq: u32,
}

fn nl_err(op: &str, e: std::io::Error) -> SysError {
    SysError {
        op: op.to_string(),
        errno: e.raw_os_error(),
        detail: e.to_string(),
    }
}

impl Rtnl {
    /// Open a socket in the caller's network namespace.
    pub fn open() -> SysResult<Rtnl> {
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| nl_err("netlink socket", e))?;
        socket.bind_auto().map_err(|e| nl_err("netlink bind", e))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(|e| nl_err("netlink connect", e))?;
        Ok(Rtnl { socket, seq: 1 })
    }

    /// Send one request and collect the replies up to the ack.
    fn request(
        &mut self,
        op: &str,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> SysResult<Vec<RouteNetlinkMessage>> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        self.seq += 1;
        header.sequence_number = self.seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(msg));
        packet.finalize();
        let mut buf = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut buf);
        self.socket.send(&buf, 0).map_err(|e| nl_err(op, e))?;
        let mut replies = Vec::new();
        loop {
            let (data, _) = self.socket.recv_from_full().map_err(|e| nl_err(op, e))?;
            let mut offset = 0;
            while offset < data.len() {
                let reply = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&data[offset..])
                    .map_err(|e| SysError::msg(op, format!("bad netlink reply: {e}")))?;
                let len = reply.header.length as usize;
                match reply.payload {
                    NetlinkPayload::Error(err) => {
                        return match err.code {
                            None => Ok(replies),
                            Some(code) => Err(SysError::errno(op, -code.get())),
                        };
                    }
                    NetlinkPayload::Done(_) => return Ok(replies),
                    NetlinkPayload::InnerMessage(m) => replies.push(m),
                    _ => {}
                }
                if len == 0 {
                    break;
                }
                offset += (len + 3) & !3;
            }
        }
    }

    /// The index of interface `name`, if it exists.
    pub fn index(&mut self, name: &str) -> SysResult<Option<u32>> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        match self.request("get link", RouteNetlinkMessage::GetLink(msg), 0) {
            Ok(replies) => Ok(replies.into_iter().find_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => Some(l.header.index),
                _ => None,
            })),
            Err(e) if e.errno == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn need_index(&mut self, name: &str) -> SysResult<u32> {
        self.index(name)?
            .ok_or_else(|| SysError::errno(format!("interface {name}"), libc::ENODEV))
    }

    /// Set flags and attributes of a link.
    fn set_link(&mut self, index: u32, up: bool, attrs: Vec<LinkAttribute>) -> SysResult<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        if up {
            msg.header.flags = LinkFlags::Up;
            msg.header.change_mask = LinkFlags::Up;
        }
        msg.attributes = attrs;
        self.request("set link", RouteNetlinkMessage::SetLink(msg), 0)
            .map(|_| ())
    }

    /// The name of interface `index`, if it exists.
    fn name_of(&mut self, index: u32) -> SysResult<Option<String>> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        match self.request("get link", RouteNetlinkMessage::GetLink(msg), 0) {
            Ok(replies) => Ok(replies.into_iter().find_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => l.attributes.into_iter().find_map(|a| match a {
                    LinkAttribute::IfName(n) => Some(n),
                    _ => None,
                }),
                _ => None,
            })),
            Err(e) if e.errno == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create `link` with its container end in the network namespace of `pid`. Returns the
    /// index of the host interface created (a veth's host end); on failure nothing created
    /// here is left, and an interface that existed before is never touched.
    pub fn create(&mut self, link: &LinkCreate, pid: Pid) -> SysResult<Option<u32>> {
        if let LinkCreate::Veth { host, bridge, .. } = link {
            let index = self.create_veth(link, pid)?;
            return match self.attach_and_up(index, bridge.as_deref()) {
                Ok(()) => Ok(Some(index)),
                Err(e) => {
                    let _ = self.delete(host, index);
                    Err(e)
                }
            };
        }
        self.create_other(link, pid).map(|()| None)
    }

    /// Attach a new host end to its bridge (when that exists) and bring it up.
    fn attach_and_up(&mut self, index: u32, bridge: Option<&str>) -> SysResult<()> {
        let mut attrs = Vec::new();
        if let Some(br) = bridge {
            if let Some(bi) = self.index(br)? {
                attrs.push(LinkAttribute::Controller(bi));
            }
        }
        self.set_link(index, true, attrs)
    }

    /// Create a veth pair; returns the host end's index.
    fn create_veth(&mut self, link: &LinkCreate, pid: Pid) -> SysResult<u32> {
        let LinkCreate::Veth {
            host,
            peer,
            hwaddr,
            mtu,
            ..
        } = link
        else {
            return Err(SysError::msg("create veth", "not a veth"));
        };
        // NLM_F_EXCL makes the kernel refuse an existing name; the check first only gives
        // the clearer message.
        if self.index(host)?.is_some() {
            return Err(SysError::errno(
                format!("host interface {host} already exists"),
                libc::EEXIST,
            ));
        }
        let mut peer_msg = LinkMessage::default();
        peer_msg
            .attributes
            .push(LinkAttribute::IfName(peer.clone()));
        peer_msg
            .attributes
            .push(LinkAttribute::NetNsPid(pid as u32));
        if let Some(mac) = hwaddr {
            peer_msg
                .attributes
                .push(LinkAttribute::Address(mac.to_vec()));
        }
        if let Some(mtu) = mtu {
            peer_msg.attributes.push(LinkAttribute::Mtu(*mtu));
        }
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(host.clone()));
        if let Some(mtu) = mtu {
            msg.attributes.push(LinkAttribute::Mtu(*mtu));
        }
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::Veth),
            LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer_msg))),
        ]));
        self.request(
            &format!("create veth {host}"),
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )?;
        self.need_index(host)
    }

    /// Create a macvlan/ipvlan/vlan in, or move a phys link into, the container.
    fn create_other(&mut self, link: &LinkCreate, pid: Pid) -> SysResult<()> {
        match link {
            LinkCreate::Veth { .. } => Err(SysError::msg("create link", "a veth")),
            LinkCreate::Child {
                kind,
                link,
                name,
                param,
                hwaddr,
                mtu,
            } => {
                let parent = self.need_index(link)?;
                let (info_kind, data) = match kind.as_str() {
                    "macvlan" => (
                        InfoKind::MacVlan,
                        InfoData::MacVlan(vec![InfoMacVlan::Mode(MacVlanMode::from(*param))]),
                    ),
                    "ipvlan" => (
                        InfoKind::IpVlan,
                        InfoData::IpVlan(vec![InfoIpVlan::Mode(IpVlanMode::from(*param as u16))]),
                    ),
                    _ => (
                        InfoKind::Vlan,
                        InfoData::Vlan(vec![InfoVlan::Id(*param as u16)]),
                    ),
                };
                let mut msg = LinkMessage::default();
                msg.attributes.push(LinkAttribute::IfName(name.clone()));
                msg.attributes.push(LinkAttribute::Link(parent));
                msg.attributes.push(LinkAttribute::NetNsPid(pid as u32));
                if let Some(mac) = hwaddr {
                    msg.attributes.push(LinkAttribute::Address(mac.to_vec()));
                }
                if let Some(mtu) = mtu {
                    msg.attributes.push(LinkAttribute::Mtu(*mtu));
                }
                msg.attributes.push(LinkAttribute::LinkInfo(vec![
                    LinkInfo::Kind(info_kind),
                    LinkInfo::Data(data),
                ]));
                self.request(
                    &format!("create {kind} {name} on {link}"),
                    RouteNetlinkMessage::NewLink(msg),
                    NLM_F_CREATE | NLM_F_EXCL,
                )
                .map(|_| ())
            }
            LinkCreate::Phys { link, name, mtu } => {
                let index = self.need_index(link)?;
                let mut attrs = vec![
                    LinkAttribute::NetNsPid(pid as u32),
                    LinkAttribute::IfName(name.clone()),
                ];
                if let Some(mtu) = mtu {
                    attrs.push(LinkAttribute::Mtu(*mtu));
                }
                self.set_link(index, false, attrs)
            }
        }
    }

    /// Delete interface `index` if it still exists and is still called `name`.
    pub fn delete(&mut self, name: &str, index: u32) -> SysResult<()> {
        if self.name_of(index)?.as_deref() != Some(name) {
            return Ok(());
        }
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        match self.request("delete link", RouteNetlinkMessage::DelLink(msg), 0) {
            Err(e) if e.errno == Some(libc::ENODEV) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Move interface `name` of this socket's namespace into the network namespace of
    /// `pid`, renamed `host_name`.
    pub fn give_back(&mut self, name: &str, host_name: &str, pid: Pid) -> SysResult<()> {
        let index = self.need_index(name)?;
        let attrs = vec![
            LinkAttribute::NetNsPid(pid as u32),
            LinkAttribute::IfName(host_name.to_string()),
        ];
        self.set_link(index, false, attrs)
    }

    /// Create a bridge (for tests that own their network namespace) and bring it up.
    pub fn create_bridge(&mut self, name: &str) -> SysResult<u32> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        msg.attributes
            .push(LinkAttribute::LinkInfo(vec![LinkInfo::Kind(
                InfoKind::Bridge,
            )]));
        self.request(
            "create bridge",
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )?;
        let index = self.need_index(name)?;
        self.set_link(index, true, Vec::new())?;
        Ok(index)
    }

    /// Add an address to an interface.
    pub fn add_address(
        &mut self,
        index: u32,
        addr: IpAddr,
        prefix: u8,
        broadcast: Option<IpAddr>,
    ) -> SysResult<()> {
        let mut msg = AddressMessage::default();
        msg.header.index = index;
        msg.header.prefix_len = prefix;
        msg.header.family = match addr {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        msg.attributes.push(AddressAttribute::Local(addr));
        msg.attributes.push(AddressAttribute::Address(addr));
        if let (IpAddr::V4(_), Some(IpAddr::V4(b))) = (addr, broadcast) {
            msg.attributes.push(AddressAttribute::Broadcast(b));
        }
        self.request(
            &format!("add address {addr}/{prefix}"),
            RouteNetlinkMessage::NewAddress(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(|_| ())
    }

    fn add_route(
        &mut self,
        index: u32,
        dest: IpAddr,
        prefix: u8,
        gateway: Option<IpAddr>,
    ) -> SysResult<()> {
        let mut msg = RouteMessage::default();
        msg.header = RouteHeader {
            address_family: match dest {
                IpAddr::V4(_) => AddressFamily::Inet,
                IpAddr::V6(_) => AddressFamily::Inet6,
            },
            destination_prefix_length: prefix,
            table: RouteHeader::RT_TABLE_MAIN,
            protocol: RouteProtocol::Boot,
            scope: if gateway.is_some() {
                RouteScope::Universe
            } else {
                RouteScope::Link
            },
            kind: RouteType::Unicast,
            ..msg.header
        };
        let ra = |a: IpAddr| match a {
            IpAddr::V4(v) => RouteAddress::Inet(v),
            IpAddr::V6(v) => RouteAddress::Inet6(v),
        };
        if prefix > 0 {
            msg.attributes.push(RouteAttribute::Destination(ra(dest)));
        }
        if let Some(gw) = gateway {
            msg.attributes.push(RouteAttribute::Gateway(ra(gw)));
        }
        msg.attributes.push(RouteAttribute::Oif(index));
        self.request(
            &format!("add route {dest}/{prefix}"),
            RouteNetlinkMessage::NewRoute(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(|_| ())
    }

    /// Addresses, up, routes.
    pub fn configure(&mut self, cfg: &IfConfig) -> SysResult<()> {
        let index = self.need_index(&cfg.name)?;
        for (addr, prefix, bcast) in &cfg.addresses {
            self.add_address(index, *addr, *prefix, *bcast)?;
        }
        if cfg.up {
            self.set_link(index, true, Vec::new())?;
        }
        for (dest, prefix, gw) in &cfg.routes {
            self.add_route(index, *dest, *prefix, *gw)?;
        }
        Ok(())
    }
}
