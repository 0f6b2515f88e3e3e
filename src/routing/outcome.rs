//! A relay's verdict on one failure: the outcome (what the chat user learned), why, and whether
//! the session is bound to it; with the words each is shown in.

use serde::Serialize;

use super::Relay;
use crate::catalog::Lang;

/// What a relay did with one failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The user was sent the real (server-redacted) error text.
    NotifiedDetail,
    /// The user was sent one of Multica's fixed English sentences (`task timed out`, …): nothing
    /// beyond the reason.
    NotifiedCanned,
    /// The user was sent a text explaining the failure reason.
    NotifiedReason,
    /// The user was sent a generic text: they learned nothing about why.
    NotifiedGeneric,
    /// The relay sent nothing, by design (retry pending, no text, not bound, no failure message).
    Silent,
    /// A chat task whose failure carried no chat session id: nobody was told.
    Dropped,
    /// Not a chat task: no relay is involved.
    NotChat,
}

pub const OUTCOME_COUNT: usize = 7;

impl Outcome {
    pub const ALL: [Outcome; OUTCOME_COUNT] = [
        Outcome::NotifiedDetail,
        Outcome::NotifiedCanned,
        Outcome::NotifiedReason,
        Outcome::NotifiedGeneric,
        Outcome::Silent,
        Outcome::Dropped,
        Outcome::NotChat,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::NotifiedDetail => "notified_detail",
            Outcome::NotifiedCanned => "notified_canned",
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
            Outcome::NotifiedDetail
                | Outcome::NotifiedCanned
                | Outcome::NotifiedReason
                | Outcome::NotifiedGeneric
        )
    }

    /// A one-cell mark for tables, distinct without colour.
    pub fn glyph(self) -> char {
        match self {
            Outcome::NotifiedDetail => '✓',
            Outcome::NotifiedCanned => '≡',
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
            Outcome::NotifiedCanned => 'C',
            Outcome::NotifiedReason => 'R',
            Outcome::NotifiedGeneric => 'G',
            Outcome::Silent => 's',
            Outcome::Dropped => 'X',
            Outcome::NotChat => '-',
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Outcome::NotifiedDetail, Lang::En) => "sent the error",
            (Outcome::NotifiedCanned, Lang::En) => "canned sentence",
            (Outcome::NotifiedReason, Lang::En) => "reason text",
            (Outcome::NotifiedGeneric, Lang::En) => "generic text",
            (Outcome::Silent, Lang::En) => "silent",
            (Outcome::Dropped, Lang::En) => "lost",
            (Outcome::NotChat, Lang::En) => "not chat",
            (Outcome::NotifiedDetail, Lang::Zh) => "发送了错误",
            (Outcome::NotifiedCanned, Lang::Zh) => "固定句子",
            (Outcome::NotifiedReason, Lang::Zh) => "原因文本",
            (Outcome::NotifiedGeneric, Lang::Zh) => "通用文本",
            (Outcome::Silent, Lang::Zh) => "静默",
            (Outcome::Dropped, Lang::Zh) => "丢失",
            (Outcome::NotChat, Lang::Zh) => "非聊天",
            (Outcome::NotifiedDetail, Lang::Ja) => "エラーを送信",
            (Outcome::NotifiedCanned, Lang::Ja) => "定型文",
            (Outcome::NotifiedReason, Lang::Ja) => "理由の文",
            (Outcome::NotifiedGeneric, Lang::Ja) => "汎用の文",
            (Outcome::Silent, Lang::Ja) => "無言",
            (Outcome::Dropped, Lang::Ja) => "通知なし",
            (Outcome::NotChat, Lang::Ja) => "チャット外",
            (Outcome::NotifiedDetail, Lang::Ko) => "오류 전송",
            (Outcome::NotifiedCanned, Lang::Ko) => "정형 문장",
            (Outcome::NotifiedReason, Lang::Ko) => "사유 문장",
            (Outcome::NotifiedGeneric, Lang::Ko) => "일반 문장",
            (Outcome::Silent, Lang::Ko) => "무응답",
            (Outcome::Dropped, Lang::Ko) => "알림 없음",
            (Outcome::NotChat, Lang::Ko) => "채팅 아님",
        }
    }
}

