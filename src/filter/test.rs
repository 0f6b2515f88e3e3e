//! One term's test: what a `key:value` or a word checks of a failure.

use std::sync::Arc;

use regex::Regex;

use super::needle::Needle;
use super::when::When;
use super::{glob, FilterError};
use crate::catalog::{self, Lang};
use crate::enrich::{ErrorOrigin, Failure, Heard, Told};
use crate::routing::{Era, Family, Outcome, Relay, Why};

#[derive(Debug, Clone)]
pub enum ReasonPattern {
    Agent,
    Platform,
    Unknown,
    /// `none`: the event carried no reason (the name every output gives it).
    Missing,
    Glob(String),
    /// A plain word: a prefix of the code (with or without `agent_error.`), or words of the
    /// reason's label in either language.
    Word(Needle, String),
}

#[derive(Debug, Clone)]
pub enum Test {
    /// Any of these patterns.
    Reason(Vec<ReasonPattern>),
    Outcome(Vec<Outcome>),
    Relay(Vec<Relay>),
    /// The session is bound to one of these relays (or its binding is unknown, or none).
    Bound(Vec<BoundTo>),
    /// What the user heard, over every relay serving the session.
    Told(Vec<Heard>),
    /// Why a relay did what it did (scoped by `relay:` like `outcome:`).
    Why(Vec<Why>),
    /// Where the error text the relays had came from.
    Origin(Vec<Origin>),
    Era(Vec<Era>),
    Server(Vec<Family>),
    Session(Vec<String>),
    /// The workspace whose connection or stream carried the failure, by a prefix of its id.
    Workspace(Vec<String>),
    Agent(Vec<String>),
    Task(Vec<String>),
    /// Failure groups, by a prefix of their id.
    Group(Vec<String>),
    Since(When),
    Until(When),
    /// A saved filter named negated (`-@name`): its own filter.
    Saved(Arc<super::Filter>),
    /// A bare word: the error text, the reason's code or its label.
    Text(Needle),
    Regex(Regex),
}

/// Keys a term may have.
pub const KEYS: &str =
    "reason, outcome, relay, bound, told, why, origin, era, server, session, workspace, agent, task, group, since, until";

/// What `bound:` asks of a session's bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundTo {
    Relay(Relay),
    /// The bindings do not name the session.
    Unknown,
    /// Bound to no relay: the session lives in Multica's own app.
    None,
}

impl BoundTo {
    fn parse(v: &str) -> Option<BoundTo> {
        match v.to_ascii_lowercase().as_str() {
            "unknown" | "?" => Some(BoundTo::Unknown),
            "none" | "app" => Some(BoundTo::None),
            other => Relay::parse(other).map(BoundTo::Relay),
        }
    }

    pub fn holds(self, f: &Failure) -> bool {
        let chat = f.routes.iter().filter(|r| r.outcome != Outcome::NotChat);
        match self {
            BoundTo::Relay(relay) => f.route(relay).is_some_and(|r| r.bound == Some(true)),
            BoundTo::Unknown => {
                let mut chat = chat.peekable();
                chat.peek().is_some() && chat.all(|r| r.bound.is_none())
            }
            BoundTo::None => {
                let mut chat = chat.peekable();
                chat.peek().is_some() && chat.all(|r| r.bound == Some(false))
            }
        }
    }
}

/// Where the relays' error text came from, as `origin:` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// On the wire: the event's `error` or `error_message`.
    Wire,
    Comment,
    Canned,
    Withheld,
    Api,
    /// No error reached the relays.
    None,
}

impl Origin {
    fn parse(v: &str) -> Option<Origin> {
        Some(match v.to_ascii_lowercase().as_str() {
            "wire" | "event" => Origin::Wire,
            "comment" => Origin::Comment,
            "canned" => Origin::Canned,
            "withheld" => Origin::Withheld,
            "api" => Origin::Api,
            "none" => Origin::None,
            _ => return None,
        })
    }

