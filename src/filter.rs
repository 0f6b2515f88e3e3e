//! The filter language, parsed once into a predicate over failures.
//!
//! Space-separated terms, all must match; `-term` or `!term` negates; `"quoted words"` stay one term.
//! `reason:provider_*` (glob; `agent`, `platform`, `unknown` are classes), `outcome:dropped`,
//! `relay:octo`, `session:<prefix>`, `agent:<prefix>`, `task:<prefix>`, `since:15m`,
//! a bare word (case-insensitive substring) or `/regex/` on the redacted error text.

use aho_corasick::AhoCorasick;
use chrono::{DateTime, Duration, Utc};
use regex::Regex;

use crate::catalog;
use crate::enrich::Failure;
use crate::routing::{Outcome, Relay};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown key `{0}:` (use reason, outcome, relay, session, agent, task, since)")]
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
    #[error("unclosed quote")]
    UnclosedQuote,
}

#[derive(Debug, Clone)]
enum ReasonPattern {
    Agent,
    Platform,
    Unknown,
    Glob(String),
}

#[derive(Debug, Clone)]
enum Test {
    Reason(ReasonPattern),
    Outcome(Vec<Outcome>),
    Relay(Relay),
    Session(String),
    Agent(String),
    Task(String),
    Since(Duration),
    Text(AhoCorasick),
    Regex(Regex),
}

#[derive(Debug, Clone)]
struct Term {
    negate: bool,
    test: Test,
}

/// A parsed filter. The empty filter matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    source: String,
    terms: Vec<Term>,
    /// Relays named by positive `relay:` terms: they scope `outcome:` terms.
    relay_scope: Vec<Relay>,
    has_outcome: bool,
}

impl Filter {
    pub fn parse(source: &str) -> Result<Filter, FilterError> {
        let mut terms = Vec::new();
        for raw in split_terms(source)? {
            let (negate, body) = match raw.strip_prefix(['-', '!']) {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, raw.as_str()),
            };
            terms.push(Term {
                negate,
                test: parse_test(body)?,
            });
        }
        let relay_scope = terms
            .iter()
            .filter_map(|t| match t.test {
                Test::Relay(r) if !t.negate => Some(r),
                _ => None,
            })
            .collect();
        let has_outcome = terms.iter().any(|t| matches!(t.test, Test::Outcome(_)));
        Ok(Filter {
            source: source.trim().to_owned(),
            terms,
            relay_scope,
            has_outcome,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn has_time_terms(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.test, Test::Since(_)))
    }

    /// `now` anchors `since:` (the newest event time when replaying, the clock when live).
    pub fn matches(&self, f: &Failure, now: DateTime<Utc>) -> bool {
        self.terms
            .iter()
            .all(|t| self.test(&t.test, f, now) != t.negate)
    }

    fn test(&self, test: &Test, f: &Failure, now: DateTime<Utc>) -> bool {
        match test {
            Test::Reason(p) => reason_matches(p, f),
            Test::Outcome(wanted) => f
                .routes
                .iter()
                .filter(|r| self.in_scope(r.relay))
                .any(|r| wanted.contains(&r.outcome)),
            // Alone, `relay:x` means "x told the user something"; with `outcome:` it only scopes.
            Test::Relay(r) => f
                .route(*r)
                .is_some_and(|r| self.has_outcome || r.outcome.is_notified()),
            Test::Session(p) => f
                .session
                .as_deref()
                .is_some_and(|s| s.starts_with(p.as_str())),
            Test::Agent(p) => f
                .agent_id
                .as_deref()
                .is_some_and(|s| s.starts_with(p.as_str())),
            Test::Task(p) => f
                .task_id
                .as_deref()
                .is_some_and(|s| s.starts_with(p.as_str())),
            // A window reaching past the calendar's start holds every failure.
            Test::Since(d) => now.checked_sub_signed(*d).is_none_or(|start| f.at >= start),
            Test::Text(ac) => f.error().is_some_and(|e| ac.is_match(e)),
            Test::Regex(re) => f.error().is_some_and(|e| re.is_match(e)),
        }
    }

    fn in_scope(&self, relay: Relay) -> bool {
        self.relay_scope.is_empty() || self.relay_scope.contains(&relay)
    }