/// Why a relay reached its outcome. With the failure's facts it determines the exact text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The error text was sent (from `error`, `error_message`, the system comment, or withheld).
    ErrorText,
    /// The "error" sent was one of Multica's fixed sentences.
    CannedText,
    /// The error sent was withheld from the wire: a fixed sentence or the agent's own words
    /// (a daemon's timeout carries the backend's message and often its stderr).
    CannedOrDetail,
    /// Octo: the Chinese text for a known reason.
    ReasonText,
    /// Octo: the default text (no error and no known reason).
    DefaultText,
    /// Octo before PR #33: `⚠️ The agent run failed.` whenever the payload had no error.
    OldFixedText,
    /// Lark: `Run failed.` with nothing after it.
    BareRunFailed,
    /// Telegram: its fixed notice, whatever the error.
    FixedNotice,
    /// An automatic retry is pending: the relay waits for the last attempt.
    RetryPending,
    /// DingTalk: no error text in the event, so nothing is sent.
    NoErrorText,
    /// Slack sends no failure message (it only clears its typing reaction).
    NoFailureMessage,
    /// WeCom does not act on `task:failed` for a chat.
    NothingOnFailure,
    /// The fork's Slack relay subscribes to `chat:done` only.
    RepliesOnly,
    /// The turn was typed in Multica's web or mobile app: the relay answers only turns that
    /// came in through its own channel.
    TypedInMultica,
    /// The relay did not exist yet on the server version that sent this shape.
    PredatesRelay,
    /// The bindings say this session is not bound to this relay.
    NotBound,
    /// The task's chat session is known from earlier events but missing from the failure.
    LostChatSession,
    /// No chat session on the event and none remembered for the task.
    NoChatSession,
}

impl Why {
    pub const ALL: [Why; 18] = [
        Why::ErrorText,
        Why::CannedText,
        Why::CannedOrDetail,
        Why::ReasonText,
        Why::DefaultText,
        Why::OldFixedText,
        Why::BareRunFailed,
        Why::FixedNotice,
        Why::RetryPending,
        Why::NoErrorText,
        Why::NoFailureMessage,
        Why::NothingOnFailure,
        Why::RepliesOnly,
        Why::TypedInMultica,
        Why::PredatesRelay,
        Why::NotBound,
        Why::LostChatSession,
        Why::NoChatSession,
    ];

