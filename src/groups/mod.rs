//! Failure groups: failures of one reason whose errors read the same once their variable parts
//! are replaced ([`template`]). A group's id is a hash of its reason and template, so the same
//! kind of failure has the same id in every run, on every machine.

mod badge;
mod template;

use std::cell::RefCell;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

pub use badge::{badges, Badge, Badges, ESCALATION, NEW_WINDOW, QUIET};
pub use template::{template, MAX_TEMPLATE_BYTES};

/// A group's stable id: 48 bits of FNV-1a over the reason and the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GroupId(u64);

impl GroupId {
    pub fn of(reason: &str, template: &str) -> GroupId {
        // FNV-1a: fixed by its definition, so ids never change between builds.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in reason.bytes().chain([0xff]).chain(template.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        GroupId(h >> 16)
    }
}

impl GroupId {
    /// Does the id, written in hex, start with `prefix`? (Without writing it: filters test
    /// every stored failure.)
    pub fn has_prefix(self, prefix: &str) -> bool {
        let digits = prefix.len();
        if digits == 0 || digits > 12 {
            return digits == 0;
        }
        u64::from_str_radix(prefix, 16)
            .is_ok_and(|p| !prefix.starts_with('+') && self.0 >> (4 * (12 - digits)) == p)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

/// The group a failure is filed in.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Group {
    pub id: GroupId,
    /// The error's template; `""` when the failure carried no error text.
    pub template: Arc<str>,
}

/// What a failure with a withheld text is grouped by: the wire gave no words to template.
pub const WITHHELD: &str = "<withheld by the server>";

impl Group {
    /// The group of a failure with this reason code (`""`: none) and error text (`None`: none).
    pub fn of(reason: &str, text: Option<&str>) -> Group {
        // Error texts repeat (sweeper sentences, a provider's outage): each is templated, and
        // its group found for each reason, once while it keeps coming. A text is kept on its
        // second sight: a stream of distinct texts costs a hash each, not a copy each.
        thread_local! {
            static MEMO: RefCell<Memo> = RefCell::default();
            static NO_TEXT: Arc<str> = Arc::from("");
        }
        let Some(text) = text.filter(|t| t.len() <= 512) else {
            let template = text.map_or_else(|| NO_TEXT.with(Arc::clone), |t| template(t).into());
            return Group::with_template(reason, template);
        };
        MEMO.with_borrow_mut(|memo| {
            if let Some(r) = memo.kept.get_mut(text) {
                return r.group(reason);
            }
            if memo.seen.len() >= 4 * KEPT {
                memo.seen.clear();
            }
            if memo.seen.insert(FxBuildHasher.hash_one(text)) {
                return Group::with_template(reason, template(text).into());
            }
            if memo.kept.len() >= KEPT {
                memo.kept.clear();
            }
            let mut remembered = Remembered {
                template: template(text).into(),
                ids: Vec::new(),
            };
            let group = remembered.group(reason);
            memo.kept.insert(text.into(), remembered);
            group
        })
    }

    fn with_template(reason: &str, template: Arc<str>) -> Group {
        Group {
            id: GroupId::of(reason, &template),
            template,
        }
    }
}

/// Texts a thread's memo keeps at most before it starts over.
const KEPT: usize = 4096;

#[derive(Default)]
struct Memo {
    kept: FxHashMap<Box<str>, Remembered>,
    /// Hashes of texts seen once (a collision only keeps a text one sight early).
    seen: FxHashSet<u64>,
}

/// A text's template, and its group's id for the reasons it came with.
struct Remembered {
    template: Arc<str>,
    ids: Vec<(Box<str>, GroupId)>,
}

impl Remembered {
    fn group(&mut self, reason: &str) -> Group {
        let id = match self.ids.iter().find(|(code, _)| **code == *reason) {
            Some((_, id)) => *id,
            None => {
                let id = GroupId::of(reason, &self.template);
                // A text seen with many reasons is rare: a few are kept.
                if self.ids.len() < 8 {
                    self.ids.push((reason.into(), id));
                }
                id
            }
        };
        Group {
            id,
            template: self.template.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_gets_the_same_group_at_every_sight_and_for_each_reason() {
        let texts = [
            "exit 1: token=abc7 failed",
            "claude timed out after 30m0s",
            "rate limited req_00ab12",
        ];
        for sight in 0..4 {
            for text in texts {
                for reason in ["timeout", "agent_error", ""] {
                    let expected = template::template(text);
                    let group = Group::of(reason, Some(text));
                    assert_eq!(&*group.template, expected, "sight {sight}");
                    assert_eq!(group.id, GroupId::of(reason, &expected), "sight {sight}");
                }
            }
        }
    }

    #[test]
    fn ids_are_stable_and_never_merge_two_reasons() {
        let a = Group::of("timeout", Some("claude timed out after 30m0s"));
        let b = Group::of("timeout", Some("claude timed out after 2h"));
        assert_eq!(a, b);
        let other_reason = Group::of("agent_error", Some("claude timed out after 30m0s"));
        assert_ne!(a.id, other_reason.id);
        // The definition, not this build, fixes the id: FNV-1a of "a", 0xff, "b".
        let mut h: u64 = 0xcbf29ce484222325;
        for b in [b'a', 0xff, b'b'] {
            h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        assert_eq!(
            GroupId::of("a", "b").to_string(),
            format!("{:012x}", h >> 16)
        );
        assert_eq!(GroupId::of("a", "b").to_string().len(), 12);
        assert_ne!(GroupId::of("ab", ""), GroupId::of("a", "b"));
        assert_eq!(Group::of("x", None).template.as_ref(), "");
        let id = GroupId::of("timeout", "x");
        let hex = id.to_string();
        for n in 1..=12 {
            assert!(id.has_prefix(&hex[..n]), "{hex} starts with {}", &hex[..n]);
        }
        let other = if hex.starts_with('0') { "1" } else { "0" };
        assert!(!id.has_prefix(other));
        assert!(!id.has_prefix("zz"));
        assert!(!id.has_prefix(&format!("{hex}0")));
    }
}
