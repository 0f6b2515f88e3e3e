//! Rules evaluated on each failure as it is ingested. A count rule fires when the matching
//! failures within its window reach the count, and not again until the count has fallen below
//! it (one alert per episode, as Alertmanager would group it); a new-group rule fires once per
//! group; a lost rule fires for each matching failure that lost its chat session.
//!
//! A rule with a cooldown, once announced, holds back its further firings until the newest event
//! time has moved the cooldown past the announcement: each held-back firing is still returned
//! (marked held, for the dashboard's list of alerts), and the next one announced says how many
//! were held back. Every caller (the dashboard, `watch`) takes this decision as it is.

use std::collections::VecDeque;
use std::sync::Arc;

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
    /// The failure's ids and reason whole, for machines (`watch --format jsonl`).
    pub subject: Subject,
    /// The rule's cooldown, if it has one.
    pub cooldown: Option<Duration>,
    /// Held back by the cooldown: recorded, not announced.
    pub held: bool,
    /// Announced: how many firings of the rule the cooldown held back since it was last
    /// announced (0 when held).
    pub held_back: u64,
}

/// Which failure made a rule fire: its task, chat session and reason code, as the store holds
/// them (redacted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    pub task_id: Option<Arc<str>>,
    pub chat_session_id: Option<Arc<str>>,
    pub reason: Option<Arc<str>>,
}

impl Subject {
    fn of(f: &Failure) -> Subject {
        Subject {
            task_id: f.task_id.clone(),
            chat_session_id: f.session.clone(),
            reason: f.reason.clone(),
        }
    }
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
        let what = match (self.why, lang) {
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
            (Why::Count { count, window }, Lang::Ja) => format!(
                "{} 以内に一致する失敗 {count} 件；最新：{f}",
                window_text(window)
            ),
            (Why::NewGroup(id), Lang::Ja) => format!("新しいグループ {id}：{f}"),
            (Why::Lost, Lang::Ja) => format!("届かなかった通知：{f}"),
            (Why::Count { count, window }, Lang::Ko) => format!(
                "{} 이내 일치하는 실패 {count}건; 최근: {f}",
                window_text(window)
            ),
            (Why::NewGroup(id), Lang::Ko) => format!("새 그룹 {id}: {f}"),
            (Why::Lost, Lang::Ko) => format!("전달되지 않은 알림: {f}"),
        };
        match (self.held_back, self.cooldown) {
            (0, _) | (_, None) => what,
            (n, Some(c)) => format!("{what}{}", held_back_text(n, c, lang)),
        }
    }

    /// Whether it is to be announced (the bell, a notification, a line of `watch`).
    pub fn announced(&self) -> bool {
        !self.held
    }
}

/// ` (3 more held back by the 15m cooldown)`, to follow what fired.
fn held_back_text(n: u64, cooldown: Duration, lang: crate::catalog::Lang) -> String {
    let c = window_text(cooldown);
    match lang {
        crate::catalog::Lang::En => format!(" ({n} more held back by the {c} cooldown)"),
        crate::catalog::Lang::Zh => format!("（另有 {n} 条被 {c} 冷却期压下）"),
        crate::catalog::Lang::Ja => format!("（ほか {n} 件は {c} のクールダウンで保留）"),
        crate::catalog::Lang::Ko => format!(" (그 밖에 {n}건은 {c} 쿨다운으로 보류)"),
    }
}

#[derive(Debug)]
struct RuleState {
    rule: AlertRule,
    window: Window,
    groups: FxHashSet<GroupId>,
    quiet: Quiet,
}

/// A rule's cooldown at work: when it was last announced (the newest event time then), and how
/// many firings were held back since.
#[derive(Debug, Default)]
struct Quiet {
    announced: Option<DateTime<Utc>>,
    held: u64,
}

