//! Rules evaluated on each failure as it is ingested. A count rule fires when the matching
//! failures within its window reach the count, and not again until the count has fallen below
//! it (one alert per episode, as Alertmanager would group it); a new-group rule fires once per
//! group; a lost rule fires for each matching failure that lost its chat session.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use rustc_hash::FxHashSet;

use super::rule::{AlertRule, Condition};
use crate::enrich::Failure;
use crate::groups::GroupId;

/// Groups a new-group rule remembers; past this it starts over (and may fire again for one).
const GROUPS_REMEMBERED: usize = 100_000;

/// An alert that fired: which rule, when (event time), why, and the failure that did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fired {
    pub rule: String,
    pub at: DateTime<Utc>,
    pub why: Why,
    /// The failure in a few words: codes and ids, the same in every language.
    pub failure: String,
}

/// Why a rule fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Count { count: u32, window: Duration },
    NewGroup(GroupId),
    Lost,
}

impl Fired {
    /// What matched, in a line of `lang`.
    pub fn what(&self, lang: crate::catalog::Lang) -> String {
        use crate::catalog::Lang;
        let f = &self.failure;
        match (self.why, lang) {
            (Why::Count { count, window }, Lang::En) => format!(
                "{count} matching failures within {}; the last: {f}",
                window_text(window)
            ),
            (Why::Count { count, window }, Lang::Zh) => format!(
                "{} 内 {count} 个匹配的失败；最近一个：{f}",
                window_text(window)
            ),
            (Why::NewGroup(id), Lang::En) => format!("new group {id}: {f}"),
            (Why::NewGroup(id), Lang::Zh) => format!("新分组 {id}：{f}"),
            (Why::Lost, Lang::En) => format!("lost notification: {f}"),
            (Why::Lost, Lang::Zh) => format!("丢失的通知：{f}"),
        }
    }
}

#[derive(Debug)]
struct RuleState {
    rule: AlertRule,
    window: Window,
    groups: FxHashSet<GroupId>,
}

/// A count rule's memory: the newest `count` matching times in its window, oldest first (no
/// more are needed to know whether `count` fall in it), and whether an episode is on.
#[derive(Debug, Default)]
struct Window {
    times: VecDeque<DateTime<Utc>>,
    firing: bool,
}

impl Window {
    /// Forget the times the window has left behind at `now`; the episode ends when fewer than
    /// `count` remain.
    fn expire(&mut self, now: DateTime<Utc>, count: usize, window: Duration) {
        if let Some(cutoff) = now.checked_sub_signed(window) {
            while self.times.front().is_some_and(|t| *t <= cutoff) {
                self.times.pop_front();
            }
        }
        self.firing &= self.times.len() >= count;
    }

    /// A matching failure at `at` (`now`: the newest event time): true when it starts an
    /// episode. A late one already outside the window counts for nothing.
    fn add(
        &mut self,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        count: usize,
        window: Duration,
    ) -> bool {
        self.expire(now, count, window);
        if now
            .checked_sub_signed(window)
            .is_some_and(|cutoff| at <= cutoff)
        {
            return false;
        }
        let pos = self.times.partition_point(|t| *t <= at);
        self.times.insert(pos, at);
        while self.times.len() > count {
            self.times.pop_front();
        }
        let enough = self.times.len() >= count;
        let starts = enough && !self.firing;
        self.firing = enough;
        starts
    }
}

#[derive(Debug, Default)]
pub struct AlertEngine {
    rules: Vec<RuleState>,
    /// How many alerts fired since the start.
    pub fired: u64,
}

