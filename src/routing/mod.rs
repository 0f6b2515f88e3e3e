//! What each IM relay of the server's family did with a `task:failed` event: which exact text it
//! sent, or why it sent nothing. One small pure model per relay, written from the server source;
//! the facts they decide on (family, era, the error the relays had in-process, the binding) are
//! gathered by `enrich`.

mod bindings;
pub mod canned;
mod chains;
mod correlate;
mod family;
pub mod inbox;
mod key;
mod outcome;
mod relays;
pub mod since;

pub use bindings::{Bindings, BindingsError, RelaySet};
pub use chains::{Attempt, AttemptEnd, Chains};
pub use correlate::{CommentMemory, Correlator, IssueTitles, TypedTurns};
pub use family::{Era, Family, FamilySource, FamilyTracker};
pub use inbox::{Audience, Notice};
pub use key::IdKey;
pub use outcome::{Outcome, Route, Why, OUTCOME_COUNT};
pub use relays::{chrome, octo_reason_text, Chrome};
pub use since::ServerSetting;

use serde::Serialize;

/// Every relay failwatch models, across both families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relay {
    Octo,
    Lark,
    #[serde(rename = "dingtalk")]
    DingTalk,
    Telegram,
    Slack,
    #[serde(rename = "wecom")]
    WeCom,
}

/// The most relays one family runs.
pub const MAX_RELAYS: usize = 5;
pub const RELAY_COUNT: usize = 6;

impl Relay {
    pub const ALL: [Relay; RELAY_COUNT] = [
        Relay::Octo,
        Relay::Lark,
        Relay::DingTalk,
        Relay::Telegram,
        Relay::Slack,
        Relay::WeCom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Relay::Octo => "octo",
            Relay::Lark => "lark",
            Relay::DingTalk => "dingtalk",
            Relay::Telegram => "telegram",
            Relay::Slack => "slack",
            Relay::WeCom => "wecom",
        }
    }

    /// A one-letter column heading for tables.
    pub fn letter(self) -> char {
        match self {
            Relay::Octo => 'O',
            Relay::Lark => 'L',
            Relay::DingTalk => 'D',
            Relay::Telegram => 'T',
            Relay::Slack => 'S',
            Relay::WeCom => 'W',
        }
    }

    pub fn parse(s: &str) -> Option<Relay> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("feishu") {
            return Some(Relay::Lark);
        }
        Relay::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl Family {
    /// The relays this family's server runs for chat sessions: those that act on `task:failed`,
    /// and those that tell users nothing on failure (Slack and WeCom upstream, Slack on the fork,
    /// which subscribes to `chat:done` only).
    pub fn relays(self) -> &'static [Relay] {
        match self {
            Family::Upstream => &[
                Relay::Lark,
                Relay::DingTalk,
                Relay::Telegram,
                Relay::Slack,
                Relay::WeCom,
            ],
            Family::Octo => &[Relay::Octo, Relay::Lark, Relay::Slack],
        }
    }
}

/// The verdicts of one family's relays, in [`Family::relays`] order. Fixed-size, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routes {
    len: u8,
    items: [Route; MAX_RELAYS],
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            len: 0,
            items: [Route {
                relay: Relay::Lark,
                outcome: Outcome::NotChat,
                why: Why::NoChatSession,
                bound: None,
            }; MAX_RELAYS],
        }
    }
}

impl Routes {
    pub fn as_slice(&self) -> &[Route] {
        &self.items[..usize::from(self.len)]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.as_slice().iter()
    }

    pub fn get(&self, relay: Relay) -> Option<&Route> {
        self.iter().find(|r| r.relay == relay)
    }

    fn push(&mut self, r: Route) {
        self.items[usize::from(self.len)] = r;
        self.len += 1;
    }
}

