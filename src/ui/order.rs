//! The order each list panel shows its rows in: the one place it is decided, for drawing and
//! for every action on a row under a cursor (enter, copy, moving). Only the rows asked for are
//! ranked ([`crate::store::rank::window`]): a table of 100,000 sessions is never sorted whole at
//! every frame, and nothing is cached that could go stale.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::catalog::{self, Lang};
use crate::groups::GroupId;
use crate::i18n::{strings, Strings};
use crate::store::rank::window;
use crate::store::{
    GroupStats, Groups, ReasonStats, Reasons, SessionStats, Sessions, WorkspaceStats, Workspaces,
};

/// What a panel's rows can be sorted by; the first is the panel's usual order.
pub trait SortKey: Copy + Eq + 'static {
    const ALL: &'static [Self];
    /// How the panel's title says it (`by last seen`).
    fn label(self, s: &Strings) -> &'static str;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonKey {
    /// Most failures first.
    Count,
    /// By the reason's label in the language shown, A to Z (an unknown code by the code).
    Name,
    /// The latest failure first.
    LastSeen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKey {
    /// Lost notifications first, then never told, then by failures.
    Urgency,
    /// Most failures first.
    Failures,
    /// The latest failure first.
    LastFailure,
    /// By id, A to Z.
    Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkspaceKey {
    /// Most failures nobody was told of first (lost ones before the rest), then by failures.
    Untold,
    /// Most failures first.
    Failures,
    /// The latest failure first.
    LastFailure,
    /// By id, A to Z.
    Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKey {
    /// Most failures first.
    Count,
    /// The latest failure first.
    LastSeen,
    /// The group first seen last first: new groups on top.
    FirstSeen,
}

impl SortKey for ReasonKey {
    const ALL: &'static [Self] = &[ReasonKey::Count, ReasonKey::Name, ReasonKey::LastSeen];
    fn label(self, s: &Strings) -> &'static str {
        match self {
            ReasonKey::Count => s.sort_count,
            ReasonKey::Name => s.sort_name,
            ReasonKey::LastSeen => s.sort_last_seen,
        }
    }
}

impl SortKey for SessionKey {
    const ALL: &'static [Self] = &[
        SessionKey::Urgency,
        SessionKey::Failures,
        SessionKey::LastFailure,
        SessionKey::Id,
    ];
    fn label(self, s: &Strings) -> &'static str {
        match self {
            SessionKey::Urgency => s.sort_urgency,
            SessionKey::Failures => s.sort_failures,
            SessionKey::LastFailure => s.sort_last_failure,
            SessionKey::Id => s.sort_id,
        }
    }
}

impl SortKey for WorkspaceKey {
    const ALL: &'static [Self] = &[
        WorkspaceKey::Untold,
        WorkspaceKey::Failures,
        WorkspaceKey::LastFailure,
        WorkspaceKey::Id,
    ];
    fn label(self, s: &Strings) -> &'static str {
        match self {
            WorkspaceKey::Untold => s.sort_untold,
            WorkspaceKey::Failures => s.sort_failures,
            WorkspaceKey::LastFailure => s.sort_last_failure,
            WorkspaceKey::Id => s.sort_id,
        }
    }
}

impl SortKey for GroupKey {
    const ALL: &'static [Self] = &[GroupKey::Count, GroupKey::LastSeen, GroupKey::FirstSeen];
    fn label(self, s: &Strings) -> &'static str {
        match self {
            GroupKey::Count => s.sort_count,
            GroupKey::LastSeen => s.sort_last_seen,
            GroupKey::FirstSeen => s.sort_first_seen,
        }
    }
}

/// A panel's order: a key, and whether it is turned upside down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub reversed: bool,
}

impl<K: SortKey> Default for Sort<K> {
    fn default() -> Self {
        Sort {
            key: K::ALL[0],
            reversed: false,
        }
    }
}

impl<K: SortKey> Sort<K> {
    /// The next key (`o`), the right way up.
    pub fn cycle(&mut self) {
        let i = K::ALL.iter().position(|k| *k == self.key).unwrap_or(0);
        self.key = K::ALL[(i + 1) % K::ALL.len()];
        self.reversed = false;
    }

    /// Upside down (`O`).
    pub fn reverse(&mut self) {
        self.reversed = !self.reversed;
    }

    /// A click on a column's header: sort by it, or turn it over when it already is.
    pub fn by(&mut self, key: K) {
        if self.key == key {
            self.reverse();
        } else {
            *self = Sort {
                key,
                reversed: false,
            };
        }
    }

    /// What the panel's title adds: nothing for the usual order, else `· by last seen ↓ `
    /// (`↓` the key's own way, `↑` turned over).
    pub fn title(&self, lang: Lang) -> String {
        if *self == Sort::default() {
            return String::new();
        }
        let arrow = if self.reversed { "↑" } else { "↓" };
        format!("· {} {arrow} ", self.key.label(strings(lang)))
    }

    fn apply(&self, o: Ordering) -> Ordering {
        if self.reversed {
            o.reverse()
        } else {
            o
        }
    }
}

