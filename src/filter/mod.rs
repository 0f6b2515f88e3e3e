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

use chrono::{DateTime, Duration, Utc};

use crate::enrich::Failure;
use crate::routing::Relay;
use split::split_terms;
use test::{prefix_of_any, reason_matches, text_matches, Test};

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
    #[error("unknown relay `{0}` (octo, lark, dingtalk, telegram, slack, wecom)")]
    UnknownRelay(String),
    #[error("bad duration `{0}` (e.g. 90s, 15m, 2h, 1d)")]
    BadDuration(String),
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
    #[error("`-@{0}`: a saved filter cannot be negated (negate its terms instead)")]
    NegatedSaved(String),
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
        let has_outcome = terms.iter().any(|t| matches!(t.test, Test::Outcome(_)));
        Group {
            terms,
            relay_scope,
            has_outcome,
        }
    }

    fn matches(&self, f: &Failure, now: DateTime<Utc>) -> bool {
        self.terms
            .iter()
            .all(|t| self.test(&t.test, f, now) != t.negate)
    }

    fn test(&self, test: &Test, f: &Failure, now: DateTime<Utc>) -> bool {
        match test {
            Test::Reason(any) => any.iter().any(|p| reason_matches(p, f)),
            Test::Outcome(wanted) => f
                .routes
                .iter()
                .filter(|r| self.relay_scope.is_empty() || self.relay_scope.contains(&r.relay))
                .any(|r| wanted.contains(&r.outcome)),
            // Alone, `relay:x` means "x told the user something"; with `outcome:` it only scopes.
            Test::Relay(any) => any.iter().any(|r| {
                f.route(*r)
                    .is_some_and(|r| self.has_outcome || r.outcome.is_notified())
            }),
            Test::Session(p) => prefix_of_any(f.session.as_deref(), p),
            Test::Agent(p) => prefix_of_any(f.agent_id.as_deref(), p),
            Test::Task(p) => prefix_of_any(f.task_id.as_deref(), p),
            Test::Group(p) => p.iter().any(|p| f.group.id.has_prefix(p)),
            // A window reaching past the calendar's start holds every failure.
            Test::Since(d) => now.checked_sub_signed(*d).is_none_or(|start| f.at >= start),
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
        Filter::of(source, &alternatives)
    }

    /// Parse with `@name` standing for a saved filter (the config file's `[filters]`, which
    /// may name each other: see [`saved`]). The source keeps the `@name`.
    pub fn parse_saved(source: &str, saved: &saved::Saved) -> Result<Filter, FilterError> {
        if !source.contains('@') {
            return Filter::parse(source);
        }
        let alternatives = saved::Resolver::new(saved).expand(source)?;
        Filter::of(source, &alternatives)
    }

    /// The filter whose alternatives are these words, shown as `source`.
    fn of(source: &str, alternatives: &[Vec<String>]) -> Result<Filter, FilterError> {
        let mut groups = Vec::with_capacity(alternatives.len());
        for words in alternatives {
            let mut terms = Vec::with_capacity(words.len());
            for raw in words {
                let (negate, body) = match raw.strip_prefix(['-', '!']) {
                    Some(rest) if !rest.is_empty() => (true, rest),
                    _ => (false, raw.as_str()),
                };
                terms.push(Term {
                    negate,
                    test: test::parse(body)?,
                });
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
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    pub fn has_time_terms(&self) -> bool {
        self.groups
            .iter()
            .flat_map(|g| &g.terms)
            .any(|t| matches!(t.test, Test::Since(_)))
    }

    /// `now` anchors `since:`: the newest event time seen (a capture's, a stream's own clock).
    pub fn matches(&self, f: &Failure, now: DateTime<Utc>) -> bool {
        self.groups.is_empty() || self.groups.iter().any(|g| g.matches(f, now))
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
        words
            .into_iter()
            .map(|p| {
                if p.contains(' ') {
                    format!("\"{p}\"")
                } else {
                    p
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
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
