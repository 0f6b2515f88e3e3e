//! One decision and one text rule per relay, from the server source (paths in docs/servers.md,
//! "Server families"). Only reached for a chat session carried on the event.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::since::{self, before};
use super::{Era, Facts, Family, InProcess, Outcome, Relay, SentText, Why};

const WARNING: &str = "⚠️ ";
const LARK_BARE: &str = "Run failed.";
const LARK_PREFIX: &str = "Run failed: ";
const TELEGRAM_NOTICE: &str = "❌ The agent run failed. Please try again.";
/// Telegram's notice for its first two days (2026-08-19 to 08-21).
const TELEGRAM_NOTICE_ZH: &str = "❌ 智能体处理失败，请稍后重试。";
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
/// One that may be either counts as detail: it may carry the agent's words.
fn sent_error(f: &Facts) -> (Outcome, Why) {
    if f.canned {
        (Outcome::NotifiedCanned, Why::CannedText)
    } else if f.canned_or_detail {
        (Outcome::NotifiedDetail, Why::CannedOrDetail)
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
    let upstream = f.family != Some(Family::Octo);
    // Upstream's Lark, DingTalk and Telegram answer only tasks whose input came in through their
    // channel (`channel/engine/provenance.go`); a retry inherits its parent's.
    let typed = upstream && f.typed_in_app;
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
        // The origin gate comes right after the binding, before anything is sent.
        Relay::Lark if typed => (Outcome::Silent, Why::TypedInMultica),
        // A card `Run failed: <error>` or `Run failed.`. It reads `error` when present (even
        // empty), `error_message` only when `error` is absent; no retry check.
        Relay::Lark => match (f.error, f.error_message) {
            (InProcess::Absent, Some(m)) if !m.is_empty() => {
                (Outcome::NotifiedDetail, Why::ErrorText)
            }
            _ if error_nonempty(f) => sent_error(f),
            _ => (Outcome::NotifiedGeneric, Why::BareRunFailed),
        },
        Relay::DingTalk if upstream && before(f.built, since::UPSTREAM_DINGTALK) => {
            (Outcome::Silent, Why::PredatesRelay)
        }
        // Silent on retry; `⚠️ ` + a non-empty `error`; silent otherwise. The text is decided
        // before the binding and the origin gate are looked at.
        Relay::DingTalk if retry_pending => (Outcome::Silent, Why::RetryPending),
        Relay::DingTalk if !error_nonempty(f) => (Outcome::Silent, Why::NoErrorText),
        Relay::DingTalk if typed => (Outcome::Silent, Why::TypedInMultica),
        Relay::DingTalk => sent_error(f),
        // Added 2026-08-19, long after `retry_pending` appeared: legacy shapes predate it.
        Relay::Telegram if legacy_upstream || before(f.built, since::UPSTREAM_TELEGRAM) => {
            (Outcome::Silent, Why::PredatesRelay)
        }
        Relay::Telegram if retry_pending => (Outcome::Silent, Why::RetryPending),
        Relay::Telegram if typed => (Outcome::Silent, Why::TypedInMultica),
        Relay::Telegram => (Outcome::NotifiedGeneric, Why::FixedNotice),
        Relay::Slack if upstream => (Outcome::Silent, Why::NoFailureMessage),
        // The fork's Slack relay came after its PR #33.
        Relay::Slack if f.era == Some(Era::OctoBeforeFix) || before(f.built, since::FORK_SLACK) => {
            (Outcome::Silent, Why::PredatesRelay)
        }
        Relay::Slack => (Outcome::Silent, Why::RepliesOnly),
        Relay::WeCom if legacy_upstream || before(f.built, since::UPSTREAM_WECOM) => {
            (Outcome::Silent, Why::PredatesRelay)
        }
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
        (Relay::Octo, Why::ErrorText | Why::CannedText | Why::CannedOrDetail) => body(f, WARNING)
            .or_else(|| {
                f.error_message
                    .filter(|m| !m.is_empty())
                    .map(|m| SentText::Prefixed(WARNING, m))
            }),
        (Relay::Octo, Why::ReasonText) => {
            Some(SentText::Prefixed(WARNING, octo_reason_text(f.reason?)?))
        }
        (Relay::Octo, Why::DefaultText) => Some(SentText::Prefixed(WARNING, octo_default())),
        (Relay::Octo, Why::OldFixedText) => Some(SentText::Fixed(OCTO_OLD_FIXED)),
        (Relay::Lark, Why::ErrorText | Why::CannedText | Why::CannedOrDetail) => match f.error {
            InProcess::Absent => f.error_message.map(|m| SentText::Prefixed(LARK_PREFIX, m)),
            _ => body(f, LARK_PREFIX),
        },
        (Relay::Lark, Why::BareRunFailed) => Some(SentText::Fixed(LARK_BARE)),
        (Relay::DingTalk, Why::ErrorText | Why::CannedText | Why::CannedOrDetail) => {
            body(f, WARNING)
        }
        (Relay::Telegram, Why::FixedNotice)
            if before(f.built, since::UPSTREAM_TELEGRAM_ENGLISH) =>
        {
            Some(SentText::Fixed(TELEGRAM_NOTICE_ZH))
        }
        (Relay::Telegram, Why::FixedNotice) => Some(SentText::Fixed(TELEGRAM_NOTICE)),
        _ => None,
    }
}

/// What the IM shows around a relay's text, beyond its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chrome {
    /// Lark sends a card; its header is the installation's agent name, else `Multica`
    /// (`lark/outbound.go`, `defaultRenderer.Render`).
    LarkCard,
    /// DingTalk sends `sampleMarkdown`: a push title (the first heading, else `Multica has
    /// replied.`) and the text in pieces of at most 16,000 bytes (`dingtalk/markdown.go`).
    DingTalkMarkdown {
        title: &'static str,
        /// How many messages, when the text's length is known.
        messages: Option<usize>,
    },
}

const DINGTALK_TITLE: &str = "Multica has replied.";
const DINGTALK_CHUNK_BYTES: usize = 16_000;
/// A piece's room for text: the budget less a fence closed at its end.
const DINGTALK_CHUNK_TEXT_BYTES: usize = DINGTALK_CHUNK_BYTES - "\n```".len();

/// How many messages DingTalk sends a text of `bytes` in (at least: it cuts at line ends).
fn dingtalk_messages(bytes: usize) -> usize {
    if bytes <= DINGTALK_CHUNK_BYTES {
        1
    } else {
        bytes.div_ceil(DINGTALK_CHUNK_TEXT_BYTES)
    }
}

/// The chrome of a text a relay sent (`None` for a relay that sends plain text).
pub fn chrome(relay: Relay, sent: &SentText) -> Option<Chrome> {
    match relay {
        Relay::Lark => Some(Chrome::LarkCard),
        // Every failure text starts with `⚠️ `, never a heading: the title is the default.
        Relay::DingTalk => Some(Chrome::DingTalkMarkdown {
            title: DINGTALK_TITLE,
            messages: match sent {
                SentText::Withheld(_) => None,
                known => Some(dingtalk_messages(known.render("").len())),
            },
        }),
        _ => None,
    }
}
