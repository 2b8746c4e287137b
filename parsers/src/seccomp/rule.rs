//! One rule line of a version 2 policy: `name [action] [args]`.

use super::{is_space, scan_int};
use lxconf_model::{SeccompAction, SeccompArg, SeccompCmp, SeccompRule, SeccompSyscall};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while_m_n};
use nom::character::complete::char as ch;
use nom::combinator::opt;
use nom::sequence::preceded;
use nom::IResult;

/// What is wrong with a rule line (liblxc's reasons).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// An action word liblxc does not know (`log`, `trace`...).
    #[error("`{0}` is not a seccomp action")]
    UnknownAction(String),
    /// `errno` without a number.
    #[error("`errno` without a number")]
    ErrnoWithoutNumber,
    /// Text between `]` that is not an argument (`# comment` after the arguments).
    #[error("`{0}` is not an argument filter `[index,value,op]`")]
    NotAnArgument(String),
    /// An argument filter that does not parse.
    #[error("argument filter `{0}`: {1}")]
    BadArgument(String, &'static str),
}

impl RuleError {
    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            Self::UnknownAction(_) | Self::ErrnoWithoutNumber => {
                "liblxc 5.0 knows `kill`, `errno N`, `allow`, `trap` and `notify` (no `log` or `trace`); an argument filter needs an action before it"
            }
            Self::NotAnArgument(_) => {
                "liblxc splits the whole line at `]`: nothing may follow the last argument filter, not even a comment"
            }
            Self::BadArgument(..) => {
                "write `[index,value,op]` or `[index,value,op,mask]`: index 0-5, a number, one of == != < <= > >= &= (or SCMP_CMP_EQ ...), no spaces around the operator"
            }
        }
    }
}

/// The action after a rule's name or after the list word (liblxc's
/// `get_v2_default_action`): spaces, then a word matched by its first letters; empty text
/// is no action.
pub fn parse_action(text: &str) -> Result<Option<SeccompAction>, RuleError> {
    let text = text.trim_start_matches(' ');
    let word: IResult<&str, &str> = alt((
        tag("kill"),
        tag("errno"),
        tag("allow"),
        tag("trap"),
        tag("notify"),
    ))(text);
    match word {
        Ok((_, "kill")) => Ok(Some(SeccompAction::Kill)),
        Ok((rest, "errno")) => scan_int(rest)
            .and_then(|n| i32::try_from(n).ok())
            .map(|n| Some(SeccompAction::Errno(n)))
            .ok_or(RuleError::ErrnoWithoutNumber),
        Ok((_, "allow")) => Ok(Some(SeccompAction::Allow)),
        Ok((_, "trap")) => Ok(Some(SeccompAction::Trap)),
        Ok((_, _)) => Ok(Some(SeccompAction::Notify)),
        Err(_) if text.is_empty() => Ok(None),
        Err(_) => Err(RuleError::UnknownAction(
            text.split(is_space).next().unwrap_or(text).to_string(),
        )),
    }
}

/// A rule line (without its newline). `None` for a line that names nothing (blank
/// space only).
pub(super) fn parse_rule(line: &str) -> Result<Option<SeccompRule>, RuleError> {
    // The action: after the first space, unless the rest is empty or a comment.
    let action = match line.find(' ') {
        None => None,
        Some(space) => {
            let rest = line[space + 1..].trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                None
            } else {
                parse_action(rest)?
            }
        }
    };
    let mut args = Vec::new();
    if line.contains('[') {
        for token in line.split(']').filter(|t| !t.is_empty()).take(6) {
            let Some(open) = token.find('[') else {
                return Err(RuleError::NotAnArgument(token.trim().to_string()));
            };
            let filter = &token[open..];
            args.push(
                parse_arg(filter)
                    .map_err(|why| RuleError::BadArgument(format!("{filter}]"), why))?,
            );
        }
    }
    let name = line.split(' ').next().unwrap_or_default();
    if name.is_empty() {
        return Ok(None);
    }
    let syscall = if name.starts_with("reject_force_umount") {
        SeccompSyscall::RejectForceUmount
    } else {
        SeccompSyscall::Name(name.to_string())
    };
    Ok(Some(SeccompRule {
        arch: Default::default(),
        syscall,
        action,
        args,
    }))
}

/// `sscanf(filter, "[%i,%23[^,],%30[^0-9^,],%23[^,]")`, then liblxc's checks.
fn parse_arg(filter: &str) -> Result<SeccompArg, &'static str> {
    let fields: IResult<&str, (&str, &str, &str, Option<&str>)> = (|i| {
        let (i, _) = ch('[')(i)?;
        let (i, index) = take_till(|c| c == ',')(i)?;
        let (i, _) = ch(',')(i)?;
        let (i, value) = take_while_m_n(1, 23, |c| c != ',')(i)?;
        let (i, _) = ch(',')(i)?;
        let (i, op) = take_while_m_n(1, 30, |c: char| {
            !(c.is_ascii_digit() || c == '^' || c == ',')
        })(i)?;
        let (i, mask) = opt(preceded(ch(','), take_while_m_n(1, 23, |c| c != ',')))(i)?;
        Ok((i, (index, value, op, mask)))
    })(filter);
    let (_, (index, value, op, mask)) = fields.map_err(|_| "not `[index,value,op]`")?;
    let index = scan_c_int(index).ok_or("the index is not a number")?;
    let index = u8::try_from(index)
        .ok()
        .filter(|i| *i < 6)
        .ok_or("the index is not 0 to 5")?;
    let value = safe_u64(value).ok_or("the value is not an unsigned 64-bit number")?;
    let mask = mask
        .map_or(Some(0), safe_u64)
        .ok_or("the mask is not an unsigned 64-bit number")?;
    let op = SeccompCmp::from_text(op).ok_or("unknown operator")?;
    Ok(SeccompArg {
        index,
        value,
        op,
        mask,
    })
}

/// `%i`: blank space, a sign, then hexadecimal (`0x`), octal (`0`) or decimal digits; the
/// whole field must be the number (the next directive is the `,`).
fn scan_c_int(text: &str) -> Option<i64> {
    let t = text.trim_start_matches(is_space);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = parse_c_unsigned(t)?;
    let n = i64::try_from(n).ok()?;
    Some(if negative { -n } else { n })
}

/// `strtoull(text, &end, 0)` that must consume all of `text`.
fn parse_c_unsigned(t: &str) -> Option<u64> {
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.starts_with('+'))
    } else if t.len() > 1 && t.starts_with('0') {
        u64::from_str_radix(&t[1..], 8)
            .ok()
            .filter(|_| !t[1..].starts_with('+'))
    } else if t.starts_with('+') {
        None
    } else {
        t.parse().ok()
    }
}

/// liblxc's `lxc_safe_uint64(text, base 0)`: leading blank space, no minus sign, a `+`
/// allowed, nothing after the number.
fn safe_u64(text: &str) -> Option<u64> {
    let t = text.trim_start_matches(is_space);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.starts_with('-') || t.is_empty() {
        return None;
    }
    parse_c_unsigned(t)
}