    /// The filter with one `reason:code` term added, or removed if present (the reasons panel toggle).
    pub fn toggle_reason(&self, code: &str) -> String {
        let term = format!("reason:{code}");
        let mut parts: Vec<String> = split_terms(&self.source).unwrap_or_default();
        if let Some(i) = parts.iter().position(|p| *p == term) {
            parts.remove(i);
        } else {
            parts.push(term);
        }
        parts
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

fn reason_matches(p: &ReasonPattern, f: &Failure) -> bool {
    let code = f.reason_code();
    match p {
        ReasonPattern::Agent => catalog::is_agent_side(code),
        ReasonPattern::Platform => !code.is_empty() && !catalog::is_agent_side(code),
        ReasonPattern::Unknown => !f.reason_known,
        ReasonPattern::Glob(g) => glob_match(g.as_bytes(), code.as_bytes()),
    }
}

fn parse_test(body: &str) -> Result<Test, FilterError> {
    if body.len() >= 2 && body.starts_with('/') && body.ends_with('/') {
        return Regex::new(&body[1..body.len() - 1])
            .map(Test::Regex)
            .map_err(|e| {
                FilterError::BadRegex(e.to_string().lines().last().unwrap_or("").trim().to_owned())
            });
    }
    let Some((key, value)) = body
        .split_once(':')
        .filter(|(k, v)| is_key(k) && !v.starts_with('/'))
    else {
        return Ok(Test::Text(text_matcher(body)));
    };
    let key = key.to_ascii_lowercase();
    if value.is_empty() {
        return Err(FilterError::MissingValue(key));
    }
    Ok(match key.as_str() {
        "reason" => Test::Reason(match value {
            "agent" => ReasonPattern::Agent,
            "platform" => ReasonPattern::Platform,
            "unknown" => ReasonPattern::Unknown,
            // `reason:provider_*` is shorthand for the agent-side code's suffix.
            g if !g.contains('.') && catalog::lookup(g).is_none() && !g.starts_with('*') => {
                ReasonPattern::Glob(format!("{{agent_error.,}}{g}"))
            }
            g => ReasonPattern::Glob(g.to_owned()),
        }),
        "outcome" => Test::Outcome(parse_outcome(value)?),
        "relay" => {
            Test::Relay(Relay::parse(value).ok_or_else(|| FilterError::UnknownRelay(value.into()))?)
        }
        "session" => Test::Session(value.to_owned()),
        "agent" => Test::Agent(value.to_owned()),
        "task" => Test::Task(value.to_owned()),
        "since" => Test::Since(
            parse_duration(value).ok_or_else(|| FilterError::BadDuration(value.into()))?,
        ),
        _ => return Err(FilterError::UnknownKey(key)),
    })
}

/// Only words shaped like `key:` are keys (`http://x` and `12:03` stay text).
fn is_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 10 && k.bytes().all(|b| b.is_ascii_alphabetic())
}

fn text_matcher(needle: &str) -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([needle])
        .expect("a single literal pattern always builds")
}

fn parse_outcome(v: &str) -> Result<Vec<Outcome>, FilterError> {
    use Outcome::*;
    Ok(match v.to_ascii_lowercase().as_str() {
        "notified" => vec![
            NotifiedDetail,
            NotifiedCanned,
            NotifiedReason,
            NotifiedGeneric,
        ],
        "detail" | "notified_detail" => vec![NotifiedDetail],
        "canned" | "notified_canned" => vec![NotifiedCanned],
        "reason" | "notified_reason" => vec![NotifiedReason],
        "generic" | "notified_generic" => vec![NotifiedGeneric],
        "silent" => vec![Silent],
        "dropped" | "lost" => vec![Dropped],
        "not_chat" | "notchat" => vec![NotChat],
        _ => return Err(FilterError::UnknownOutcome(v.into())),
    })
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

/// Glob with `*`, `?` and one level of `{a,b}` alternatives; iterative, no backtracking blow-up.
fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    if let Some(open) = pat.iter().position(|&b| b == b'{') {
        if let Some(len) = pat[open..].iter().position(|&b| b == b'}') {
            let (head, alts, tail) = (
                &pat[..open],
                &pat[open + 1..open + len],
                &pat[open + len + 1..],
            );
            return alts.split(|&b| b == b',').any(|alt| {
                let p: Vec<u8> = [head, alt, tail].concat();
                glob_match(&p, s)
            });
        }
    }
    let (mut p, mut i, mut star, mut mark) = (0, 0, None, 0);
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some(p);
            mark = i;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&b| b == b'*')
}

