//! What each IM relay would do with a `task:failed` event: notify (with which exact text), stay
//! silent, drop it, or ignore it as not a chat task. One small model per relay, all pure.

mod correlate;
mod dingtalk;
mod lark;
mod octo;

pub use correlate::{BoundedMap, Correlator};

use serde::Serialize;

use crate::catalog::Lang;

/// The relays we model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relay {
    Octo,
    Lark,
    #[serde(rename = "dingtalk")]
    DingTalk,
}

impl Relay {
    pub const ALL: [Relay; 3] = [Relay::Octo, Relay::Lark, Relay::DingTalk];

    pub fn name(self) -> &'static str {
        match self {
            Relay::Octo => "octo",
            Relay::Lark => "lark",
            Relay::DingTalk => "dingtalk",
        }
    }

    pub fn parse(s: &str) -> Option<Relay> {
        Relay::ALL.into_iter().find(|r| {
            r.name().eq_ignore_ascii_case(s)
                || (s.eq_ignore_ascii_case("feishu") && *r == Relay::Lark)
        })
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a relay did with one failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The user was sent the real (redacted) error text.
    NotifiedDetail,
    /// The user was sent a text explaining the failure reason.
    NotifiedReason,
    /// The user was sent a generic text: they learned nothing about why.
    NotifiedGeneric,
    /// The relay sends nothing, by design (retry pending, no text).
    Silent,
    /// A chat task whose failure carried no chat session id: nobody was told.
    Dropped,
    /// Not a chat task: no relay is involved.
    NotChat,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::NotifiedDetail,
        Outcome::NotifiedReason,
        Outcome::NotifiedGeneric,
        Outcome::Silent,
        Outcome::Dropped,
        Outcome::NotChat,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::NotifiedDetail => "notified_detail",
            Outcome::NotifiedReason => "notified_reason",
            Outcome::NotifiedGeneric => "notified_generic",
            Outcome::Silent => "silent",
            Outcome::Dropped => "dropped",
            Outcome::NotChat => "not_chat",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_notified(self) -> bool {
        matches!(
            self,
            Outcome::NotifiedDetail | Outcome::NotifiedReason | Outcome::NotifiedGeneric
        )
    }

    /// A one-cell mark for tables, distinct without colour.
    pub fn glyph(self) -> char {
        match self {
            Outcome::NotifiedDetail => '✓',
            Outcome::NotifiedReason => '◐',
            Outcome::NotifiedGeneric => '○',
            Outcome::Silent => '·',
            Outcome::Dropped => '✗',
            Outcome::NotChat => '-',
        }
    }

    /// ASCII twin of [`Outcome::glyph`].
    pub fn ascii(self) -> char {
        match self {
            Outcome::NotifiedDetail => 'D',
            Outcome::NotifiedReason => 'R',
            Outcome::NotifiedGeneric => 'G',
            Outcome::Silent => 's',
            Outcome::Dropped => 'X',
            Outcome::NotChat => '-',
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Outcome::NotifiedDetail, Lang::En) => "notified (error)",
            (Outcome::NotifiedReason, Lang::En) => "notified (reason)",
            (Outcome::NotifiedGeneric, Lang::En) => "generic text",
            (Outcome::Silent, Lang::En) => "silent",
            (Outcome::Dropped, Lang::En) => "dropped",
            (Outcome::NotChat, Lang::En) => "not chat",
            (Outcome::NotifiedDetail, Lang::Zh) => "已通知（错误）",
            (Outcome::NotifiedReason, Lang::Zh) => "已通知（原因）",
            (Outcome::NotifiedGeneric, Lang::Zh) => "通用文本",
            (Outcome::Silent, Lang::Zh) => "静默",
            (Outcome::Dropped, Lang::Zh) => "已丢失",
            (Outcome::NotChat, Lang::Zh) => "非聊天",
        }
    }
}

