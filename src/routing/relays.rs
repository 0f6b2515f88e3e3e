//! One decision and one text rule per relay, from the server source (paths in the README's
//! "Server families" section). Only reached for a chat session carried on the event.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{Era, Facts, InProcess, Outcome, Relay, SentText, Why};

const WARNING: &str = "⚠️ ";
const LARK_BARE: &str = "Run failed.";
const LARK_PREFIX: &str = "Run failed: ";
const TELEGRAM_NOTICE: &str = "❌ The agent run failed. Please try again.";
const OCTO_OLD_FIXED: &str = "⚠️ The agent run failed.";

/// The Octo relay's reply texts per reason, verbatim in a data file.
const OCTO_TSV: &str = include_str!("../../assets/octo-reason-texts.tsv");
const OCTO_DEFAULT_KEY: &str = "(default)";

static OCTO_TEXTS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    OCTO_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("reason\t"))
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

fn octo_default() -> &'static str {
    OCTO_TEXTS
        .get(OCTO_DEFAULT_KEY)
        .copied()
        .unwrap_or_default()
}

/// Octo's own text for a reason, if it has one that differs from its default.
pub fn octo_reason_text(reason: &str) -> Option<&'static str> {
    OCTO_TEXTS
        .get(reason)
        .copied()
        .filter(|t| *t != octo_default() && reason != OCTO_DEFAULT_KEY)
}

/// The error text, when the relay forwards it: detail, or canned when it is a fixed sentence.
fn sent_error(f: &Facts) -> (Outcome, Why) {
    if f.canned {
        (Outcome::NotifiedCanned, Why::CannedText)
    } else {
        (Outcome::NotifiedDetail, Why::ErrorText)
    }
}

fn error_nonempty(f: &Facts) -> bool {
    match f.error {
        InProcess::Known(t) => !t.is_empty(),
        InProcess::Withheld => true,
        InProcess::Absent => false,
    }
}

pub fn decide(relay: Relay, f: &Facts) -> (Outcome, Why) {
    let retry_pending = f.retry_pending == Some(true);
    let legacy_upstream = f.era == Some(Era::UpstreamLegacy);
    match relay {
        // `⚠️ ` + error, else error_message, else (after PR #33) the reason's text or the
        // default, (before) a fixed English sentence. No retry check in any era.
        Relay::Octo => {
            if error_nonempty(f) {
                sent_error(f)
            } else if f.error_message.is_some_and(|m| !m.is_empty()) {
                (Outcome::NotifiedDetail, Why::ErrorText)
            } else if f.era == Some(Era::OctoBeforeFix) {
                (Outcome::NotifiedGeneric, Why::OldFixedText)
            } else if f.reason.and_then(octo_reason_text).is_some() {
                (Outcome::NotifiedReason, Why::ReasonText)
            } else {
                (Outcome::NotifiedGeneric, Why::DefaultText)
            }
        }
        // A card `Run failed: <error>` or `Run failed.`. It reads `error` when present (even
        // empty), `error_message` only when `error` is absent; no retry check.
        Relay::Lark => match (f.error, f.error_message) {
            (InProcess::Absent, Some(m)) if !m.is_empty() => {
                (Outcome::NotifiedDetail, Why::ErrorText)
            }
            _ if error_nonempty(f) => sent_error(f),
            _ => (Outcome::NotifiedGeneric, Why::BareRunFailed),
        },
        // Silent on retry; `⚠️ ` + a non-empty `error`; silent otherwise.
        Relay::DingTalk if retry_pending => (Outcome::Silent, Why::RetryPending),
        Relay::DingTalk if error_nonempty(f) => sent_error(f),
        Relay::DingTalk => (Outcome::Silent, Why::NoErrorText),
        // Added 2026-08-19, long after `retry_pending` appeared: legacy shapes predate it.
        Relay::Telegram if legacy_upstream => (Outcome::Silent, Why::PredatesRelay),
        Relay::Telegram if retry_pending => (Outcome::Silent, Why::RetryPending),
        Relay::Telegram => (Outcome::NotifiedGeneric, Why::FixedNotice),
        Relay::Slack => (Outcome::Silent, Why::NoFailureMessage),
        Relay::WeCom => (Outcome::Silent, Why::NothingOnFailure),
    }
}

/// The error body a relay forwarded: its words, or the withheld marker.
fn body<'a>(f: &Facts<'a>, prefix: &'static str) -> Option<SentText<'a>> {
    match f.error {
        InProcess::Known(t) if !t.is_empty() => Some(SentText::Prefixed(prefix, t)),
        InProcess::Withheld => Some(SentText::Withheld(prefix)),
        _ => None,
    }
}

pub fn text<'a>(relay: Relay, why: Why, f: &Facts<'a>) -> Option<SentText<'a>> {
    match (relay, why) {
        (Relay::Octo, Why::ErrorText | Why::CannedText) => body(f, WARNING).or_else(|| {
            f.error_message
                .filter(|m| !m.is_empty())
                .map(|m| SentText::Prefixed(WARNING, m))
        }),
        (Relay::Octo, Why::ReasonText) => {
            Some(SentText::Prefixed(WARNING, octo_reason_text(f.reason?)?))
        }
        (Relay::Octo, Why::DefaultText) => Some(SentText::Prefixed(WARNING, octo_default())),
        (Relay::Octo, Why::OldFixedText) => Some(SentText::Fixed(OCTO_OLD_FIXED)),
        (Relay::Lark, Why::ErrorText | Why::CannedText) => match f.error {
            InProcess::Absent => f.error_message.map(|m| SentText::Prefixed(LARK_PREFIX, m)),
            _ => body(f, LARK_PREFIX),
        },
        (Relay::Lark, Why::BareRunFailed) => Some(SentText::Fixed(LARK_BARE)),
        (Relay::DingTalk, Why::ErrorText | Why::CannedText) => body(f, WARNING),
        (Relay::Telegram, Why::FixedNotice) => Some(SentText::Fixed(TELEGRAM_NOTICE)),
        _ => None,
    }
}