/// The name a reason sorts by: its label as the panel shows it, or its code when unknown.
fn reason_name(code: &str, lang: Lang) -> &str {
    let d = catalog::describe(code, lang);
    if d.known || d.missing {
        d.texts.label
    } else {
        code
    }
}

/// Compare names as people read them: case does not count (then it does, for a total order).
fn by_name(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
        .then_with(|| a.cmp(b))
}

pub type ReasonRow<'a> = (&'a Arc<str>, &'a ReasonStats);
pub type SessionRow<'a> = (&'a Arc<str>, &'a SessionStats);
pub type GroupRow<'a> = (&'a GroupId, &'a GroupStats);
pub type WorkspaceRow<'a> = (&'a Arc<str>, &'a WorkspaceStats);

/// The reasons at `start..start + len` in this order.
pub fn reasons<'a>(
    r: &'a Reasons,
    sort: Sort<ReasonKey>,
    lang: Lang,
    start: usize,
    len: usize,
) -> Vec<ReasonRow<'a>> {
    let items: Vec<(&str, ReasonRow<'a>)> = r
        .iter()
        .map(|(code, st)| {
            let name = match sort.key {
                ReasonKey::Name => reason_name(code, lang),
                _ => "",
            };
            (name, (code, st))
        })
        .collect();
    let key = |(na, (ca, a)): &(&str, ReasonRow), (nb, (cb, b)): &(&str, ReasonRow)| {
        match sort.key {
            ReasonKey::Count => b.count.cmp(&a.count),
            ReasonKey::Name => by_name(na, nb),
            ReasonKey::LastSeen => b.last_at.cmp(&a.last_at),
        }
        .then_with(|| ca.cmp(cb))
    };
    window(items, start, len, |a, b| sort.apply(key(a, b)))
        .into_iter()
        .map(|(_, row)| row)
        .collect()
}

/// The sessions at `start..start + len` in this order.
pub fn sessions<'a>(
    s: &'a Sessions,
    sort: Sort<SessionKey>,
    start: usize,
    len: usize,
) -> Vec<SessionRow<'a>> {
    let key = |a: &SessionRow, b: &SessionRow| match sort.key {
        SessionKey::Urgency => crate::store::by_urgency(a, b),
        SessionKey::Failures => b.1.failures.cmp(&a.1.failures).then(a.0.cmp(b.0)),
        SessionKey::LastFailure => b.1.last_at.cmp(&a.1.last_at).then(a.0.cmp(b.0)),
        SessionKey::Id => a.0.cmp(b.0),
    };
    window(s.iter().collect(), start, len, |a, b| sort.apply(key(a, b)))
}

/// The workspaces at `start..start + len` in this order.
pub fn workspaces<'a>(
    w: &'a Workspaces,
    sort: Sort<WorkspaceKey>,
    start: usize,
    len: usize,
) -> Vec<WorkspaceRow<'a>> {
    let key = |(ia, a): &WorkspaceRow, (ib, b): &WorkspaceRow| {
        match sort.key {
            WorkspaceKey::Untold => {
                (b.lost, b.untold, b.failures).cmp(&(a.lost, a.untold, a.failures))
            }
            WorkspaceKey::Failures => b.failures.cmp(&a.failures),
            WorkspaceKey::LastFailure => b.last_at.cmp(&a.last_at),
            WorkspaceKey::Id => Ordering::Equal,
        }
        .then_with(|| ia.cmp(ib))
    };
    window(w.iter().collect(), start, len, |a, b| sort.apply(key(a, b)))
}

/// The groups at `start..start + len` in this order (groups with failures counted now).
pub fn groups<'a>(
    g: &'a Groups,
    sort: Sort<GroupKey>,
    start: usize,
    len: usize,
) -> Vec<GroupRow<'a>> {
    let key = |(ia, a): &GroupRow, (ib, b): &GroupRow| {
        match sort.key {
            GroupKey::Count => b.count.cmp(&a.count),
            GroupKey::LastSeen => b.last_at.cmp(&a.last_at),
            GroupKey::FirstSeen => b.first_at.cmp(&a.first_at),
        }
        .then_with(|| ia.cmp(ib))
    };
    window(g.listed().collect(), start, len, |a, b| {
        sort.apply(key(a, b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycling_wraps_and_rights_the_order_and_a_click_turns_it_over() {
        let mut s = Sort::<GroupKey>::default();
        s.reverse();
        s.cycle();
        assert_eq!((s.key, s.reversed), (GroupKey::LastSeen, false));
        s.cycle();
        s.cycle();
        assert_eq!(s, Sort::default());
        s.by(GroupKey::FirstSeen);
        assert_eq!((s.key, s.reversed), (GroupKey::FirstSeen, false));
        s.by(GroupKey::FirstSeen);
        assert!(s.reversed);
        assert_eq!(Sort::<GroupKey>::default().title(Lang::En), "");
        assert_eq!(s.title(Lang::En), "· by first seen ↑ ");
    }

    #[test]
    fn names_compare_without_case() {
        assert_eq!(by_name("apple", "Banana"), Ordering::Less);
        assert_eq!(by_name("Apple", "apple"), Ordering::Less);
        assert_eq!(by_name("b", "B"), Ordering::Greater);
    }
}