/// Why a relay reached its outcome. Together with the failure it determines the exact text sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The error text was sent (from `error`, `error_message`, or joined from the chat message).
    ErrorText,
    /// Octo: the Chinese text for a known reason.
    ReasonText,
    /// Octo: the default text (no error and no known reason, or a reason whose text is the default).
    DefaultText,
    /// Lark: `Run failed.` with nothing after it.
    BareRunFailed,
    /// DingTalk: an automatic retry is pending.
    RetryPending,
    /// DingTalk: no `error` field, so nothing is sent.
    NoErrorText,
    /// The task's chat session is known from earlier events but missing from the failure.
    LostChatSession,
    /// No chat session on the event and none remembered for the task.
    NoChatSession,
}

impl Why {
    pub fn explain(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Why::ErrorText, Lang::En) => "sent the error text",
            (Why::ReasonText, Lang::En) => "no error text: sent the reason's text",
            (Why::DefaultText, Lang::En) => {
                "no error text and no known reason: sent the default text"
            }
            (Why::BareRunFailed, Lang::En) => {
                "no error text and no reason fallback: sent a bare \"Run failed.\""
            }
            (Why::RetryPending, Lang::En) => "retry pending: relay stays silent",
            (Why::NoErrorText, Lang::En) => "no error field: relay sends nothing",
            (Why::LostChatSession, Lang::En) => {
                "chat task lost its chat_session_id: nobody was told"
            }
            (Why::NoChatSession, Lang::En) => "no chat session: not a chat task",
            (Why::ErrorText, Lang::Zh) => "发送了错误文本",
            (Why::ReasonText, Lang::Zh) => "无错误文本：发送了失败原因文本",
            (Why::DefaultText, Lang::Zh) => "无错误文本且原因未知：发送了默认文本",
            (Why::BareRunFailed, Lang::Zh) => "无错误文本且无原因回退：只发送了 \"Run failed.\"",
            (Why::RetryPending, Lang::Zh) => "等待自动重试：中继不发送",
            (Why::NoErrorText, Lang::Zh) => "没有 error 字段：中继不发送",
            (Why::LostChatSession, Lang::Zh) => "聊天任务丢失了 chat_session_id：用户未被通知",
            (Why::NoChatSession, Lang::Zh) => "没有聊天会话：不是聊天任务",
        }
    }
}

/// One relay's verdict on one failure. Small and `Copy`: the text is derived on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    pub relay: Relay,
    pub outcome: Outcome,
    pub why: Why,
}

/// The facts about a failure that decide routing. `error` is already redacted by us.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    /// Chat session id carried on the event itself.
    pub chat_session_id: Option<&'a str>,
    /// Chat session remembered for this task from earlier events (used when the event lost it).
    pub remembered_session: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub retry_pending: Option<bool>,
    /// The relay-visible `error` (from the event, or joined from the failure's chat message).
    pub error: Option<&'a str>,
    /// The `error_message` alias.
    pub error_message: Option<&'a str>,
}

/// Every relay's verdict, in [`Relay::ALL`] order.
pub fn route_all(facts: &Facts) -> [Route; 3] {
    Relay::ALL.map(|relay| route(relay, facts))
}

pub fn route(relay: Relay, facts: &Facts) -> Route {
    let verdict = |outcome, why| Route {
        relay,
        outcome,
        why,
    };
    if facts.chat_session_id.is_none() {
        return match facts.remembered_session {
            Some(_) => verdict(Outcome::Dropped, Why::LostChatSession),
            None => verdict(Outcome::NotChat, Why::NoChatSession),
        };
    }
    let (outcome, why) = match relay {
        Relay::Octo => octo::decide(facts),
        Relay::Lark => lark::decide(facts),
        Relay::DingTalk => dingtalk::decide(facts),
    };
    verdict(outcome, why)
}

/// The exact text the relay sent for this verdict, if it sent anything.
pub fn text(route: &Route, facts: &Facts) -> Option<String> {
    match route.relay {
        Relay::Octo => octo::text(route.why, facts),
        Relay::Lark => lark::text(route.why, facts),
        Relay::DingTalk => dingtalk::text(route.why, facts),
    }
}