    pub fn of(f: &Failure) -> Origin {
        match f.told {
            Told::Absent => Origin::None,
            Told::Withheld { .. } => Origin::Withheld,
            Told::Known { origin, .. } => match origin {
                ErrorOrigin::Event | ErrorOrigin::ErrorMessage => Origin::Wire,
                ErrorOrigin::Comment => Origin::Comment,
                ErrorOrigin::Canned => Origin::Canned,
                ErrorOrigin::Withheld => Origin::Withheld,
                ErrorOrigin::Api => Origin::Api,
            },
        }
    }
}

pub fn parse(body: &str) -> Result<Test, FilterError> {
    if body.len() >= 2 && body.starts_with('/') && body.ends_with('/') {
        return Regex::new(&body[1..body.len() - 1])
            .map(Test::Regex)
            .map_err(|e| FilterError::BadRegex(regex_problem(&e)));
    }
    let Some((key, value)) = body
        .split_once(':')
        .filter(|(k, v)| is_key(k) && !v.starts_with('/'))
    else {
        return Ok(Test::Text(Needle::new(body)));
    };
    let key = key.to_ascii_lowercase();
    if value.is_empty() {
        return Err(FilterError::MissingValue(key));
    }
    // `key:a,b` means a or b (a `,` inside a glob's `{…}` stays in the glob).
    let values: Vec<&str> = split_values(value)
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(FilterError::MissingValue(key));
    }
    let owned = || values.iter().map(|v| (*v).to_owned()).collect();
    Ok(match key.as_str() {
        "reason" => Test::Reason(values.iter().map(|v| reason(v)).collect::<Result<_, _>>()?),
        "outcome" => {
            let mut all = Vec::new();
            for v in &values {
                all.extend(outcomes(v)?);
            }
            Test::Outcome(all)
        }
        "relay" => Test::Relay(
            values
                .iter()
                .map(|v| Relay::parse(v).ok_or_else(|| FilterError::UnknownRelay((*v).into())))
                .collect::<Result<_, _>>()?,
        ),
        "bound" => Test::Bound(each(&values, BoundTo::parse, FilterError::UnknownRelay)?),
        "told" => Test::Told(each(&values, Heard::parse, |v| {
            FilterError::UnknownValue("told", v, "yes, generic, no, pending, not_chat".into())
        })?),
        "why" => Test::Why(each(&values, Why::parse, |v| {
            FilterError::UnknownValue("why", v, why_names())
        })?),
        "origin" => Test::Origin(each(&values, Origin::parse, |v| {
            FilterError::UnknownValue(
                "origin",
                v,
                "wire, comment, canned, withheld, api, none".into(),
            )
        })?),
        "era" => {
            let mut all = Vec::new();
            for v in &values {
                let eras = Era::matching(v);
                if eras.is_empty() {
                    return Err(FilterError::UnknownValue(
                        "era",
                        (*v).to_owned(),
                        "upstream_legacy, upstream_modern, octo_before_fix, octo_after_fix".into(),
                    ));
                }
                all.extend(eras);
            }
            Test::Era(all)
        }
        "server" => Test::Server(each(&values, Family::parse, |v| {
            FilterError::UnknownValue("server", v, "upstream, octo".into())
        })?),
        "session" => Test::Session(owned()),
        "workspace" => Test::Workspace(owned()),
        "agent" => Test::Agent(owned()),
        "task" => Test::Task(owned()),
        "group" => Test::Group(values.iter().map(|v| v.to_ascii_lowercase()).collect()),
        "since" => {
            Test::Since(When::parse(value).ok_or_else(|| FilterError::BadTime(value.into()))?)
        }
        "until" => {
            Test::Until(When::parse(value).ok_or_else(|| FilterError::BadTime(value.into()))?)
        }
        _ => return Err(FilterError::UnknownKey(key)),
    })
}