/// Whitespace-separated terms; double quotes group (and are removed); a `/regex/` (optionally
/// negated) keeps its spaces.
fn split_terms(s: &str) -> Result<Vec<String>, FilterError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_regex = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_regex {
            cur.push(c);
            if c == '/' && !escaped {
                in_regex = false;
            }
            escaped = c == '\\' && !escaped;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            '/' if !quoted && matches!(cur.as_str(), "" | "-" | "!") => {
                in_regex = true;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(FilterError::UnclosedQuote);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::Enricher;
    use crate::protocol::decode;
    use crate::routing::{Family, FamilySource};

    fn failures() -> Vec<Failure> {
        let mut e = Enricher::new(
            Some((Family::Upstream, FamilySource::Flag)),
            Default::default(),
        );
        let at = |s: i64| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
        [
            (0, r#"{"type":"task:queued","payload":{"task_id":"t1","chat_session_id":"s-lost"}}"#),
            (10, r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"ag1","failure_reason":"runtime_offline"}}"#),
            (20, r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"ag2","chat_session_id":"s-ok","failure_reason":"agent_error.provider_quota_limit","retry_pending":false,"error":"402 Insufficient balance"}}"#),
            (30, r#"{"type":"task:failed","payload":{"task_id":"t3","agent_id":"ag1","issue_id":"i1","failure_reason":"agent_error.quantum_flux","retry_pending":true}}"#),
            (40, r#"{"type":"task:failed","payload":{"task_id":"t4","agent_id":"ag2","chat_session_id":"s-ok","failure_reason":"agent_error.provider_capacity_or_rate_limit","retry_pending":true}}"#),
        ]
        .iter()
        .filter_map(|(s, l)| e.ingest(at(*s), &decode(l).unwrap()))
        .map(|u| *u.failure)
        .collect()
    }

    fn select(expr: &str) -> Vec<String> {
        let f = Filter::parse(expr).unwrap();
        let now = DateTime::from_timestamp(1_700_000_040, 0).unwrap();
        failures()
            .iter()
            .filter(|x| f.matches(x, now))
            .map(|x| x.task_id.as_deref().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn terms_select_what_they_say() {
        assert_eq!(select(""), ["t1", "t2", "t3", "t4"]);
        assert_eq!(select("reason:provider_*"), ["t2", "t4"]);
        assert_eq!(select("reason:agent"), ["t2", "t3", "t4"]);
        assert_eq!(select("reason:platform"), ["t1"]);
        assert_eq!(select("reason:unknown"), ["t3"]);
        assert_eq!(select("reason:runtime_offline"), ["t1"]);
        assert_eq!(select("reason:*quota*"), ["t2"]);
        assert_eq!(select("outcome:dropped"), ["t1"]);
        assert_eq!(select("outcome:not_chat"), ["t3"]);
        assert_eq!(select("relay:dingtalk outcome:silent"), ["t4"]);
        assert_eq!(select("relay:dingtalk"), ["t2"]);
        assert_eq!(select("session:s-"), ["t1", "t2", "t4"]);
        assert_eq!(
            select("agent:ag2 -reason:agent_error.provider_quota_limit"),
            ["t4"]
        );
        assert_eq!(select("!agent:ag2"), ["t1", "t3"]);
        assert_eq!(select("since:15s"), ["t3", "t4"]);
        assert_eq!(select("BALANCE"), ["t2"]);
        assert_eq!(select("/^402 [A-Z]/"), ["t2"]);
        assert_eq!(select("-/^402 [A-Z]/ reason:agent"), ["t3", "t4"]);
        assert_eq!(select("\"insufficient balance\""), ["t2"]);
        assert_eq!(select("-balance reason:agent"), ["t3", "t4"]);
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        assert_eq!(
            Filter::parse("colour:red").unwrap_err(),
            FilterError::UnknownKey("colour".into())
        );
        assert_eq!(
            Filter::parse("reason:").unwrap_err(),
            FilterError::MissingValue("reason".into())
        );
        assert!(matches!(
            Filter::parse("outcome:maybe"),
            Err(FilterError::UnknownOutcome(_))
        ));
        assert!(matches!(
            Filter::parse("relay:icq"),
            Err(FilterError::UnknownRelay(_))
        ));
        assert!(matches!(
            Filter::parse("since:5y"),
            Err(FilterError::BadDuration(_))
        ));
        assert!(matches!(
            Filter::parse("/[/"),
            Err(FilterError::BadRegex(_))
        ));
        assert_eq!(
            Filter::parse("\"open").unwrap_err(),
            FilterError::UnclosedQuote
        );
        // Colons in text that do not look like keys are plain text.
        assert!(Filter::parse("http://x 12:03").is_ok());
    }

    #[test]
    fn glob_handles_stars_and_alternatives() {
        assert!(glob_match(b"a*c", b"abbbc"));
        assert!(glob_match(b"*", b""));
        assert!(!glob_match(b"a?c", b"ac"));
        assert!(glob_match(b"{x.,}b*", b"x.bc"));
        assert!(glob_match(b"{x.,}b*", b"bc"));
        assert!(!glob_match(&b"a*".repeat(50), &b"a".repeat(40)));
    }

    #[test]
    fn toggle_reason_adds_then_removes() {
        let f = Filter::parse("outcome:dropped").unwrap();
        let on = f.toggle_reason("timeout");
        assert_eq!(on, "outcome:dropped reason:timeout");
        assert_eq!(
            Filter::parse(&on).unwrap().toggle_reason("timeout"),
            "outcome:dropped"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("15"), Some(Duration::minutes(15)));
        assert_eq!(parse_duration("2h"), Some(Duration::hours(2)));
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("99999999999999999d"), None);
    }

    #[test]
    fn windows_past_the_calendar_match_everything_instead_of_panicking() {
        // Durations chrono accepts but no date can be that far back from now.
        for text in [
            "since:100000000d",
            "since:9223372036854775s",
            "since:106751991167d",
        ] {
            assert_eq!(select(text), ["t1", "t2", "t3", "t4"], "{text}");
        }
    }
}