impl AlertEngine {
    pub fn new(rules: Vec<AlertRule>) -> AlertEngine {
        AlertEngine {
            rules: rules
                .into_iter()
                .map(|rule| RuleState {
                    rule,
                    window: Window::default(),
                    groups: FxHashSet::default(),
                })
                .collect(),
            fired: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The same rules, nothing remembered (a replay starting over).
    pub fn fresh(&self) -> AlertEngine {
        AlertEngine::new(self.rules.iter().map(|s| s.rule.clone()).collect())
    }

    /// Evaluate every rule on one failure; `now` is the newest event time (for `since:`).
    pub fn observe(&mut self, f: &Failure, now: DateTime<Utc>) -> Vec<Fired> {
        let mut out = Vec::new();
        for s in &mut self.rules {
            if !s.rule.filter.matches(f, now) {
                if let Condition::Count { count, window } = s.rule.condition {
                    s.window.expire(now, count as usize, window);
                }
                continue;
            }
            let why = match s.rule.condition {
                Condition::Count { count, window } => s
                    .window
                    .add(f.at, now, count as usize, window)
                    .then_some(Why::Count { count, window }),
                Condition::NewGroup => {
                    if s.groups.len() >= GROUPS_REMEMBERED {
                        s.groups.clear();
                    }
                    s.groups
                        .insert(f.group.id)
                        .then_some(Why::NewGroup(f.group.id))
                }
                Condition::Lost => f.is_dropped().then_some(Why::Lost),
            };
            if let Some(why) = why {
                out.push(Fired {
                    rule: s.rule.name.clone(),
                    at: f.at,
                    why,
                    failure: describe(f),
                });
            }
        }
        self.fired += out.len() as u64;
        out
    }
}

/// A window as written in a rule: `10m`, `1h`, `90s`.
pub fn window_text(d: Duration) -> String {
    let s = d.num_seconds();
    if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// A failure in a few words (every part already safe to show).
fn describe(f: &Failure) -> String {
    let reason = crate::catalog::code_or_none(f.reason_code());
    let task = f.task_id.as_deref().map_or("?", |t| head(t, 8));
    let mut s = format!("{reason} (task {task}");
    if let Some(session) = &f.session {
        s.push_str(&format!(", session {}", head(session, 8)));
    }
    s.push(')');
    if !f.group.template.is_empty() {
        s.push_str(&format!(": {}", head(&f.group.template, 80)));
    }
    s
}

/// The first `chars` characters of `s` (ids from outside need not be ASCII).
fn head(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minute: i64, second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + minute * 60 + second, 0).unwrap()
    }

    #[test]
    fn a_window_fires_once_per_episode_even_when_it_emptied_between_failures() {
        let (count, window) = (3, Duration::minutes(10));
        let mut w = Window::default();
        let mut add = |at| w.add(at, at, count, window);
        // The third starts an episode; at 3:00 the window still holds three: the same one.
        let first: Vec<bool> = [t(0, 0), t(1, 0), t(2, 0), t(3, 0)].map(&mut add).into();
        assert_eq!(first, [false, false, true, false]);
        // By 12:30 only 3:00 is left in it (the rest left at 11:00–12:00, with no failure to
        // see it go): the episode ended, and three in the window again start another.
        let second: Vec<bool> = [t(12, 30), t(12, 40)].map(&mut add).into();
        assert_eq!(second, [false, true]);
        assert!(w.times.len() <= count, "no more than the count is kept");
    }

    #[test]
    fn a_late_failure_outside_the_window_counts_for_nothing_and_huge_windows_hold() {
        let mut w = Window::default();
        assert!(!w.add(t(120, 0), t(120, 0), 2, Duration::minutes(10)));
        assert!(
            !w.add(t(0, 0), t(120, 0), 2, Duration::minutes(10)),
            "two hours late"
        );
        assert!(
            w.add(t(115, 0), t(120, 0), 2, Duration::minutes(10)),
            "late but inside"
        );
        let mut huge = Window::default();
        let forever = Duration::days(36_500);
        assert!(huge.add(
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MIN_UTC,
            1,
            forever
        ));
    }

    #[test]
    fn what_fired_reads_in_either_language() {
        use crate::catalog::Lang;
        let fired = |why| Fired {
            rule: "r".into(),
            at: t(0, 0),
            why,
            failure: "timeout (task 0198c8a3)".into(),
        };
        let count = fired(Why::Count {
            count: 5,
            window: Duration::minutes(10),
        });
        assert_eq!(
            count.what(Lang::En),
            "5 matching failures within 10m; the last: timeout (task 0198c8a3)"
        );
        for why in [
            Why::Count {
                count: 5,
                window: Duration::hours(1),
            },
            Why::NewGroup(GroupId::default()),
            Why::Lost,
        ] {
            let zh = fired(why).what(Lang::Zh);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
            assert!(zh.ends_with("timeout (task 0198c8a3)"), "{zh}");
        }
    }

    #[test]
    fn heads_cut_at_characters() {
        assert_eq!(head("aéééééééééé", 8), "aééééééé");
        assert_eq!(head("s会话会话", 8), "s会话会话");
        assert_eq!(head("", 8), "");
    }
}