fn why_names() -> String {
    Why::ALL.map(Why::name).join(", ")
}

/// Every value parsed, or the first that is not, said by `unknown`.
fn each<T>(
    values: &[&str],
    parse: impl Fn(&str) -> Option<T>,
    unknown: impl Fn(String) -> FilterError,
) -> Result<Vec<T>, FilterError> {
    values
        .iter()
        .map(|v| parse(v).ok_or_else(|| unknown((*v).to_owned())))
        .collect()
}

/// A value list split at `,` outside a glob's braces.
fn split_values(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in value.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

/// The regex crate's message without its repeated "error:" and with where it went wrong.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or("").trim();
    let last = last.strip_prefix("error:").unwrap_or(last).trim();
    // The caret line shows the position: give it as a column.
    let column = text
        .lines()
        .find(|l| l.trim_start().starts_with('^'))
        .and_then(|l| l.find('^'))
        .map(|c| c.saturating_sub(4) + 1);
    match column {
        Some(c) => format!("{last} (at character {c})"),
        None => last.to_owned(),
    }
}

fn reason(v: &str) -> Result<ReasonPattern, FilterError> {
    Ok(match v {
        "agent" => ReasonPattern::Agent,
        "platform" => ReasonPattern::Platform,
        "unknown" => ReasonPattern::Unknown,
        catalog::NO_REASON => ReasonPattern::Missing,
        g if glob::is_glob(g) => {
            if let Some(why) = glob::check(g) {
                return Err(FilterError::BadGlob(g.into(), why));
            }
            // `reason:provider_*` is shorthand for the agent-side code's suffix.
            if !g.contains('.') && !g.starts_with('*') {
                ReasonPattern::Glob(format!("{{agent_error.,}}{g}"))
            } else {
                ReasonPattern::Glob(g.to_owned())
            }
        }
        w => ReasonPattern::Word(Needle::new(w), w.to_ascii_lowercase()),
    })
}

fn outcomes(v: &str) -> Result<Vec<Outcome>, FilterError> {
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

/// Only words shaped like `key:` are keys (`http://x` and `12:03` stay text).
fn is_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 10 && k.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The reason's label in every language (a filter means the same whatever `--lang` says).
fn labels(code: &str) -> [&'static str; 4] {
    Lang::ALL.map(|l| catalog::describe(code, l).texts.label)
}

pub fn reason_matches(p: &ReasonPattern, f: &Failure) -> bool {
    let code = f.reason_code();
    match p {
        ReasonPattern::Agent => catalog::is_agent_side(code),
        ReasonPattern::Platform => !code.is_empty() && !catalog::is_agent_side(code),
        ReasonPattern::Unknown => !f.reason_known,
        ReasonPattern::Missing => code.is_empty(),
        ReasonPattern::Glob(g) => glob::matches(g.as_bytes(), code.as_bytes()),
        ReasonPattern::Word(ac, word) => {
            let lower = code.to_ascii_lowercase();
            let short = lower.strip_prefix("agent_error.").unwrap_or(&lower);
            lower.starts_with(word.as_str())
                || short.starts_with(word.as_str())
                || (has_label(f) && labels(code).iter().any(|l| ac.is_match(l)))
        }
    }
}

pub fn text_matches(ac: &Needle, f: &Failure) -> bool {
    let code = f.reason_code();
    f.error().is_some_and(|e| ac.is_match(e))
        || ac.is_match(code)
        || (has_label(f) && labels(code).iter().any(|l| ac.is_match(l)))
}

/// Whether the reason's label is its own: a known code's, or "No reason sent" for none (an
/// unknown code's label says only that it is unknown).
fn has_label(f: &Failure) -> bool {
    f.reason_known || f.reason_code().is_empty()
}

pub fn prefix_of_any(value: Option<&str>, prefixes: &[String]) -> bool {
    value.is_some_and(|v| prefixes.iter().any(|p| v.starts_with(p.as_str())))
}