/// The first non-empty of the given texts.
fn first_text<'a>(candidates: &[Option<&'a str>]) -> Option<&'a str> {
    candidates
        .iter()
        .flatten()
        .copied()
        .find(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(reason: Option<&'static str>, error: Option<&'static str>) -> Facts<'static> {
        Facts {
            chat_session_id: Some("s1"),
            reason,
            error,
            ..Facts::default()
        }
    }

    #[test]
    fn no_session_is_not_chat_unless_remembered() {
        let f = Facts {
            reason: Some("timeout"),
            ..Facts::default()
        };
        for r in route_all(&f) {
            assert_eq!((r.outcome, r.why), (Outcome::NotChat, Why::NoChatSession));
            assert_eq!(text(&r, &f), None);
        }
        let lost = Facts {
            remembered_session: Some("s1"),
            ..f
        };
        for r in route_all(&lost) {
            assert_eq!((r.outcome, r.why), (Outcome::Dropped, Why::LostChatSession));
            assert_eq!(text(&r, &lost), None);
        }
    }

    #[test]
    fn octo_prefers_error_then_error_message_then_reason_then_default() {
        let f = Facts {
            error_message: Some("alias"),
            ..chat(Some("timeout"), Some("boom"))
        };
        let r = route(Relay::Octo, &f);
        assert_eq!(r.outcome, Outcome::NotifiedDetail);
        assert_eq!(text(&r, &f).as_deref(), Some("⚠️ boom"));

        let f = Facts {
            error_message: Some("alias"),
            ..chat(Some("timeout"), Some("  "))
        };
        assert_eq!(
            text(&route(Relay::Octo, &f), &f).as_deref(),
            Some("⚠️ alias")
        );

        let f = chat(Some("agent_error.provider_quota_limit"), None);
        let r = route(Relay::Octo, &f);
        assert_eq!(r.outcome, Outcome::NotifiedReason);
        assert_eq!(
            text(&r, &f).as_deref(),
            Some("⚠️ 模型服务额度已用尽，请检查账户额度。")
        );

        for reason in [
            Some("agent_error.quantum_flux"),
            None,
            Some("agent_error.unknown"),
        ] {
            let f = chat(reason, None);
            let r = route(Relay::Octo, &f);
            assert_eq!(r.outcome, Outcome::NotifiedGeneric, "{reason:?}");
            assert_eq!(
                text(&r, &f).as_deref(),
                Some("⚠️ Agent 运行失败，请稍后重试或联系工作区管理员。")
            );
        }
    }

    #[test]
    fn octo_ignores_retry_pending_but_dingtalk_does_not() {
        let f = Facts {
            retry_pending: Some(true),
            ..chat(Some("timeout"), Some("boom"))
        };
        assert_eq!(route(Relay::Octo, &f).outcome, Outcome::NotifiedDetail);
        assert_eq!(route(Relay::Lark, &f).outcome, Outcome::NotifiedDetail);
        let d = route(Relay::DingTalk, &f);
        assert_eq!((d.outcome, d.why), (Outcome::Silent, Why::RetryPending));
        assert_eq!(text(&d, &f), None);
    }

    #[test]
    fn lark_has_no_reason_fallback() {
        let f = chat(Some("timeout"), None);
        let r = route(Relay::Lark, &f);
        assert_eq!(r.outcome, Outcome::NotifiedGeneric);
        assert_eq!(text(&r, &f).as_deref(), Some("Run failed."));
        let f = Facts {
            error_message: Some("x"),
            ..chat(None, None)
        };
        let r = route(Relay::Lark, &f);
        assert_eq!(r.outcome, Outcome::NotifiedDetail);
        assert_eq!(text(&r, &f).as_deref(), Some("Run failed: x"));
    }

    #[test]
    fn dingtalk_needs_error_not_alias() {
        let f = Facts {
            error_message: Some("x"),
            ..chat(Some("timeout"), None)
        };
        let r = route(Relay::DingTalk, &f);
        assert_eq!((r.outcome, r.why), (Outcome::Silent, Why::NoErrorText));
        let f = chat(None, Some("boom"));
        let r = route(Relay::DingTalk, &f);
        assert_eq!(r.outcome, Outcome::NotifiedDetail);
        assert_eq!(text(&r, &f).as_deref(), Some("⚠️ boom"));
    }

    #[test]
    fn relay_names_round_trip() {
        for r in Relay::ALL {
            assert_eq!(Relay::parse(r.name()), Some(r));
        }
        assert_eq!(Relay::parse("Feishu"), Some(Relay::Lark));
        assert_eq!(Relay::parse("slack"), None);
    }
}
