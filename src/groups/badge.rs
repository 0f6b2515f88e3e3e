//! What a group is doing now, as Sentry would say it: **new** (first seen within the last
//! [`NEW_WINDOW`]), **regressed** (came back within the last window after being quiet for
//! [`QUIET`] or longer), **escalating** (its last five minutes hold at least
//! [`ESCALATION`]`.min_recent` failures and at least `factor` times its own rate over the hour
//! before). Times are event times, so a replay or a capture answers as live did at its end.

use chrono::{DateTime, Duration, Utc};

/// A group first seen this recently is new.
pub const NEW_WINDOW: Duration = Duration::minutes(15);
/// Silence this long, then a failure again: regressed.
pub const QUIET: Duration = Duration::minutes(60);

/// The escalation rule: the last `recent_minutes` against the `baseline_minutes` before them.
pub struct Escalation {
    pub recent_minutes: usize,
    pub baseline_minutes: usize,
    pub factor: f64,
    pub min_recent: u64,
}

pub const ESCALATION: Escalation = Escalation {
    recent_minutes: 5,
    baseline_minutes: 55,
    factor: 3.0,
    min_recent: 5,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Badge {
    New,
    Regressed,
    Escalating,
}

impl Badge {
    /// As a person reads it, in `lang`.
    pub fn label(self, lang: crate::catalog::Lang) -> &'static str {
        let s = crate::i18n::strings(lang);
        match self {
            Badge::New => s.badge_new,
            Badge::Regressed => s.badge_regressed,
            Badge::Escalating => s.badge_escalating,
        }
    }

    /// One cell, for a panel where the template needs the room: `+` new, `↺` regressed, `▲`
    /// escalating (the help's legend says which).
    pub fn mark(self, ascii: bool) -> char {
        match (self, ascii) {
            (Badge::New, _) => '+',
            (Badge::Regressed, false) => '↺',
            (Badge::Regressed, true) => 'r',
            (Badge::Escalating, false) => '▲',
            (Badge::Escalating, true) => '^',
        }
    }

    /// As JSON names it.
    pub fn name(self) -> &'static str {
        match self {
            Badge::New => "new",
            Badge::Regressed => "regressed",
            Badge::Escalating => "escalating",
        }
    }
}

/// A group's badges, in that order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badges {
    pub new: bool,
    pub regressed: bool,
    pub escalating: bool,
}

impl Badges {
    pub fn iter(self) -> impl Iterator<Item = Badge> {
        [
            (self.new, Badge::New),
            (self.regressed, Badge::Regressed),
            (self.escalating, Badge::Escalating),
        ]
        .into_iter()
        .filter_map(|(on, b)| on.then_some(b))
    }
}

/// Badges from a group's first sighting, its last return after a quiet period, and its
/// per-minute counts for the `recent + baseline` minutes ending at `now`'s minute (oldest first).
pub fn badges(
    now: DateTime<Utc>,
    first_at: DateTime<Utc>,
    returned_at: Option<DateTime<Utc>>,
    minutes: &[u64],
) -> Badges {
    let e = &ESCALATION;
    let split = minutes.len().saturating_sub(e.recent_minutes);
    let recent: u64 = minutes[split..].iter().sum();
    let baseline: u64 = minutes[..split].iter().sum();
    // The baseline as a count per `recent_minutes`, at least one: a group that never failed
    // before escalates on `min_recent` failures.
    let per_window =
        (baseline as f64 * e.recent_minutes as f64 / e.baseline_minutes as f64).max(1.0);
    Badges {
        new: now - first_at <= NEW_WINDOW,
        regressed: returned_at.is_some_and(|t| now - t <= NEW_WINDOW),
        escalating: recent >= e.min_recent && recent as f64 >= e.factor * per_window,
    }
}
