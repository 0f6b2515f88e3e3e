//! The filter language, parsed once into a predicate over failures.
//!
//! Space-separated terms must all match; `|` (or `OR`) between groups of terms means either.
//! `-term` or `!term` negates; `"quoted words"` stay one term; `key:a,b` means a or b.
//! `reason:runtime` (a prefix of the code, or words of its label in either language),
//! `reason:provider_*` (glob; `agent`, `platform`, `unknown` are classes), `reason:none` (no
//! reason sent), `outcome:dropped`, `relay:octo`, `session:`/`agent:`/`task:<prefix>`,
//! `since:15m` (measured from the newest event seen, so a capture means the same whenever it is
//! read), a bare word (case-insensitive, in the redacted error text, the reason's code or its
//! label) or `/regex/` on the error text.

mod glob;
mod needle;
pub mod saved;
mod split;
mod test;
#[cfg(test)]
mod tests;
mod when;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::enrich::Failure;
use crate::routing::Relay;
use crate::tz::Zone;
use split::split_terms;
pub use test::Origin;
use test::{prefix_of_any, reason_matches, text_matches, Test};
pub use when::When;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown key `{0}:` (use {keys})", keys = test::KEYS)]
    UnknownKey(String),
    #[error("`{0}:` needs a value")]
    MissingValue(String),
    #[error(
        "unknown outcome `{0}` (notified, detail, canned, reason, generic, silent, dropped, not_chat)"
    )]
    UnknownOutcome(String),
    #[error("unknown relay `{0}` (octo, lark, dingtalk, telegram, slack, wecom; bound: also unknown, none)")]
    UnknownRelay(String),
    #[error(
        "bad time `{0}` (a duration back: 15m, 2h; a time of day: 09:50; or 2026-12-07T09:50:00Z)"
    )]
    BadTime(String),
    #[error("unknown {0} `{1}` ({2})")]
    UnknownValue(&'static str, String, String),
    #[error("bad regex: {0}")]
    BadRegex(String),
    #[error("bad pattern `{0}`: {1}")]
    BadGlob(String, &'static str),
    #[error("unclosed quote")]
    UnclosedQuote,
    #[error("`|` needs terms on both sides")]
    EmptyAlternative,
    #[error("no saved filter `@{0}` (saved filters are the config file's [filters])")]
    UnknownSaved(String),
    #[error("saved filters name each other in a circle: {0}")]
    SavedCycle(String),
    #[error("the saved filters named make more than {0} terms")]
    TooLarge(usize),
}

#[derive(Debug, Clone)]
struct Term {
    negate: bool,
    test: Test,
}

/// Terms that must all match.
#[derive(Debug, Clone, Default)]
struct Group {
    terms: Vec<Term>,
    /// Relays named by positive `relay:` terms: they scope `outcome:` terms.
    relay_scope: Vec<Relay>,
    has_outcome: bool,
}

impl Group {
    fn new(terms: Vec<Term>) -> Group {
        let relay_scope = terms
            .iter()
            .filter(|t| !t.negate)
            .flat_map(|t| match &t.test {
                Test::Relay(r) => r.clone(),
                _ => Vec::new(),
            })
            .collect();
        let has_outcome = terms
            .iter()
            .any(|t| matches!(t.test, Test::Outcome(_) | Test::Why(_)));
        Group {
            terms,
            relay_scope,
            has_outcome,
        }
    }

    fn matches(&self, f: &Failure, now: DateTime<Utc>, zone: Zone) -> bool {
        self.terms
            .iter()
            .all(|t| self.test(&t.test, f, now, zone) != t.negate)
    }

    /// Whether a route `outcome:` and `why:` look at (those of the relays named, or all) passes.
    fn any_route(&self, f: &Failure, pass: impl Fn(&crate::routing::Route) -> bool) -> bool {
        f.routes
            .iter()
            .filter(|r| self.relay_scope.is_empty() || self.relay_scope.contains(&r.relay))
            .any(pass)
    }

    fn test(&self, test: &Test, f: &Failure, now: DateTime<Utc>, zone: Zone) -> bool {
        match test {
            Test::Reason(any) => any.iter().any(|p| reason_matches(p, f)),
            // One route must satisfy `relay:` and `outcome:` (or `why:`) together.
            Test::Outcome(wanted) => self.any_route(f, |r| wanted.contains(&r.outcome)),
            Test::Why(wanted) => self.any_route(f, |r| wanted.contains(&r.why)),
            // Alone, `relay:x` means "x told the user something"; with `outcome:` or `why:` it
            // only scopes.
            Test::Relay(any) => any.iter().any(|r| {
                f.route(*r)
                    .is_some_and(|r| self.has_outcome || r.outcome.is_notified())
            }),
            Test::Bound(any) => any.iter().any(|b| b.holds(f)),
            Test::Told(any) => any.contains(&f.heard()),
            Test::Origin(any) => any.contains(&Origin::of(f)),
            Test::Era(any) => any.contains(&f.era),
            Test::Server(any) => any.contains(&f.family),
            Test::Saved(inner) => inner.matches_in(f, now, zone),
            Test::Session(p) => prefix_of_any(f.session.as_deref(), p),
            Test::Workspace(p) => prefix_of_any(f.workspace.as_deref(), p),
            Test::Agent(p) => prefix_of_any(f.agent_id.as_deref(), p),
            Test::Task(p) => prefix_of_any(f.task_id.as_deref(), p),
            Test::Group(p) => p.iter().any(|p| f.group.id.has_prefix(p)),
            // A window reaching past the calendar's start holds every failure.
            Test::Since(w) => w.resolve(now, zone).is_none_or(|start| f.at >= start),
            Test::Until(w) => w.resolve(now, zone).is_some_and(|end| f.at <= end),
            Test::Text(ac) => text_matches(ac, f),
            Test::Regex(re) => f.error().is_some_and(|e| re.is_match(e)),
        }
    }
}

/// A parsed filter. The empty filter matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    source: String,
    /// Any group matching is a match.
    groups: Vec<Group>,
    /// The zone a time of day (`since:09:50`) is read in: the one times are shown in.
    zone: Zone,
}