/// Where the failure's chat session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ChatSession<'a> {
    /// Carried on the event.
    OnEvent(&'a str),
    /// Missing from the event, but the task was seen with this session earlier: lost.
    Lost(&'a str),
    /// Not a chat task (or one we never saw with a session).
    #[default]
    None,
}

/// The `error` the relays had in-process, as far as the wire tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InProcess<'a> {
    /// The event had no `error` (retry pending upstream, older servers, a fork frame without one).
    #[default]
    Absent,
    /// Present, and these are its words (our redaction applied); may be empty.
    Known(&'a str),
    /// Present (upstream strips it from the wire after the relays used it), words unknown here.
    Withheld,
}

/// The facts about a failure that decide routing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    pub family: Option<Family>,
    pub era: Option<Era>,
    pub chat: ChatSession<'a>,
    pub reason: Option<&'a str>,
    pub retry_pending: Option<bool>,
    pub error: InProcess<'a>,
    /// `error_message`, the alias only the Octo and Lark readers accept (no server sends it).
    pub error_message: Option<&'a str>,
    /// The in-process error is one of Multica's fixed sentences.
    pub canned: bool,
    /// The withheld error is a fixed sentence or the agent's own words (a daemon timeout).
    pub canned_or_detail: bool,
    /// The task's turn was typed in Multica's web or mobile app, not in an IM channel.
    pub typed_in_app: bool,
    /// An issue's task (not a chat's).
    pub issue: bool,
    /// The issue's title, as a frame gave it (our redaction applied).
    pub issue_title: Option<&'a str>,
    /// The day the server's build is of, when the user said.
    pub built: Option<chrono::NaiveDate>,
}

/// Every relay of the failure's family, with the binding of its session.
pub fn route_all(facts: &Facts, bindings: &Bindings) -> Routes {
    let family = facts.family.unwrap_or(Family::Upstream);
    let session = match facts.chat {
        ChatSession::OnEvent(s) | ChatSession::Lost(s) => Some(s),
        ChatSession::None => None,
    };
    let mut routes = Routes::default();
    for &relay in family.relays() {
        let bound = session.and_then(|s| bindings.bound(s, relay));
        routes.push(route(relay, facts, bound));
    }
    routes
}

pub fn route(relay: Relay, facts: &Facts, bound: Option<bool>) -> Route {
    let verdict = |outcome, why| Route {
        relay,
        outcome,
        why,
        bound,
    };
    match facts.chat {
        ChatSession::None => return verdict(Outcome::NotChat, Why::NoChatSession),
        // Every relay returns before its binding lookup when the session id is missing.
        ChatSession::Lost(_) => return verdict(Outcome::Dropped, Why::LostChatSession),
        ChatSession::OnEvent(_) => {}
    }
    let (outcome, why) = relays::decide(relay, facts);
    if bound == Some(false) && outcome.is_notified() {
        return verdict(Outcome::Silent, Why::NotBound);
    }
    verdict(outcome, why)
}

/// The exact text a relay sent, with the server-withheld part marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SentText<'a> {
    Fixed(&'static str),
    Prefixed(&'static str, &'a str),
    /// Words from outside between two fixed parts.
    Wrapped(&'static str, &'a str, &'static str),
    /// The prefix, then the error the server withheld from the wire.
    Withheld(&'static str),
}

/// How withheld text is written in headless outputs (the dashboard localises it).
pub const WITHHELD: &str = "[error withheld by the server]";

impl SentText<'_> {
    pub fn render(&self, withheld: &str) -> String {
        match self {
            SentText::Fixed(s) => (*s).to_owned(),
            SentText::Prefixed(p, t) => format!("{p}{t}"),
            SentText::Wrapped(p, t, s) => format!("{p}{t}{s}"),
            SentText::Withheld(p) => format!("{p}{withheld}"),
        }
    }

    pub fn is_withheld(&self) -> bool {
        matches!(self, SentText::Withheld(_))
    }
}

/// The text this verdict sent, if it sent anything.
pub fn text<'a>(route: &Route, facts: &Facts<'a>) -> Option<SentText<'a>> {
    if !route.outcome.is_notified() {
        return None;
    }
    relays::text(route.relay, route.why, facts)
}

#[cfg(test)]
mod tests;