impl Quiet {
    /// A firing at `now` (the newest event time): announced, with how many were held back
    /// before it, or `None`: held back. Without a cooldown, every firing is announced.
    fn fire(&mut self, now: DateTime<Utc>, cooldown: Option<Duration>) -> Option<u64> {
        let Some(cooldown) = cooldown else {
            return Some(0);
        };
        // Past the end of time, a cooldown never ends.
        let quiet = self
            .announced
            .is_some_and(|at| at.checked_add_signed(cooldown).is_none_or(|end| now < end));
        if quiet {
            self.held += 1;
            return None;
        }
        self.announced = Some(now);
        Some(std::mem::take(&mut self.held))
    }
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
    /// How many alerts fired and were announced since the start …
    pub fired: u64,
    /// … and how many more were held back by their rule's cooldown.
    pub held: u64,
    /// Only the failures this filter shows are seen (`watch --filter`).
    scope: crate::filter::Filter,
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
                    quiet: Quiet::default(),
                })
                .collect(),
            fired: 0,
            held: 0,
            scope: crate::filter::Filter::default(),
        }
    }

    /// The same rules, seeing only the failures `scope` shows.
    pub fn within(mut self, scope: crate::filter::Filter) -> AlertEngine {
        self.scope = scope;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The same rules, nothing remembered (a replay starting over).
    pub fn fresh(&self) -> AlertEngine {
        AlertEngine::new(self.rules.iter().map(|s| s.rule.clone()).collect())
            .within(self.scope.clone())
    }

    /// Evaluate every rule on one failure; `now` is the newest event time (for `since:`).
    pub fn observe(&mut self, f: &Failure, now: DateTime<Utc>) -> Vec<Fired> {
        let mut out = Vec::new();
        let seen = self.scope.matches(f, now);
        for s in &mut self.rules {
            if !seen || !s.rule.filter.matches(f, now) {
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
                let cooldown = s.rule.cooldown;
                let (held, held_back) = match s.quiet.fire(now, cooldown) {
                    Some(n) => (false, n),
                    None => (true, 0),
                };
                out.push(Fired {
                    rule: s.rule.name.clone(),
                    at: f.at,
                    why,
                    failure: describe(f),
                    subject: Subject::of(f),
                    cooldown,
                    held,
                    held_back,
                });
            }
        }
        self.fired += out.iter().filter(|f| f.announced()).count() as u64;
        self.held += out.iter().filter(|f| f.held).count() as u64;
        out
    }

    /// Firings held back since the last announcement of their rule, by rule (those no
    /// announcement has told of yet), in the rules' order; rules with none are left out.
    pub fn held_untold(&self) -> Vec<(&str, u64, Duration)> {
        self.rules
            .iter()
            .filter_map(|s| {
                let c = s.rule.cooldown?;
                (s.quiet.held > 0).then_some((s.rule.name.as_str(), s.quiet.held, c))
            })
            .collect()
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
            subject: Default::default(),
            cooldown: None,
            held: false,
            held_back: 0,
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

    /// A failure of `reason` at `at` in its own task (its own group per `reason`).
    fn failure(n: u32, reason: &str, at: DateTime<Utc>) -> Failure {
        let frame = format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t{n}","issue_id":"i","failure_reason":"{reason}","error":"e"}}}}"#
        );
        let event = crate::protocol::decode(&frame).unwrap();
        *crate::enrich::Enricher::default()
            .ingest(at, &event)
            .unwrap()
            .failure
    }

    /// A rule firing on every failure of `reason`, with this cooldown.
    fn every(name: &str, reason: &str, cooldown: &str) -> AlertRule {
        let text = format!(
            "name = \"{name}\"\nfilter = \"reason:{reason}\"\ncount = 1\nwindow = \"1s\"\ncooldown = \"{cooldown}\""
        );
        AlertRule::new(&toml::from_str(&text).unwrap(), &Default::default()).unwrap()
    }

    /// What each failure fired: `(rule, held, held_back)`.
    fn run(
        engine: &mut AlertEngine,
        failures: &[(&str, DateTime<Utc>)],
    ) -> Vec<Vec<(String, bool, u64)>> {
        failures
            .iter()
            .enumerate()
            .map(|(n, (reason, at))| {
                engine
                    .observe(&failure(n as u32, reason, *at), *at)
                    .into_iter()
                    .map(|f| (f.rule, f.held, f.held_back))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_cooldown_holds_back_firings_counts_them_and_lets_the_next_one_say_so() {
        let mut engine = AlertEngine::new(vec![every("timeouts", "timeout", "15m")]);
        let fired = run(
            &mut engine,
            &[
                ("timeout", t(0, 0)),   // announced
                ("timeout", t(1, 0)),   // held: within 15m
                ("timeout", t(5, 0)),   // held
                ("timeout", t(14, 59)), // held: a second short of the end
                ("timeout", t(15, 0)),  // the cooldown is over: announced, saying 3
                ("timeout", t(20, 0)),  // a new cooldown from 15:00: held
                ("timeout", t(31, 0)),  // announced, saying 1
            ],
        );
        let r = |held, back| vec![("timeouts".to_owned(), held, back)];
        assert_eq!(
            fired,
            [
                r(false, 0),
                r(true, 0),
                r(true, 0),
                r(true, 0),
                r(false, 3),
                r(true, 0),
                r(false, 1)
            ]
        );
        assert_eq!((engine.fired, engine.held), (3, 4));
        assert!(engine.held_untold().is_empty(), "every one held was told");
    }

    #[test]
    fn an_announced_alert_says_how_many_were_held_back_in_either_language() {
        use crate::catalog::Lang;
        let mut engine = AlertEngine::new(vec![every("t", "timeout", "15m")]);
        for m in [0, 1, 2, 3] {
            engine.observe(&failure(m, "timeout", t(m.into(), 0)), t(m.into(), 0));
        }
        let held = engine.observe(&failure(8, "timeout", t(8, 0)), t(8, 0));
        assert!(held[0].held);
        assert!(
            !held[0].what(Lang::En).contains("held back"),
            "a held one says what it is"
        );
        let said = engine.observe(&failure(9, "timeout", t(16, 0)), t(16, 0));
        let en = said[0].what(Lang::En);
        assert!(
            en.ends_with(" (4 more held back by the 15m cooldown)"),
            "{en}"
        );
        let zh = said[0].what(Lang::Zh);
        assert!(zh.ends_with("（另有 4 条被 15m 冷却期压下）"), "{zh}");
    }

    #[test]
    fn cooldowns_are_per_rule_and_absent_by_default() {
        let quiet = every("quiet timeouts", "timeout", "1h");
        let loud = AlertRule {
            name: "every timeout".into(),
            cooldown: None,
            ..quiet.clone()
        };
        let mut engine = AlertEngine::new(vec![
            quiet,
            loud,
            every("quiet crashes", "agent_error", "10m"),
        ]);
        let fired = run(
            &mut engine,
            &[
                ("timeout", t(0, 0)),
                ("agent_error", t(1, 0)),
                ("timeout", t(2, 0)),
                ("agent_error", t(3, 0)),
                ("agent_error", t(12, 0)),
            ],
        );
        let f = |rule: &str, held, back| (rule.to_owned(), held, back);
        assert_eq!(
            fired,
            [
                vec![f("quiet timeouts", false, 0), f("every timeout", false, 0)],
                // One rule's firing does not start another's cooldown.
                vec![f("quiet crashes", false, 0)],
                // Held by its own rule; the rule without a cooldown announces every one.
                vec![f("quiet timeouts", true, 0), f("every timeout", false, 0)],
                vec![f("quiet crashes", true, 0)],
                // The crashes' 10 minutes are over; the timeouts' hour is not.
                vec![f("quiet crashes", false, 1)],
            ]
        );
        assert_eq!(
            engine.held_untold(),
            [("quiet timeouts", 1, Duration::hours(1))]
        );
    }

    #[test]
    fn a_cooldown_runs_on_the_newest_event_time_and_a_replay_starts_it_over() {
        // Every failure of a reason not seen before fires.
        let text = "name = \"new\"\nnew_group = true\ncooldown = \"15m\"";
        let rule = AlertRule::new(&toml::from_str(text).unwrap(), &Default::default()).unwrap();
        let mut engine = AlertEngine::new(vec![rule]);
        assert!(!engine.observe(&failure(0, "timeout", t(0, 0)), t(0, 0))[0].held);
        // The clock is the newest event time, not the failure's: one recorded late (an hour
        // before the newest event) is announced once the newest event is past the cooldown.
        let late = failure(1, "agent_error", t(-60, 0));
        assert!(!engine.observe(&late, t(15, 0))[0].held);
        let late = failure(5, "runtime_offline", t(-60, 0));
        assert!(engine.observe(&late, t(29, 0))[0].held);
        let mut fresh = engine.fresh();
        let again = fresh.observe(&failure(2, "timeout", t(11, 0)), t(11, 0));
        assert!(!again[0].held, "a fresh engine remembers nothing");
        // At the last moment of time, a cooldown that would end past it never ends.
        let end = DateTime::<Utc>::MAX_UTC;
        assert!(!fresh.observe(&failure(3, "agent_error", end), end)[0].held);
        assert!(fresh.observe(&failure(4, "runtime_offline", end), end)[0].held);
    }

    #[test]
    fn heads_cut_at_characters() {
        assert_eq!(head("aéééééééééé", 8), "aééééééé");
        assert_eq!(head("s会话会话", 8), "s会话会话");
        assert_eq!(head("", 8), "");
    }
}
