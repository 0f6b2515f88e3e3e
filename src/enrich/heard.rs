//! What the chat user heard of a failure, over every relay at once: the answer to "who was never
//! told". One place decides it; the filter's `told:`, the sessions panel, `summary`, the report
//! and `tail` records all read it.
//!
//! The relays that count are those the session is bound to; where the bindings do not say, every
//! relay that might serve it. A session bound to none, or a turn typed in Multica's web or mobile
//! app, is answered in that app, which shows the failure itself.

use serde::Serialize;

use super::Failure;
use crate::routing::{Outcome, Route, Why};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Heard {
    /// Some relay serving the session sent the error, a fixed sentence or the reason (or the
    /// session talks in Multica's own app).
    Yes,
    /// The best that arrived was a text without the reason or the error.
    Generic,
    /// Nothing arrived: the chat session was lost, or every relay serving it stayed silent.
    No,
    /// An automatic retry is pending: the user hears at the last attempt.
    Pending,
    /// Not a chat task: nobody is waiting in a chat.
    NotChat,
}

impl Heard {
    pub fn name(self) -> &'static str {
        match self {
            Heard::Yes => "yes",
            Heard::Generic => "generic",
            Heard::No => "no",
            Heard::Pending => "pending",
            Heard::NotChat => "not_chat",
        }
    }

    pub fn parse(s: &str) -> Option<Heard> {
        match s.to_ascii_lowercase().as_str() {
            "yes" | "told" => Some(Heard::Yes),
            "generic" => Some(Heard::Generic),
            "no" | "untold" => Some(Heard::No),
            "pending" => Some(Heard::Pending),
            "not_chat" | "notchat" => Some(Heard::NotChat),
            _ => None,
        }
    }

    /// The user was not told (and is not about to be).
    pub fn is_untold(self) -> bool {
        self == Heard::No
    }
}

impl Failure {
    /// What the chat user heard of this failure (see the module).
    pub fn heard(&self) -> Heard {
        heard(self.session_lost, self.routes.as_slice())
    }
}

/// The relays serving a session: those bound, else those the bindings do not rule out.
pub fn serving(routes: &[Route]) -> impl Iterator<Item = &Route> {
    let any_bound = routes.iter().any(|r| r.bound == Some(true));
    routes.iter().filter(move |r| {
        if any_bound {
            r.bound == Some(true)
        } else {
            r.bound.is_none()
        }
    })
}

fn heard(lost: bool, routes: &[Route]) -> Heard {
    if lost || routes.iter().any(|r| r.outcome == Outcome::Dropped) {
        return Heard::No;
    }
    if routes.is_empty() || routes.iter().all(|r| r.outcome == Outcome::NotChat) {
        return Heard::NotChat;
    }
    let mut best = None::<Outcome>;
    let mut pending = false;
    let mut serving_any = false;
    let mut in_app = false;
    for r in serving(routes) {
        serving_any = true;
        pending |= r.why == Why::RetryPending;
        in_app |= r.why == Why::TypedInMultica;
        if r.outcome.is_notified() {
            // Outcomes are ordered from the most said to the least.
            best = Some(best.map_or(r.outcome, |b| b.min(r.outcome)));
        }
    }
    match best {
        Some(Outcome::NotifiedGeneric) => Heard::Generic,
        Some(_) => Heard::Yes,
        None if pending => Heard::Pending,
        // Bound to no relay, or the turn was typed in Multica: the app shows the failure.
        None if !serving_any || in_app => Heard::Yes,
        None => Heard::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Relay;

    fn route(relay: Relay, outcome: Outcome, why: Why, bound: Option<bool>) -> Route {
        Route {
            relay,
            outcome,
            why,
            bound,
        }
    }

    #[test]
    fn lost_is_never_told_whatever_the_relays() {
        let r = [route(
            Relay::Lark,
            Outcome::Dropped,
            Why::LostChatSession,
            Some(true),
        )];
        assert_eq!(heard(true, &r), Heard::No);
        assert_eq!(heard(false, &r), Heard::No);
    }

    #[test]
    fn only_bound_relays_count() {
        // Lark would have said the reason, but the session is bound to Octo only, which was
        // silent (retry pending is not silence: see below).
        let r = [
            route(Relay::Octo, Outcome::Silent, Why::NoErrorText, Some(true)),
            route(Relay::Lark, Outcome::Silent, Why::NotBound, Some(false)),
        ];
        assert_eq!(heard(false, &r), Heard::No);
        let r = [
            route(
                Relay::Octo,
                Outcome::NotifiedGeneric,
                Why::OldFixedText,
                Some(true),
            ),
            route(
                Relay::Lark,
                Outcome::NotifiedGeneric,
                Why::BareRunFailed,
                Some(true),
            ),
        ];
        assert_eq!(heard(false, &r), Heard::Generic);
        let r = [
            route(
                Relay::Octo,
                Outcome::NotifiedGeneric,
                Why::OldFixedText,
                Some(true),
            ),
            route(
                Relay::Lark,
                Outcome::NotifiedReason,
                Why::ReasonText,
                Some(true),
            ),
        ];
        assert_eq!(heard(false, &r), Heard::Yes);
    }

    #[test]
    fn unknown_bindings_count_every_relay_and_web_sessions_hear_in_the_app() {
        let r = [
            route(Relay::Lark, Outcome::Silent, Why::NoErrorText, None),
            route(
                Relay::Telegram,
                Outcome::NotifiedGeneric,
                Why::FixedNotice,
                None,
            ),
        ];
        assert_eq!(heard(false, &r), Heard::Generic);
        let r = [
            route(Relay::Lark, Outcome::Silent, Why::NotBound, Some(false)),
            route(Relay::Octo, Outcome::Silent, Why::NotBound, Some(false)),
        ];
        assert_eq!(heard(false, &r), Heard::Yes);
        let r = [route(
            Relay::Lark,
            Outcome::Silent,
            Why::TypedInMultica,
            Some(true),
        )];
        assert_eq!(heard(false, &r), Heard::Yes);
    }

    #[test]
    fn a_pending_retry_waits_and_not_chat_is_apart() {
        let r = [route(
            Relay::Lark,
            Outcome::Silent,
            Why::RetryPending,
            Some(true),
        )];
        assert_eq!(heard(false, &r), Heard::Pending);
        let r = [route(
            Relay::Lark,
            Outcome::NotChat,
            Why::NoChatSession,
            None,
        )];
        assert_eq!(heard(false, &r), Heard::NotChat);
        assert_eq!(heard(false, &[]), Heard::NotChat);
    }
}
