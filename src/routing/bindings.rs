//! Which IM relay each chat session is bound to. The server keeps this in its database, out of
//! a client's sight; on-call can say it in a TOML `[sessions]` table (a bindings file, or the same
//! table in the config file). Sessions the table does not name have an unknown binding.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::Relay;

/// A set of relays, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RelaySet(u8);

impl RelaySet {
    pub fn insert(&mut self, r: Relay) {
        self.0 |= 1 << r.index();
    }

    pub fn contains(self, r: Relay) -> bool {
        self.0 & (1 << r.index()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Relay> {
        Relay::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BindingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: crate::local_file::CapError,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

/// Session id → the relays it is bound to.
#[derive(Clone, Debug, Default)]
pub struct Bindings {
    sessions: FxHashMap<Box<str>, RelaySet>,
}

#[derive(Deserialize)]
struct Table {
    #[serde(default)]
    sessions: std::collections::BTreeMap<String, Vec<String>>,
}

impl Bindings {
    /// A bindings file, read whole: at most [`MAX_TABLE_BYTES`](crate::local_file::MAX_TABLE_BYTES).
    pub fn load(path: &Path) -> Result<Bindings, BindingsError> {
        let shown = path.display().to_string();
        let cap = crate::local_file::MAX_TABLE_BYTES;
        let text =
            crate::local_file::read_to_string(path, cap).map_err(|source| BindingsError::Read {
                path: shown.clone(),
                source,
            })?;
        Bindings::parse(&text).map_err(|message| BindingsError::Parse {
            path: shown,
            message,
        })
    }

    /// Parse a TOML document's `[sessions]` table; other tables are left to their owners.
    pub fn parse(text: &str) -> Result<Bindings, String> {
        let table: Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        Bindings::from_table(table.sessions)
    }

    pub fn from_table(
        sessions: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Result<Bindings, String> {
        let mut out = Bindings::default();
        for (session, relays) in sessions {
            let mut set = RelaySet::default();
            for name in relays {
                let relay = Relay::parse(&name).ok_or_else(|| {
                    format!(
                        "session {session}: unknown relay `{name}` (one of: {})",
                        Relay::ALL.map(Relay::name).join(", ")
                    )
                })?;
                set.insert(relay);
            }
            out.sessions.insert(session.trim().into(), set);
        }
        Ok(out)
    }

    /// Add another table's sessions (a bindings file over the config file's table).
    pub fn merge(&mut self, other: Bindings) {
        self.sessions.extend(other.sessions);
    }

    /// The relays a session is bound to, if the table names it.
    pub fn of(&self, session: &str) -> Option<RelaySet> {
        self.sessions.get(session).copied()
    }

    /// `Some(true/false)` for a session the table names, `None` where the binding is unknown.
    pub fn bound(&self, session: &str, relay: Relay) -> Option<bool> {
        self.of(session).map(|set| set.contains(relay))
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// The table as a bindings file, sessions sorted.
    pub fn to_toml(&self) -> String {
        let mut sessions: Vec<_> = self.sessions.iter().collect();
        sessions.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = String::from("[sessions]\n");
        for (id, set) in sessions {
            let relays: Vec<String> = set.iter().map(|r| format!("\"{}\"", r.name())).collect();
            out.push_str(&format!("\"{id}\" = [{}]\n", relays.join(", ")));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_table_maps_ids_to_relays() {
        let b = Bindings::parse(
            r#"
            server = "upstream"          # other keys belong to the config file
            [sessions]
            "c0ffee00-1234-4abc-8def-0123456789ab" = ["lark"]
            "5e551011-0000-4000-8000-000000000002" = ["Feishu", "dingtalk"]
            "5e551011-0000-4000-8000-000000000003" = []
            "#,
        )
        .unwrap();
        assert_eq!(b.len(), 3);
        let s1 = "c0ffee00-1234-4abc-8def-0123456789ab";
        assert_eq!(b.bound(s1, Relay::Lark), Some(true));
        assert_eq!(b.bound(s1, Relay::DingTalk), Some(false));
        let s2 = "5e551011-0000-4000-8000-000000000002";
        assert_eq!(
            b.of(s2).unwrap().iter().collect::<Vec<_>>(),
            [Relay::Lark, Relay::DingTalk]
        );
        assert!(b
            .of("5e551011-0000-4000-8000-000000000003")
            .unwrap()
            .is_empty());
        assert_eq!(b.bound("not-named", Relay::Lark), None);
    }

    #[test]
    fn the_table_round_trips_through_toml() {
        let b = Bindings::parse("[sessions]\n\"b\" = [\"wecom\", \"octo\"]\n\"a\" = []\n").unwrap();
        let text = b.to_toml();
        assert_eq!(
            text,
            "[sessions]\n\"a\" = []\n\"b\" = [\"octo\", \"wecom\"]\n"
        );
        assert_eq!(Bindings::parse(&text).unwrap().of("b"), b.of("b"));
    }

    #[cfg(unix)]
    #[test]
    fn a_bindings_file_is_read_to_a_cap() {
        let e = Bindings::load(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot read /dev/zero: larger than 64 MiB"),
            "{e}"
        );
    }

    #[test]
    fn unknown_relays_and_bad_toml_are_errors_that_say_where() {
        let e = Bindings::parse("[sessions]\n\"s1\" = [\"icq\"]\n").unwrap_err();
        assert!(
            e.contains("s1") && e.contains("icq") && e.contains("telegram"),
            "{e}"
        );
        assert!(Bindings::parse("[sessions]\n\"s1\" = \"lark\"\n").is_err());
        assert!(Bindings::parse("[sessions\n").is_err());
        assert!(Bindings::parse("").unwrap().is_empty());
    }
}