/// The saved filters named negated, each built once however often it is named.
struct Negated<'a> {
    saved: &'a saved::Saved,
    built: HashMap<String, Arc<Filter>>,
}

impl Negated<'_> {
    fn build(&mut self, name: &str) -> Result<Arc<Filter>, FilterError> {
        if let Some(done) = self.built.get(name) {
            return Ok(done.clone());
        }
        let text = self
            .saved
            .get(name)
            .ok_or_else(|| FilterError::UnknownSaved(name.to_owned()))?;
        let alternatives = saved::Resolver::new(self.saved).expand(text)?;
        let filter = Arc::new(Filter::of(&format!("@{name}"), &alternatives, Some(self))?);
        self.built.insert(name.to_owned(), filter.clone());
        Ok(filter)
    }
}

/// A word that separates alternatives.
fn is_or(word: &str) -> bool {
    word == "|" || word == "OR"
}

impl Filter {
    pub fn parse(source: &str) -> Result<Filter, FilterError> {
        let words = split_terms(source)?;
        let mut alternatives = Vec::new();
        if !words.is_empty() {
            for side in words.split(|w| is_or(w)) {
                if side.is_empty() {
                    return Err(FilterError::EmptyAlternative);
                }
                alternatives.push(side.to_vec());
            }
        }
        Filter::of(source, &alternatives, None)
    }

    /// Parse with `@name` standing for a saved filter (the config file's `[filters]`, which
    /// may name each other: see [`saved`]). The source keeps the `@name`.
    pub fn parse_saved(source: &str, saved: &saved::Saved) -> Result<Filter, FilterError> {
        if !source.contains('@') {
            return Filter::parse(source);
        }
        let alternatives = saved::Resolver::new(saved).expand(source)?;
        let mut negated = Negated {
            saved,
            built: HashMap::new(),
        };
        Filter::of(source, &alternatives, Some(&mut negated))
    }

    /// The same filter, with times of day read in `zone` (the zone times are shown in).
    pub fn in_zone(mut self, zone: Zone) -> Filter {
        self.zone = zone;
        self
    }