    /// The name `tail` records and the filter's `why:` use.
    pub fn name(self) -> &'static str {
        match self {
            Why::ErrorText => "error_text",
            Why::CannedText => "canned_text",
            Why::CannedOrDetail => "canned_or_detail",
            Why::ReasonText => "reason_text",
            Why::DefaultText => "default_text",
            Why::OldFixedText => "old_fixed_text",
            Why::BareRunFailed => "bare_run_failed",
            Why::FixedNotice => "fixed_notice",
            Why::RetryPending => "retry_pending",
            Why::NoErrorText => "no_error_text",
            Why::NoFailureMessage => "no_failure_message",
            Why::NothingOnFailure => "nothing_on_failure",
            Why::RepliesOnly => "replies_only",
            Why::TypedInMultica => "typed_in_multica",
            Why::PredatesRelay => "predates_relay",
            Why::NotBound => "not_bound",
            Why::LostChatSession => "lost_chat_session",
            Why::NoChatSession => "no_chat_session",
        }
    }

    pub fn parse(s: &str) -> Option<Why> {
        Why::ALL
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(s.trim()))
    }
    pub fn explain(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Why::ErrorText, Lang::En) => "sent the error text",
            (Why::CannedText, Lang::En) => {
                "sent a fixed English sentence of Multica's: nothing beyond the reason"
            }
            (Why::CannedOrDetail, Lang::En) => {
                "sent the daemon's timeout error, withheld from the wire: a fixed sentence, or the \
                 agent's own message with its stderr (the REST API can tell)"
            }
            (Why::ReasonText, Lang::En) => "no error text: sent the reason's text",
            (Why::DefaultText, Lang::En) => {
                "no error text and no known reason: sent the default text"
            }
            (Why::OldFixedText, Lang::En) => {
                "before PR #33 the Octo relay sent this fixed text for every failure without error"
            }
            (Why::BareRunFailed, Lang::En) => {
                "no error text and no reason fallback: sent a bare \"Run failed.\""
            }
            (Why::FixedNotice, Lang::En) => "sends a fixed notice, whatever the error",
            (Why::RetryPending, Lang::En) => "retry pending: the relay waits for the last attempt",
            (Why::NoErrorText, Lang::En) => "no error text in the event: the relay sends nothing",
            (Why::NoFailureMessage, Lang::En) => {
                "sends no failure message (only clears its typing reaction)"
            }
            (Why::NothingOnFailure, Lang::En) => "does not act on a chat's task failures",
            (Why::RepliesOnly, Lang::En) => "relays finished replies only (chat:done): says nothing on failure",
            (Why::TypedInMultica, Lang::En) => {
                "the turn was typed in Multica, not in this IM: the relay answers only its own \
                 channel's turns"
            }
            (Why::PredatesRelay, Lang::En) => "the server version that sent this had no such relay",
            (Why::NotBound, Lang::En) => "the session is not bound to this relay",
            (Why::LostChatSession, Lang::En) => {
                "chat task lost its chat_session_id: nobody was told"
            }
            (Why::NoChatSession, Lang::En) => "no chat session: not a chat task",
            (Why::ErrorText, Lang::Zh) => "发送了错误文本",
            (Why::CannedText, Lang::Zh) => "发送了 Multica 的固定英文句子：除原因外没有任何信息",
            (Why::CannedOrDetail, Lang::Zh) => {
                "发送了守护进程的超时错误（线路上被隐去）：可能是固定句子，也可能是智能体自己的消息和它的 \
                 stderr（REST API 可以确认）"
            }
            (Why::ReasonText, Lang::Zh) => "无错误文本：发送了失败原因文本",
            (Why::DefaultText, Lang::Zh) => "无错误文本且原因未知：发送了默认文本",
            (Why::OldFixedText, Lang::Zh) => {
                "PR #33 之前 Octo 中继对所有无错误的失败都发送这句固定文本"
            }
            (Why::BareRunFailed, Lang::Zh) => "无错误文本且无原因回退：只发送了 \"Run failed.\"",
            (Why::FixedNotice, Lang::Zh) => "无论错误是什么都发送固定通知",
            (Why::RetryPending, Lang::Zh) => "等待自动重试：中继等最后一次尝试",
            (Why::NoErrorText, Lang::Zh) => "事件中没有错误文本：中继不发送",
            (Why::NoFailureMessage, Lang::Zh) => "不发送失败消息（只清除“正在输入”标记）",
            (Why::NothingOnFailure, Lang::Zh) => "不处理聊天任务的失败",
            (Why::RepliesOnly, Lang::Zh) => "只转发完成的回复（chat:done）：失败时什么也不说",
            (Why::TypedInMultica, Lang::Zh) => {
                "这一轮是在 Multica 里输入的，不是在这个 IM 里：中继只回答从自己渠道进来的消息"
            }
            (Why::PredatesRelay, Lang::Zh) => "发出此消息的服务端版本还没有这个中继",
            (Why::NotBound, Lang::Zh) => "该会话未绑定到这个中继",
            (Why::LostChatSession, Lang::Zh) => "聊天任务丢失了 chat_session_id：用户未被通知",
            (Why::NoChatSession, Lang::Zh) => "没有聊天会话：不是聊天任务",
            (Why::ErrorText, Lang::Ja) => "エラーの文を送信した",
            (Why::CannedText, Lang::Ja) => {
                "Multica の英語の定型文を送信した：理由以上のことは伝わらない"
            }
            (Why::CannedOrDetail, Lang::Ja) => {
                "デーモンのタイムアウトエラー（ワイヤー上では伏せられている）を送信した：定型文か、\
                 エージェント自身のメッセージと stderr のどちらか（REST API で確認できる）"
            }
            (Why::ReasonText, Lang::Ja) => "エラーの文がない：理由の文を送信した",
            (Why::DefaultText, Lang::Ja) => "エラーの文も既知の理由もない：既定の文を送信した",
            (Why::OldFixedText, Lang::Ja) => {
                "PR #33 より前の Octo リレーは、エラーのない失敗すべてにこの定型文を送っていた"
            }
            (Why::BareRunFailed, Lang::Ja) => {
                "エラーの文も理由の代替もない：\"Run failed.\" だけを送信した"
            }
            (Why::FixedNotice, Lang::Ja) => "エラーにかかわらず決まった通知を送る",
            (Why::RetryPending, Lang::Ja) => "再試行待ち：リレーは最後の試行を待つ",
            (Why::NoErrorText, Lang::Ja) => "イベントにエラーの文がない：リレーは何も送らない",
            (Why::NoFailureMessage, Lang::Ja) => {
                "失敗のメッセージは送らない（入力中のリアクションを消すだけ）"
            }
            (Why::NothingOnFailure, Lang::Ja) => "チャットのタスクの失敗には何もしない",
            (Why::RepliesOnly, Lang::Ja) => {
                "完了した返信（chat:done）だけを中継する：失敗時は何も言わない"
            }
            (Why::TypedInMultica, Lang::Ja) => {
                "このターンはこの IM ではなく Multica で入力された：リレーは自分のチャネルの\
                 ターンにしか返信しない"
            }
            (Why::PredatesRelay, Lang::Ja) => "これを送ったサーバーのバージョンにはこのリレーがなかった",
            (Why::NotBound, Lang::Ja) => "セッションはこのリレーに紐付いていない",
            (Why::LostChatSession, Lang::Ja) => {
                "チャットのタスクが chat_session_id を失った：誰にも通知されていない"
            }
            (Why::NoChatSession, Lang::Ja) => "チャットセッションなし：チャットのタスクではない",
            (Why::ErrorText, Lang::Ko) => "오류 문장을 보냈다",
            (Why::CannedText, Lang::Ko) => {
                "Multica의 영어 정형 문장을 보냈다: 사유 이상의 내용은 없다"
            }
            (Why::CannedOrDetail, Lang::Ko) => {
                "데몬의 시간 초과 오류(와이어에서는 가려짐)를 보냈다: 정형 문장이거나 에이전트 자신의 \
                 메시지와 stderr (REST API로 확인할 수 있다)"
            }
            (Why::ReasonText, Lang::Ko) => "오류 문장 없음: 사유 문장을 보냈다",
            (Why::DefaultText, Lang::Ko) => "오류 문장도 알려진 사유도 없음: 기본 문장을 보냈다",
            (Why::OldFixedText, Lang::Ko) => {
                "PR #33 이전의 Octo 릴레이는 오류 없는 모든 실패에 이 정형 문장을 보냈다"
            }
            (Why::BareRunFailed, Lang::Ko) => {
                "오류 문장도 사유 대체 문장도 없음: \"Run failed.\"만 보냈다"
            }
            (Why::FixedNotice, Lang::Ko) => "오류와 상관없이 정해진 알림을 보낸다",
            (Why::RetryPending, Lang::Ko) => "재시도 대기: 릴레이는 마지막 시도를 기다린다",
            (Why::NoErrorText, Lang::Ko) => "이벤트에 오류 문장 없음: 릴레이는 아무것도 보내지 않는다",
            (Why::NoFailureMessage, Lang::Ko) => {
                "실패 메시지를 보내지 않는다(입력 중 표시만 지운다)"
            }
            (Why::NothingOnFailure, Lang::Ko) => "채팅 작업의 실패에는 아무것도 하지 않는다",
            (Why::RepliesOnly, Lang::Ko) => {
                "완료된 답변(chat:done)만 전달한다: 실패 시에는 아무 말도 하지 않는다"
            }
            (Why::TypedInMultica, Lang::Ko) => {
                "이 턴은 이 IM이 아니라 Multica에서 입력되었다: 릴레이는 자기 채널의 턴에만 답한다"
            }
            (Why::PredatesRelay, Lang::Ko) => "이것을 보낸 서버 버전에는 이 릴레이가 없었다",
            (Why::NotBound, Lang::Ko) => "세션이 이 릴레이에 연결되어 있지 않다",
            (Why::LostChatSession, Lang::Ko) => {
                "채팅 작업이 chat_session_id를 잃었다: 아무도 알림을 받지 못했다"
            }
            (Why::NoChatSession, Lang::Ko) => "채팅 세션 없음: 채팅 작업이 아니다",
        }
    }
}

/// One relay's verdict on one failure. Small and `Copy`: the text is derived on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    pub relay: Relay,
    pub outcome: Outcome,
    pub why: Why,
    /// From the bindings: `Some` for a session they name, `None` where unknown.
    pub bound: Option<bool>,
}
