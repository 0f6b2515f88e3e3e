//! Rules evaluated on each failure as it is ingested. A count rule fires when the matching
//! failures within its window reach the count, and not again until the count has fallen below
//! it (one alert per episode, as Alertmanager would group it); a new-group rule fires once per
//! group; a lost rule fires for each matching failure that lost its chat session.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

use super::rule::{AlertRule, Condition};
use crate::enrich::Failure;
use crate::groups::GroupId;

/// Groups a new-group rule remembers; past this it starts over (and may fire again for one).
const GROUPS_REMEMBERED: usize = 100_000;

/// An alert that fired: which rule, when (event time), and what matched, in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fired {
    pub rule: String,
    pub at: DateTime<Utc>,
    pub what: String,
}

#[derive(Debug)]
struct RuleState {
    rule: AlertRule,
    times: VecDeque<DateTime<Utc>>,
    firing: bool,
    groups: FxHashSet<GroupId>,
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
                    times: VecDeque::new(),
                    firing: false,
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
                    // The episode ends when the window no longer holds enough.
                    expire(&mut s.times, now - window);
                    s.firing &= s.times.len() >= count as usize;
                }
                continue;
            }
            let what = match s.rule.condition {
                Condition::Count { count, window } => {
                    s.times.push_back(f.at);
                    expire(&mut s.times, f.at.max(now) - window);
                    let enough = s.times.len() >= count as usize;
                    let fire = enough && !s.firing;
                    s.firing = enough;
                    fire.then(|| {
                        format!(
                            "{} matching failures within {}; the last: {}",
                            s.times.len(),
                            window_text(window),
                            describe(f)
                        )
                    })
                }
                Condition::NewGroup => {
                    if s.groups.len() >= GROUPS_REMEMBERED {
                        s.groups.clear();
                    }
                    s.groups
                        .insert(f.group.id)
                        .then(|| format!("new group {}: {}", f.group.id, describe(f)))
                }
                Condition::Lost => f
                    .is_dropped()
                    .then(|| format!("lost notification: {}", describe(f))),
            };
            if let Some(what) = what {
                out.push(Fired {
                    rule: s.rule.name.clone(),
                    at: f.at,
                    what,
                });
            }
        }
        self.fired += out.len() as u64;
        out
    }
}

/// A window as written in a rule: `10m`, `1h`, `90s`.
fn window_text(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

fn expire(times: &mut VecDeque<DateTime<Utc>>, before: DateTime<Utc>) {
    while times.front().is_some_and(|t| *t <= before) {
        times.pop_front();
    }
}

/// A failure in a few words (every part already safe to show).
fn describe(f: &Failure) -> String {
    let reason = f.reason.as_deref().unwrap_or("no reason");
    let task = f.task_id.as_deref().map_or("?", |t| &t[..t.len().min(8)]);
    let mut s = format!("{reason} (task {task}");
    if let Some(session) = &f.session {
        s.push_str(&format!(", session {}", &session[..session.len().min(8)]));
    }
    s.push(')');
    if !f.group.template.is_empty() {
        let t = &f.group.template;
        let cut = (0..=t.len().min(80))
            .rev()
            .find(|&i| t.is_char_boundary(i))
            .unwrap_or(0);
        s.push_str(&format!(": {}", &t[..cut]));
    }
    s
}
