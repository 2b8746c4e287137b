use super::*;

impl Lowerer<'_> {
    pub(super) fn uint(&mut self, v: Value<'_>) -> Option<u32> {
        match parse_uint(v.text) {
            Ok(n) => {
                self.warn_base(v, n.non_decimal);
                Some(n.value as u32)
            }
            Err(e) => {
                self.invalid(v, e, "write a decimal number such as `0` or `4`");
                None
            }
        }
    }

    pub(super) fn bool01(&mut self, v: Value<'_>) -> Option<bool> {
        match parse_bool01(v.text) {
            Ok((b, nd)) => {
                self.warn_base(v, nd);
                Some(b)
            }
            Err(e) => {
                self.invalid(v, e, "write `1` to enable or `0` to disable");
                None
            }
        }
    }

    pub(super) fn signal(&mut self, v: Value<'_>) -> Option<Signal> {
        match Signal::parse_lxc(v.text) {
            Ok(s) => Some(s),
            Err(e) => {
                self.invalid(v, e, "write a signal name with its `SIG` prefix (`SIGTERM`), a number, or `SIGRTMIN+n`");
                None
            }
        }
    }

    pub(super) fn warn_base(&mut self, v: Value<'_>, non_decimal: bool) {
        if non_decimal {
            self.diag(
                Diagnostic::new(
                    Code::L014,
                    format!("`{}` is read as an octal or hexadecimal number", v.text),
                )
                .at(v.origin)
                .help(
                    "liblxc reads numbers with strtoul base 0: `010` is 8; write the decimal value",
                ),
            );
        }
    }

    pub(super) fn set_string(&mut self, pointer: &'static str, v: Value<'_>) -> Option<String> {
        if v.text.is_empty() {
            self.origins.remove_under(pointer);
            None
        } else {
            self.origins.record(pointer, v.origin);
            Some(v.text.to_string())
        }
    }

    pub(super) fn set_bool(
        &mut self,
        v: Value<'_>,
        set: impl FnOnce(&mut Container, bool),
        pointer: &'static str,
    ) {
        if v.text.is_empty() {
            set(&mut self.c, false);
            return;
        }
        if let Some(b) = self.bool01(v) {
            set(&mut self.c, b);
            self.origins.record(pointer, v.origin);
        }
    }

    pub(super) fn uid_value(&mut self, v: Value<'_>) -> Option<u32> {
        match parse_uint(v.text) {
            Ok(n) if n.value == u64::from(RESERVED_ID) => {
                let d = Diagnostic::new(Code::M041, "4294967295 is (uid_t)-1, which setuid reads as \"unchanged\": init would stay root")
                    .at(v.origin)
                    .help("use the id init should run as (at most 4294967294)");
                self.diag(d);
                None
            }
            Ok(n) => {
                self.warn_base(v, n.non_decimal);
                Some(n.value as u32)
            }
            Err(e @ ValueError::Over32Bits { .. }) => {
                self.invalid(v, e, "ids are 32-bit numbers below 4294967295");
                None
            }
            Err(_) => {
                self.invalid(
                    v,
                    format!("`{}` is not a numeric id", v.text),
                    "liblxc only takes numbers here (a name slips through its parser and fails later); write the numeric id",
                );
                None
            }
        }
    }
}