    /// The filter whose alternatives are these words, shown as `source`; `negated` builds the
    /// saved filters named `-@name` (the resolver has checked that they resolve).
    fn of(
        source: &str,
        alternatives: &[Vec<String>],
        mut negated: Option<&mut Negated>,
    ) -> Result<Filter, FilterError> {
        let mut groups = Vec::with_capacity(alternatives.len());
        for words in alternatives {
            let mut terms = Vec::with_capacity(words.len());
            for raw in words {
                let (negate, body) = match raw.strip_prefix(['-', '!']) {
                    Some(rest) if !rest.is_empty() => (true, rest),
                    _ => (false, raw.as_str()),
                };
                let test = match (saved::named(raw), negated.as_deref_mut()) {
                    (Some((true, name)), Some(negated)) => Test::Saved(negated.build(name)?),
                    _ => test::parse(body)?,
                };
                terms.push(Term { negate, test });
            }
            groups.push(Group::new(terms));
        }
        // One alternative of no terms (an empty saved filter) matches everything, as the
        // empty filter does.
        if groups.iter().any(|g| g.terms.is_empty()) {
            groups.clear();
        }
        Ok(Filter {
            source: source.trim().to_owned(),
            groups,
            zone: Zone::Utc,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether what the filter shows moves as time goes by (a window measured from the newest
    /// event).
    pub fn has_time_terms(&self) -> bool {
        self.groups
            .iter()
            .flat_map(|g| &g.terms)
            .any(|t| match &t.test {
                Test::Since(w) | Test::Until(w) => !matches!(w, When::At(_) | When::Local(_)),
                Test::Saved(inner) => inner.has_time_terms(),
                _ => false,
            })
    }

    /// `now` anchors `since:`: the newest event time seen (a capture's, a stream's own clock).
    pub fn matches(&self, f: &Failure, now: DateTime<Utc>) -> bool {
        self.matches_in(f, now, self.zone)
    }

    fn matches_in(&self, f: &Failure, now: DateTime<Utc>, zone: Zone) -> bool {
        self.groups.is_empty() || self.groups.iter().any(|g| g.matches(f, now, zone))
    }

    /// Whether the filter is only reasons toggled in the reasons panel (one `reason:` term of
    /// exact codes).
    pub fn is_reason_toggle_only(&self) -> bool {
        let words = split_terms(&self.source).unwrap_or_default();
        words.len() == 1 && toggle_values(&words[0]).is_some()
    }

    /// The reason codes the reasons panel toggled: the values of the last group's `reason:`
    /// term made of exact codes only.
    pub fn toggled_reasons(&self) -> Vec<String> {
        let words = split_terms(&self.source).unwrap_or_default();
        let last = words.rsplit(|w| is_or(w)).next().unwrap_or(&[]);
        last.iter()
            .find_map(|w| toggle_values(w))
            .unwrap_or_default()
    }

    /// The filter with `code` added to the reasons toggled (any of them matches), or removed
    /// if it was there.
    pub fn toggle_reason(&self, code: &str) -> String {
        let mut words: Vec<String> = split_terms(&self.source).unwrap_or_default();
        let group_start = words.iter().rposition(|w| is_or(w)).map_or(0, |i| i + 1);
        let term = words[group_start..]
            .iter()
            .position(|w| toggle_values(w).is_some())
            .map(|i| i + group_start);
        match term {
            Some(i) => {
                let mut codes = toggle_values(&words[i]).unwrap_or_default();
                match codes.iter().position(|c| c == code) {
                    Some(at) => {
                        codes.remove(at);
                    }
                    None => codes.push(code.to_owned()),
                }
                if codes.is_empty() {
                    words.remove(i);
                } else {
                    words[i] = format!("reason:{}", codes.join(","));
                }
            }
            None => words.push(format!("reason:{code}")),
        }
        words.into_iter().map(typed).collect::<Vec<_>>().join(" ")
    }
}

/// A word as one could type it again: quoted where it holds white space.
fn typed(word: String) -> String {
    if word.contains(char::is_whitespace) {
        format!("\"{word}\"")
    } else {
        word
    }
}

impl Filter {
    /// The relays the filter's `relay:` terms name, in any alternative.
    pub fn relays_named(&self) -> impl Iterator<Item = Relay> + '_ {
        self.groups
            .iter()
            .flat_map(|g| g.relay_scope.iter().copied())
    }

    /// This filter narrowed by `term`: every alternative must also match it (`a | b` narrowed
    /// by `t` is `a t | b t`: the language has no parentheses).
    pub fn narrowed(&self, term: &str) -> String {
        let words = split_terms(&self.source).unwrap_or_default();
        if words.is_empty() {
            return typed(term.to_owned());
        }
        words
            .split(|w| is_or(w))
            .map(|side| {
                side.iter()
                    .cloned()
                    .map(typed)
                    .chain([typed(term.to_owned())])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The words a bare-word term looks for, for highlighting matches (lowercase).
    pub fn words(&self) -> Vec<String> {
        self.groups
            .iter()
            .flat_map(|g| &g.terms)
            .filter(|t| !t.negate)
            .filter_map(|t| match &t.test {
                Test::Text(n) => Some(n.text().to_lowercase()),
                _ => None,
            })
            .filter(|w| !w.is_empty())
            .collect()
    }
}

/// The codes of a positive `reason:` term listing exact codes (what a toggle writes), if it is one.
fn toggle_values(word: &str) -> Option<Vec<String>> {
    let values = word.strip_prefix("reason:")?;
    let codes: Vec<String> = values.split(',').map(str::to_owned).collect();
    let exact = |c: &String| {
        !c.is_empty()
            && !glob::is_glob(c)
            && !matches!(c.as_str(), "agent" | "platform" | "unknown")
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    codes.iter().all(exact).then_some(codes)
}

/// `90s`, `15m`, `2h`, `1d`; a bare number means minutes.
pub fn parse_duration(v: &str) -> Option<Duration> {
    let (num, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" | "" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Duration::try_seconds(secs)
}
