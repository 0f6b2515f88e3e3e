//! WeCom's other way to tell: upstream writes an inbox item for every `task:failed` of an issue
//! (to each member subscriber, the agent excluded; every attempt, retry pending included:
//! `notification_listeners.go` `task:failed`), and for a quick-create that failed for good (to
//! its requester, with the error: `service/task.go` `notifyQuickCreateFailed`). WeCom pushes each
//! `inbox:new` to a recipient with a WeCom member binding (`wecom/outbound.go`,
//! `inbox_message.go`). These go to members, not to a chat session, so they are counted apart
//! from the chat routes.

use serde::Serialize;

use super::{since, ChatSession, Era, Facts, Family, InProcess, Relay, SentText};
use crate::catalog::Lang;

/// Who an inbox push goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The issue's member subscribers bound to WeCom.
    IssueSubscribers,
    /// The member who asked for a quick-create, if bound to WeCom.
    QuickCreateRequester,
}

pub const AUDIENCE_COUNT: usize = 2;

impl Audience {
    pub const ALL: [Audience; AUDIENCE_COUNT] =
        [Audience::IssueSubscribers, Audience::QuickCreateRequester];

    pub fn name(self) -> &'static str {
        match self {
            Audience::IssueSubscribers => "issue_subscribers",
            Audience::QuickCreateRequester => "quick_create_requester",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// A short name for tables.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Audience::IssueSubscribers, Lang::En) => "to issue subscribers",
            (Audience::QuickCreateRequester, Lang::En) => "to a quick-create's requester",
            (Audience::IssueSubscribers, Lang::Zh) => "给议题订阅者",
            (Audience::QuickCreateRequester, Lang::Zh) => "给快速创建的发起人",
            (Audience::IssueSubscribers, Lang::Ja) => "Issue の購読者へ",
            (Audience::QuickCreateRequester, Lang::Ja) => "クイック作成の依頼者へ",
            (Audience::IssueSubscribers, Lang::Ko) => "이슈 구독자에게",
            (Audience::QuickCreateRequester, Lang::Ko) => "빠른 생성 요청자에게",
        }
    }

    /// Who was sent it, and what failwatch cannot know about it.
    pub fn explain(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Audience::IssueSubscribers, Lang::En) => {
                "pushed to the issue's subscribers who bound WeCom (every attempt, retries \
                 included): the issue's title only, neither the reason nor the error"
            }
            (Audience::QuickCreateRequester, Lang::En) => {
                "no issue and no chat: if this was a quick-create (an autopilot run looks the \
                 same on the wire), its requester, if bound to WeCom, was pushed the error"
            }
            (Audience::IssueSubscribers, Lang::Zh) => {
                "推送给绑定了企业微信的议题订阅者（每次尝试都推送，包括等待重试的）：只有议题标题，\
                 没有原因和错误"
            }
            (Audience::QuickCreateRequester, Lang::Zh) => {
                "没有议题也没有聊天：如果这是一次快速创建（自动驾驶运行在线路上看起来一样），\
                 发起人若绑定了企业微信，会收到错误文本"
            }
            (Audience::IssueSubscribers, Lang::Ja) => {
                "WeCom を紐付けた Issue の購読者にプッシュ（再試行を含む試行ごと）：Issue のタイトル\
                 だけで、理由もエラーもない"
            }
            (Audience::QuickCreateRequester, Lang::Ja) => {
                "Issue もチャットもない：クイック作成（オートパイロットの実行もワイヤー上は同じに\
                 見える）だった場合、WeCom を紐付けた依頼者にエラーがプッシュされた"
            }
            (Audience::IssueSubscribers, Lang::Ko) => {
                "WeCom을 연결한 이슈 구독자에게 푸시(재시도를 포함한 시도마다): 이슈 제목만 있고 \
                 사유도 오류도 없다"
            }
            (Audience::QuickCreateRequester, Lang::Ko) => {
                "이슈도 채팅도 없음: 빠른 생성이었다면(오토파일럿 실행도 와이어에서는 똑같이 보인다) \
                 WeCom을 연결한 요청자에게 오류가 푸시되었다"
            }
        }
    }
}

/// A push to members' WeCom, outside any chat session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub relay: Relay,
    pub to: Audience,
}

const TASK_FAILED_HEAD: &str = "**[任务失败] ";
const TITLE_NOT_SEEN: &str = "**[任务失败] [issue title not seen]**";
const QUICK_CREATE_HEAD: &str = "**[新消息] Quick create failed**\n";
const QUICK_CREATE_EMPTY: &str =
    "**[新消息] Quick create failed**\nQuick create did not finish successfully";

/// The inbox push this failure caused, if any.
pub fn notice(f: &Facts) -> Option<Notice> {
    if f.family != Some(Family::Upstream)
        || f.era != Some(Era::UpstreamModern)
        || since::before(f.built, since::UPSTREAM_WECOM)
        || f.chat != ChatSession::None
    {
        return None;
    }
    let to = if f.issue {
        Audience::IssueSubscribers
    } else if f.retry_pending == Some(false) {
        Audience::QuickCreateRequester
    } else {
        return None;
    };
    Some(Notice {
        relay: Relay::WeCom,
        to,
    })
}

/// The markdown WeCom pushed (without the link it adds when the server knows an https app URL).
pub fn text<'a>(notice: &Notice, f: &Facts<'a>) -> SentText<'a> {
    match notice.to {
        Audience::IssueSubscribers => match f.issue_title {
            Some(title) => SentText::Wrapped(TASK_FAILED_HEAD, title, "**"),
            None => SentText::Fixed(TITLE_NOT_SEEN),
        },
        Audience::QuickCreateRequester => match f.error {
            InProcess::Known(t) if !t.is_empty() => SentText::Prefixed(QUICK_CREATE_HEAD, t),
            InProcess::Withheld => SentText::Withheld(QUICK_CREATE_HEAD),
            _ => SentText::Fixed(QUICK_CREATE_EMPTY),
        },
    }
}
