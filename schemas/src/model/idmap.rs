//! User namespace id mappings.

use super::*;

/// User or group ids.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// User ids.
    Uid,
    /// Group ids.
    Gid,
}

/// One id mapping range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdMap {
    /// User or group ids.
    pub kind: IdKind,
    /// First id inside the container.
    pub container_start: u32,
    /// First id on the host.
    pub host_start: u32,
    /// Number of ids.
    pub count: u32,
}

/// Why an id mapping (`u 0 100000 65536`) does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdMapError {
    /// Not four fields.
    #[error("an idmap has 4 fields, this one has {0}")]
    FieldCount(usize),
    /// The first field is not `u` or `g`.
    #[error("`{0}` is not `u` or `g`")]
    Kind(String),
    /// An id or count that is not a 32-bit unsigned number.
    #[error("`{0}` is not a non-negative id")]
    Number(String),
}

/// LXC's grammar: `u|g CONTAINER_ID HOST_ID COUNT`, blank-separated.
impl std::str::FromStr for IdMap {
    type Err = IdMapError;

    fn from_str(text: &str) -> Result<IdMap, IdMapError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [kind, container, host, count] = fields[..] else {
            return Err(IdMapError::FieldCount(fields.len()));
        };
        let kind = match kind {
            "u" => IdKind::Uid,
            "g" => IdKind::Gid,
            other => return Err(IdMapError::Kind(other.to_string())),
        };
        let number = |f: &str| {
            f.parse::<u32>()
                .map_err(|_| IdMapError::Number(f.to_string()))
        };
        Ok(IdMap {
            kind,
            container_start: number(container)?,
            host_start: number(host)?,
            count: number(count)?,
        })
    }
}

impl std::fmt::Display for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.kind == IdKind::Uid { "u" } else { "g" };
        write!(
            f,
            "{kind} {} {} {}",
            self.container_start, self.host_start, self.count
        )
    }
}

impl IdMap {
    /// Whether container id `id` is mapped by this range.
    pub fn maps_container_id(&self, id: u32) -> bool {
        id >= self.container_start
            && u64::from(id) < u64::from(self.container_start) + u64::from(self.count)
    }
}

/// Why a container's id mappings cannot start it, whoever reads them (liblxc fails at start,
/// libvirt refuses the XML). Lint, the domain XML reader and `domxml-from-native` report
/// these under their own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdMapProblem {
    /// Ids of the other kind are mapped, but none of `kind`.
    KindMissing {
        /// The kind with no mapping.
        kind: IdKind,
    },
    /// Ids of `kind` are mapped, but not the container's root (id 0).
    RootNotMapped {
        /// The kind whose root is unmapped.
        kind: IdKind,
        /// Index in `idmap` of the first mapping of that kind.
        first: usize,
    },
}

impl Container {
    /// What keeps the id mappings from working; empty without a user namespace.
    pub fn idmap_problems(&self) -> Vec<IdMapProblem> {
        let mut problems = Vec::new();
        if self.idmap.is_empty() {
            return problems;
        }
        for kind in [IdKind::Uid, IdKind::Gid] {
            let of_kind = || {
                self.idmap
                    .iter()
                    .enumerate()
                    .filter(move |(_, m)| m.kind == kind)
            };
            match of_kind().next() {
                None => problems.push(IdMapProblem::KindMissing { kind }),
                Some((first, _)) if !of_kind().any(|(_, m)| m.maps_container_id(0)) => {
                    problems.push(IdMapProblem::RootNotMapped { kind, first })
                }
                Some(_) => {}
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idmap_reads_and_writes_lxc_grammar() {
        let m: IdMap = "u 0  100000\t65536".parse().expect("parses");
        assert_eq!(m.to_string(), "u 0 100000 65536");
        assert_eq!(m.to_string().parse::<IdMap>(), Ok(m));
        assert_eq!("u 0 1".parse::<IdMap>(), Err(IdMapError::FieldCount(3)));
        assert_eq!(
            "x 0 1 2".parse::<IdMap>(),
            Err(IdMapError::Kind("x".into()))
        );
        assert_eq!(
            "g 0 -1 2".parse::<IdMap>(),
            Err(IdMapError::Number("-1".into()))
        );
    }

    #[test]
    fn idmap_problems_need_both_kinds_and_root() {
        let map = |text: &str| text.parse::<IdMap>().expect("parses");
        let mut c = Container::default();
        assert!(c.idmap_problems().is_empty());
        c.idmap = vec![map("u 0 100000 65536")];
        assert_eq!(
            c.idmap_problems(),
            vec![IdMapProblem::KindMissing { kind: IdKind::Gid }]
        );
        c.idmap = vec![map("u 1 100000 65536"), map("g 0 100000 0")];
        assert_eq!(
            c.idmap_problems(),
            vec![
                IdMapProblem::RootNotMapped {
                    kind: IdKind::Uid,
                    first: 0
                },
                IdMapProblem::RootNotMapped {
                    kind: IdKind::Gid,
                    first: 1
                },
            ]
        );
    }
}
