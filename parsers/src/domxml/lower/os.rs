//! `<os>`: the guest type and architecture, and init: its command, environment,
//! directory, user and group.

use super::{first_only, Building, OS_SINGLES};
use crate::domxml::tree::Element;
use crate::domxml::Lower;
use lxconf_model::model::*;
use lxconf_model::{pointer, Code};

/// `<os>`; `<initenv>` is gathered here and merged with libvirt's environment later.
pub(super) fn os(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building {
        c,
        lv,
        os_type_exe,
        init_seen,
        env_origins,
        ..
    } = b;
    for o in first_only(l, &el.children, OS_SINGLES) {
        match o.name.as_str() {
            "type" => {
                *os_type_exe = o.text.trim() == "exe";
                if !*os_type_exe {
                    l.error(
                        Code::X004,
                        &o.range,
                        format!("os type `{}` is not `exe`", o.text.trim()),
                        "LXC guests use <type>exe</type>",
                    );
                }
                if let Some(a) = o.attr("arch") {
                    c.arch = Some(match a {
                        "i686" | "i386" | "i486" | "i586" => "i686".into(),
                        other => other.to_string(),
                    });
                }
            }
            "init" => {
                *init_seen = true;
                c.init.command = vec![o.text.trim().to_string()];
                l.doc.origins.record(pointer::INIT_COMMAND, l.o(&o.range));
            }
            "initarg" => {
                let i = c.init.command.len();
                l.doc.origins.record(pointer::item(pointer::INIT_COMMAND, i), l.o(&o.range));
                c.init.command.push(o.text.clone());
            }
            "initenv" => {
                let n = o.attr("name").unwrap_or("").to_string();
                env_origins.push((n.clone(), l.o(&o.range)));
                lv.layout.initenv_order.push(n.clone());
                if o.text.is_empty() {
                    l.error(Code::X003, &o.range, format!("<initenv name='{n}'> has no value"), "libvirt refuses an empty initenv; remove it or give it a value");
                }
                c.init.env.push(EnvVar {
                    name: n,
                    value: Some(o.text.clone()),
                });
            }
            "initdir" => {
                l.doc.origins.record(pointer::INIT_CWD, l.o(&o.range));
                c.init.cwd = Some(o.text.trim().to_string());
                if o.text.trim() == "/" {
                    lv.layout.explicit_defaults.push("os/initdir".into());
                }
            }
            "inituser" => {
                match o.text.trim().strip_prefix('+').map(str::parse::<u32>) {
                    Some(Ok(lxconf_model::values::RESERVED_ID)) => l.error(Code::M041, &o.range, "4294967295 is (uid_t)-1, which setuid reads as \"unchanged\": init would stay root".into(), "use the id init should run as (at most 4294967294)"),
                    Some(Ok(uid)) => {
                        c.init.uid = uid;
                        if uid == 0 {
                            lv.layout.explicit_defaults.push("os/inituser".into());
                        }
                    }
                    _ => c.init.user_name = Some(o.text.trim().to_string()),
                }
            }
            "initgroup" => match o.text.trim().strip_prefix('+').map(str::parse::<u32>)
            {
                Some(Ok(lxconf_model::values::RESERVED_ID)) => l.error(Code::M041, &o.range, "4294967295 is (gid_t)-1, which setgid reads as \"unchanged\": init would keep gid 0".into(), "use the id init should run as (at most 4294967294)"),
                Some(Ok(gid)) => {
                    c.init.gid = gid;
                    if gid == 0 {
                        lv.layout.explicit_defaults.push("os/initgroup".into());
                    }
                }
                _ => c.init.group_name = Some(o.text.trim().to_string()),
            },
            _ => l.keep(o, &format!("os/{}", o.name), "not used by the LXC driver"),
        }
    }
}
