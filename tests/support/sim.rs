//! A simulator of the Multica server and its relays, for ground truth. It builds each failure's
//! in-process event the way the server source does (`taskFailedFields`, the sweepers' SQL, the
//! fork's `broadcastTaskEvent` before and after PR #33), runs each relay's Go rules on it (what the
//! chat user was sent, word for word), then projects the frame onto the wire as the server does
//! (upstream strips `error`). Upstream's WeCom inbox cards (to an issue's subscribers, to a
//! quick-create's requester) are followed too, and, when asked, the REST API's answers for the
//! texts the wire withheld. Nothing here calls failwatch's routing: this is the oracle.
//!
//! What the simulator learnt after the committed captures were made draws on a second random
//! generator and takes no time on the clock, so the frames those captures already had keep
//! their values.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Upstream,
    Octo,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Upstream => "upstream",
            Server::Octo => "octo",
        }
    }

    /// The relays the server runs for chat sessions (upstream `integrations/`). The fork's Octo
    /// and Lark act on task:failed; its Slack relay subscribes to `chat:done` only
    /// (fork:`server/internal/integrations/slack/outbound.go:64`, registered at
    /// fork:`server/cmd/server/router.go:498-500`).
    pub fn relays(self) -> &'static [&'static str] {
        match self {
            Server::Upstream => &["lark", "dingtalk", "telegram", "slack", "wecom"],
            Server::Octo => &["octo", "lark", "slack"],
        }
    }
}

/// What a generated capture holds besides the frames.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The recorder asked the REST API: the header says so, and a share of the failures whose
    /// text the wire withheld are followed by the answer (`failwatch tail --record`'s
    /// recovered record).
    pub api: bool,
}

/// What one relay did with one failure, as the chat user saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayTruth {
    pub relay: &'static str,
    pub outcome: &'static str,
    /// Why, in failwatch's snake_case words.
    pub why: &'static str,
    /// The exact text sent, with the server-redacted error as failwatch can know it: the words
    /// when the wire (or the one sentence the server writes for the reason, or the REST API's
    /// answer) gives them, else the error part replaced by `[error withheld by the server]`.
    pub text: Option<String>,
    pub bound: Option<bool>,
}

/// A WeCom inbox card upstream pushed about a failure, to whichever of its recipients has a
/// WeCom binding (up:`server/internal/integrations/wecom/outbound.go:122-128, 281-361`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxTruth {
    /// `issue_subscribers` or `quick_create_requester`.
    pub to: &'static str,
    /// The card's markdown as failwatch can know it (the link needs the server's app URL).
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct FailureTruth {
    pub task_id: String,
    pub server: Server,
    pub relays: Vec<RelayTruth>,
    /// The error failwatch can show (server-redacted words), if any reached the wire.
    pub visible_error: Option<String>,
    /// Where those words came from: "event", "comment", "canned", "api", or "withheld"/none.
    pub error_origin: Option<&'static str>,
    /// The error the relays had was one of Multica's fixed sentences.
    pub canned: bool,
    /// Secrets the server's rules miss that a sent text carried.
    pub leaked: u32,
    /// The chat session this failure belonged to but whose frame lost it.
    pub lost_session: Option<String>,
    /// The task this one retries.
    pub retry_of: Option<String>,
    /// The WeCom inbox card, upstream.
    pub inbox: Option<InboxTruth>,
    /// A recovered record (the REST API's task row) gave the error's words back.
    pub recovered: bool,
}

/// A secret planted in daemon errors, and each server's placeholder for it (`None`: its rules
/// let it through). Upstream has 15 rules (up:`server/pkg/redact/redact.go:19-75`); the fork's
/// 10 lack `github_pat_` (up:36), `xoxe-` (up:43 against fork:36), `xapp-` (up:48), Google's
/// `AIza…` (up:56) and Stripe's live keys (up:62). Neither masks a home directory other than
/// its own (up:155-181) nor a URL's credentials outside database schemes (up:71).
struct Planted {
    secret: &'static str,
    upstream: Option<&'static str>,
    octo: Option<&'static str>,
}

const PLANTED: &[Planted] = &[
    Planted {
        secret: "sk-ant-api03-Xy7Qm2Lp9Rt4Vw8Zb1Nc6Hd",
        upstream: Some("[REDACTED API KEY]"),
        octo: Some("[REDACTED API KEY]"),
    },
    Planted {
        secret: "API_KEY=changeme",
        upstream: Some("[REDACTED CREDENTIAL]"),
        octo: Some("[REDACTED CREDENTIAL]"),
    },
    Planted {
        secret: "/Users/bob/",
        upstream: None,
        octo: None,
    },
    Planted {
        secret: "deploy:s3cr3tpass@",
        upstream: None,
        octo: None,
    },
    Planted {
        secret: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123",
        upstream: Some("[REDACTED GITHUB TOKEN]"),
        octo: None,
    },
    Planted {
        secret: "xoxe-1-abcdefghijklmnop",
        upstream: Some("[REDACTED SLACK TOKEN]"),
        octo: None,
    },
    Planted {
        secret: "xapp-1-A0123456789-abcdef",
        upstream: Some("[REDACTED SLACK TOKEN]"),
        octo: None,
    },
    Planted {
        secret: "AIzaSyA0123456789abcdefghijklmnopqrstuv",
        upstream: Some("[REDACTED GOOGLE API KEY]"),
        octo: None,
    },
    Planted {
        secret: "sk_live_0123456789abcdefABCD",
        upstream: Some("[REDACTED STRIPE KEY]"),
        octo: None,
    },
];

impl Planted {
    fn placeholder(&self, server: Server) -> Option<&'static str> {
        match server {
            Server::Upstream => self.upstream,
            Server::Octo => self.octo,
        }
    }
}

/// The planted secrets some server's rules let through: a text failwatch shows has each of
/// them masked.
pub fn gap_secrets() -> Vec<&'static str> {
    PLANTED
        .iter()
        .filter(|p| p.upstream.is_none() || p.octo.is_none())
        .map(|p| p.secret)
        .collect()
}

/// `server`'s `redact.Text` of a raw daemon error, for the planted secrets: each replaced by
/// the server's placeholder, or left in clear.
fn redact(server: Server, raw: &str) -> String {
    PLANTED
        .iter()
        .fold(raw.to_owned(), |text, p| match p.placeholder(server) {
            Some(placeholder) => text.replace(p.secret, placeholder),
            None => text,
        })
}

/// How many planted secrets `raw` carries that `server`'s rules let through.
fn gaps(server: Server, raw: &str) -> u32 {
    PLANTED
        .iter()
        .filter(|p| p.placeholder(server).is_none())
        .map(|p| raw.matches(p.secret).count() as u32)
        .sum()
}

/// An error the daemon reports: its raw words (the server redacts them before a relay, a
/// comment or the wire sees them; the REST task row keeps them raw), and whether they are a
/// fixed sentence.
#[derive(Clone, Copy)]
struct DaemonError {
    reason: &'static str,
    raw: &'static str,
    canned: bool,
}

const DAEMON_ERRORS: &[DaemonError] = &[
    DaemonError { reason: "agent_error.provider_auth_or_access", raw: "Invalid API key sk-ant-api03-Xy7Qm2Lp9Rt4Vw8Zb1Nc6Hd · Please run /login", canned: false },
    DaemonError { reason: "agent_error.provider_quota_limit", raw: "402 insufficient_balance: credit balance is too low", canned: false },
    DaemonError { reason: "agent_error.process_failure", raw: "claude exited with status 1: open /Users/bob/work/repo/.env: permission denied", canned: false },
    DaemonError { reason: "agent_error.provider_network", raw: "stream disconnected before completion: dial tcp 10.0.0.7:443: i/o timeout", canned: false },
    DaemonError { reason: "agent_error.context_overflow", raw: "prompt is too long: 212403 tokens > 200000 maximum", canned: false },
    DaemonError { reason: "agent_error.process_failure", raw: "git push https://deploy:s3cr3tpass@git.example.com/team/repo.git failed: exit status 128", canned: false },
    DaemonError { reason: "agent_error.missing_config", raw: "missing environment variable: API_KEY=changeme", canned: false },
    DaemonError { reason: "timeout", raw: "claude timed out after 2h0m0s", canned: true },
    DaemonError { reason: "timeout", raw: "task preparation timed out after 5m0s", canned: true },
    DaemonError { reason: "idle_watchdog", raw: "agent produced no new messages for 10m0s and message queue was empty; force-stopped by idle watchdog", canned: false },
    DaemonError { reason: "agent_error.model_not_found_or_unavailable", raw: "model claude-opus-9 not found", canned: false },
];

/// Errors carrying the secrets only upstream masks: the fork's relays send them in clear.
const SECRET_ERRORS: &[DaemonError] = &[
    DaemonError { reason: "agent_error.process_failure", raw: "slack notify hook exited 1: invalid_auth for xoxe-1-abcdefghijklmnop (app xapp-1-A0123456789-abcdef)", canned: false },
    DaemonError { reason: "agent_error.process_failure", raw: "git fetch failed: Bad credentials for github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123 (401)", canned: false },
    DaemonError { reason: "agent_error.provider_auth_or_access", raw: "gemini: API key not valid, rejected AIzaSyA0123456789abcdefghijklmnopqrstuv (400 INVALID_ARGUMENT)", canned: false },
    DaemonError { reason: "agent_error.process_failure", raw: "stripe fixtures failed: Invalid API Key provided: sk_live_0123456789abcdefABCD", canned: false },
];

/// A daemon timeout forwards the backend's own error
/// (up:`server/internal/daemon/daemon.go:7714-7721`): Claude's `claude timed out after <d>`
/// (up:`server/pkg/agent/stream_json_result.go:132`), with `; claude stderr: <tail>` appended
/// whenever stderr was written (up:`server/pkg/agent/claude.go:320-323`, `stderr_tail.go:104-109`).
const TIMEOUT_ERRORS: &[DaemonError] = &[
    DaemonError { reason: "timeout", raw: "claude timed out after 2h0m0s", canned: true },
    DaemonError { reason: "timeout", raw: "claude timed out after 2h0m0s; claude stderr: Error: stream idle for 600s, last event content_block_delta", canned: false },
];

/// A daemon that reports no text (`TaskFailRequest.Error`,
/// up:`server/internal/handler/daemon.go:4365-4367`): `FailTask` classifies "" as the catchall
/// (up:`server/pkg/taskfailure/classify.go:62-70`), stores the empty text as a valid row error
/// (up:`server/internal/service/task.go:4390-4392`), and `taskFailedFields` puts no `error` in
/// the event (task.go:6289-6298).
const EMPTY_ERROR: DaemonError = DaemonError {
    reason: "agent_error.unknown",
    raw: "",
    canned: false,
};

/// The issues' titles, as the server puts them on `comment:created`
/// (up:`server/internal/service/task.go:6466-6470`,
/// up:`server/internal/handler/comment.go:1915-1922`).
const ISSUE_TITLES: [&str; 6] = [
    "Fix the build",
    "Flaky login test on CI",
    "Upgrade the payments SDK",
    "迁移对象存储到新区域",
    "Release 2.4 checklist",
    "Docs: pagination for the REST API",
];

/// The sweepers' SQL texts (`agent.sql`, `runtime.sql`); the fork has no reconnect sweeper.
const SWEEPER: &[(&str, &str)] = &[
    ("runtime_offline", "runtime went offline"),
    ("timeout", "task timed out"),
    ("queued_expired", "task expired in queue"),
    (
        "runtime_recovery",
        "daemon restarted while task was in flight",
    ),
    (
        "runtime_reconnect_timeout",
        "runtime did not reconnect within the configured grace period",
    ),
];

/// The fork's Octo texts after PR #33 (`failureReasonText`), a few of them.
fn octo_reason_text(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "queued_expired" => "任务排队超时，未被任何 runtime 领取。请确认 Agent 的 daemon 在线。",
        "runtime_offline" => "Agent 的 runtime 当前离线，消息已记录。请确认 daemon 在线后重试。",
        "runtime_recovery" => "Agent 的 runtime 正在恢复中，请稍后重试。",
        "timeout" => "Agent 运行超时，请稍后重试。",
        "agent_error.provider_auth_or_access" => {
            "模型服务认证失败，请检查 Agent runtime 的 API Key 配置。"
        }
        "agent_error.provider_quota_limit" => "模型服务额度已用尽，请检查账户额度。",
        "agent_error.provider_network" => "连接模型服务失败，请检查网络后重试。",
        "agent_error.process_failure" => "Agent 进程异常退出，请联系工作区管理员。",
        "agent_error.context_overflow" => "对话上下文过长，Agent 无法处理。请精简内容后重试。",
        "agent_error.missing_config" => {
            "Agent runtime 缺少必要配置（如环境变量），请联系工作区管理员。"
        }
        "agent_error.model_not_found_or_unavailable" => {
            "指定的模型不存在或不可用，请检查 Agent 的模型配置。"
        }
        _ => return None,
    })
}
const OCTO_DEFAULT: &str = "Agent 运行失败，请稍后重试或联系工作区管理员。";
const WITHHELD: &str = "[error withheld by the server]";

/// Reasons each server retries (upstream `retryableReasons`; the fork's four).
fn retried(server: Server, reason: &str) -> bool {
    matches!(
        reason,
        "runtime_offline" | "runtime_recovery" | "timeout" | "codex_semantic_inactivity"
    ) || (server == Server::Upstream
        && matches!(
            reason,
            "agent_error.provider_network" | "skill_bundle_unavailable"
        ))
}

/// How a failure was produced.
#[derive(Clone, Copy)]
enum Path {
    Daemon(DaemonError),
    Sweeper(&'static str, &'static str),
}

impl Path {
    fn reason(self) -> &'static str {
        match self {
            Path::Daemon(d) => d.reason,
            Path::Sweeper(r, _) => r,
        }
    }
    /// The words before any redaction (the sweepers' SQL texts hold no secret).
    fn raw(self) -> &'static str {
        match self {
            Path::Daemon(d) => d.raw,
            Path::Sweeper(_, t) => t,
        }
    }
    fn canned(self) -> bool {
        match self {
            Path::Daemon(d) => d.canned,
            Path::Sweeper(..) => true,
        }
    }
    fn sweeper(self) -> bool {
        matches!(self, Path::Sweeper(..))
    }
}

/// What failwatch can know of the `error` the relays had in-process.
#[derive(Clone, Debug)]
enum Seen {
    /// The event had none: a retry is pending upstream, or a fork frame from before PR #33.
    Absent,
    /// Its words: on the fork's wire, the only sentence the server writes for the reason, or
    /// the REST API's answer (empty when the daemon reported no text).
    Words(String),
    /// Upstream projected it off the wire and nothing gave it back. An event that had no
    /// `error` because the daemon reported no text looks just the same, so it counts here too.
    Withheld,
}

/// What kind of error a relay that forwards it sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// One of Multica's fixed sentences.
    Canned,
    /// The daemon's or agent's own words.
    Detail,
    /// A withheld daemon timeout: the backend's fixed sentence, or that sentence with the
    /// agent's stderr tail after it.
    CannedOrDetail,
}

impl Sent {
    fn outcome_why(self) -> (&'static str, &'static str) {
        match self {
            Sent::Canned => ("notified_canned", "canned_text"),
            Sent::Detail => ("notified_detail", "error_text"),
            Sent::CannedOrDetail => ("notified_detail", "canned_or_detail"),
        }
    }
}

/// One relay's verdict: outcome, why, the text sent, and whether that text carried the
/// error's words.
struct Told {
    outcome: &'static str,
    why: &'static str,
    text: Option<String>,
    words: bool,
}

impl Told {
    fn silent(why: &'static str) -> Told {
        Told::nothing("silent", why)
    }

    fn nothing(outcome: &'static str, why: &'static str) -> Told {
        Told {
            outcome,
            why,
            text: None,
            words: false,
        }
    }

    fn fixed(outcome: &'static str, why: &'static str, text: String) -> Told {
        Told {
            outcome,
            why,
            text: Some(text),
            words: false,
        }
    }

    fn notified(&self) -> bool {
        self.outcome.starts_with("notified")
    }
}

/// The facts a relay's rules read.
struct Facts<'a> {
    fixed: bool,
    reason: &'a str,
    retry_pending: bool,
    /// Upstream: the turn was typed in the web or mobile app (or retries one that was).
    typed: bool,
    seen: &'a Seen,
    sent: Sent,
}

const TELEGRAM_NOTICE: &str = "❌ The agent run failed. Please try again.";

/// The error behind `prefix`, when the event had a non-empty one.
fn forwarded(f: &Facts, prefix: &str) -> Option<Told> {
    let (outcome, why) = f.sent.outcome_why();
    let (text, words) = match f.seen {
        Seen::Words(w) if !w.is_empty() => (format!("{prefix}{w}"), true),
        Seen::Withheld => (format!("{prefix}{WITHHELD}"), false),
        _ => return None,
    };
    Some(Told {
        outcome,
        why,
        text: Some(text),
        words,
    })
}

/// A Lark card: `Run failed: <error>`, or `Run failed.` when the event had no error text
/// (up:`server/internal/integrations/lark/outbound.go:97-101`; fork:`…/lark/outbound.go:96-100`).
fn lark_card(f: &Facts) -> Told {
    forwarded(f, "Run failed: ")
        .unwrap_or_else(|| Told::fixed("notified_generic", "bare_run_failed", "Run failed.".into()))
}

/// Upstream's relays. Lark, DingTalk and Telegram deliver a failure only for a task whose input
/// was channel-ingested; a retry child inherits its parent's input batch
/// (up:`server/internal/integrations/channel/engine/provenance.go:17-34`).
fn upstream_relay(relay: &str, f: &Facts) -> Told {
    match relay {
        // The binding, then the provenance gate, before anything is sent
        // (up:`…/lark/outbound.go:342-367`).
        "lark" if f.typed => Told::silent("typed_in_multica"),
        "lark" => lark_card(f),
        // The content first (eventContent: silent on retry or without text,
        // up:`…/dingtalk/outbound.go:133-145`), then the binding and the gate (78-103).
        "dingtalk" if f.retry_pending => Told::silent("retry_pending"),
        "dingtalk" => match forwarded(f, "⚠️ ") {
            None => Told::silent("no_error_text"),
            Some(_) if f.typed => Told::silent("typed_in_multica"),
            Some(told) => told,
        },
        // A fixed notice (up:`…/telegram/outbound.go:181`), gated on provenance (1003-1023).
        "telegram" if f.retry_pending => Told::silent("retry_pending"),
        "telegram" if f.typed => Told::silent("typed_in_multica"),
        "telegram" => Told::fixed("notified_generic", "fixed_notice", TELEGRAM_NOTICE.into()),
        "slack" => Told::silent("no_failure_message"),
        "wecom" => Told::silent("nothing_on_failure"),
        _ => unreachable!("{relay}"),
    }
}

/// The fork's relays: no provenance gate
/// (fork:`server/internal/integrations/lark/outbound.go:281-333`,
/// fork:`server/internal/integrations/octo/outbound.go:112-149`).
fn octo_relay(relay: &str, f: &Facts) -> Told {
    match relay {
        "octo" => forwarded(f, "⚠️ ").unwrap_or_else(|| octo_fallback(f)),
        "lark" => lark_card(f),
        // Added 2026-06-25 (fork `cb6616f5`), after PR #33 (2026-06-15), and on `chat:done` only.
        "slack" if !f.fixed => Told::silent("predates_relay"),
        "slack" => Told::silent("replies_only"),
        _ => unreachable!("{relay}"),
    }
}

/// Octo without an error text: before PR #33 a fixed English sentence, after it the reason's
/// text or the default.
fn octo_fallback(f: &Facts) -> Told {
    if !f.fixed {
        return Told::fixed(
            "notified_generic",
            "old_fixed_text",
            "⚠️ The agent run failed.".into(),
        );
    }
    match octo_reason_text(f.reason) {
        Some(t) => Told::fixed("notified_reason", "reason_text", format!("⚠️ {t}")),
        None => Told::fixed(
            "notified_generic",
            "default_text",
            format!("⚠️ {OCTO_DEFAULT}"),
        ),
    }
}

/// One failure as the server handled it, and what a watcher of the wire (and of the REST API,
/// when asked) can know of its words.
struct Failing {
    path: Path,
    /// The server's redaction of the daemon's words.
    error: String,
    /// The in-process event had `error`.
    has_error: bool,
    /// The agent's system comment shows the words on the issue.
    comment_visible: bool,
    /// The event goes onto the wire as the relays had it (the fork).
    on_wire: bool,
    /// The only sentence the server writes for this reason on this kind of task.
    one_sentence: bool,
    /// Upstream projected the words off the wire, and no comment shows them.
    withheld: bool,
    /// The REST API gave them back.
    recovered: bool,
}

impl Failing {
    /// What failwatch can know of the `error` the relays had.
    fn seen(&self) -> Seen {
        if !self.has_error && !self.withheld {
            Seen::Absent
        } else if self.on_wire || self.one_sentence || self.recovered {
            Seen::Words(self.error.clone())
        } else {
            Seen::Withheld
        }
    }

    /// The kind of error a relay forwarding it sent, as far as that can be known.
    fn sent(&self, seen: &Seen) -> Sent {
        match seen {
            Seen::Withheld if self.path.reason() == "timeout" => Sent::CannedOrDetail,
            _ if self.path.canned() => Sent::Canned,
            _ => Sent::Detail,
        }
    }

    /// The error failwatch can show, where its words came from, and whether they were canned.
    fn shown(&self, sent: Sent) -> (Option<String>, Option<&'static str>, bool) {
        let canned = self.path.canned();
        if self.on_wire && self.has_error {
            (Some(self.error.clone()), Some("event"), canned)
        } else if self.comment_visible {
            (Some(self.error.clone()), Some("comment"), canned)
        } else if self.has_error && self.one_sentence {
            (Some(self.error.clone()), Some("canned"), true)
        } else if self.recovered {
            let words = Some(self.error.clone()).filter(|e| !e.is_empty());
            (words, Some("api"), canned && !self.error.is_empty())
        } else if self.withheld {
            (None, Some("withheld"), sent == Sent::Canned)
        } else {
            (None, None, false)
        }
    }
}

pub struct Capture {
    pub server: Server,
    /// Capture file text (header + records).
    pub text: String,
    /// Bindings file text (TOML `[sessions]`).
    pub bindings: String,
    pub truths: Vec<FailureTruth>,
}

struct Sim {
    server: Server,
    rng: StdRng,
    /// The second generator (see the module's comment); swapped with `rng` while `still`.
    extra: StdRng,
    /// Whether the REST API's answers are recorded, and the generator of which are.
    api: Option<StdRng>,
    now: DateTime<Utc>,
    /// Frames published now take no time on the clock.
    still: bool,
    /// The fork's PR #33 is deployed: frames before have the old shapes (upstream: always).
    fixed: bool,
    /// Capture records in order: their time, their kind (`frame`, `recovered`) and body.
    records: Vec<(DateTime<Utc>, &'static str, Value)>,
    truths: Vec<FailureTruth>,
    bindings: BTreeMap<String, Vec<&'static str>>,
    /// Each issue's title.
    issue_titles: HashMap<String, &'static str>,
    /// The title last published on a `comment:created` of each issue: what a watcher saw.
    titles_seen: HashMap<String, String>,
    ulid_seq: u64,
    extra_seq: u64,
}

fn uuid(rng: &mut StdRng) -> String {
    let b: u128 = rng.random();
    let h = format!("{b:032x}");
    format!(
        "{}-{}-7{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

impl Sim {
    /// A ULID whose time part is the publish time (Crockford base32), as the Redis relay adds.
    fn ulid(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let ms = self.now.timestamp_millis() as u64;
        self.ulid_seq += 1;
        let mut out = String::new();
        for i in (0..10).rev() {
            out.push(ALPHABET[((ms >> (i * 5)) & 31) as usize] as char);
        }
        let rand: u128 = (u128::from(self.ulid_seq) << 40) | u128::from(self.rng.random::<u32>());
        for i in (0..16).rev() {
            out.push(ALPHABET[((rand >> (i * 5)) & 31) as usize] as char);
        }
        out
    }

    /// Run `f` on the second generator with the clock held: the frames it publishes leave the
    /// values of all the others as they were.
    fn aside<R>(&mut self, f: impl FnOnce(&mut Sim) -> R) -> R {
        std::mem::swap(&mut self.rng, &mut self.extra);
        std::mem::swap(&mut self.ulid_seq, &mut self.extra_seq);
        let still = std::mem::replace(&mut self.still, true);
        let out = f(self);
        self.still = still;
        std::mem::swap(&mut self.rng, &mut self.extra);
        std::mem::swap(&mut self.ulid_seq, &mut self.extra_seq);
        out
    }

    /// The second generator, for a choice the committed captures did not make.
    fn second(&mut self) -> &mut StdRng {
        if self.still {
            &mut self.rng
        } else {
            &mut self.extra
        }
    }

    /// Publish one frame: Go's map order (sorted keys), `event_id` upstream (multi-node).
    fn publish(&mut self, event_type: &str, payload: Value, actor_type: &str, actor_id: &str) {
        if event_type == "comment:created" {
            self.saw_title(&payload);
        }
        let mut frame = Map::new();
        frame.insert("actor_id".into(), json!(actor_id));
        frame.insert("actor_type".into(), json!(actor_type));
        if self.server == Server::Upstream {
            frame.insert("event_id".into(), json!(self.ulid()));
        }
        frame.insert("payload".into(), payload);
        frame.insert("type".into(), json!(event_type));
        self.records.push((self.now, "frame", Value::Object(frame)));
        if !self.still {
            self.now += Duration::milliseconds(self.rng.random_range(3..40));
        }
    }

    /// A `comment:created` names its issue's title (`issue_title`; the issue is
    /// `comment.issue_id`).
    fn saw_title(&mut self, payload: &Value) {
        let issue = payload["comment"]["issue_id"].as_str();
        if let (Some(issue), Some(title)) = (issue, payload["issue_title"].as_str()) {
            self.titles_seen.insert(issue.to_owned(), title.to_owned());
        }
    }

    fn task_payload(task: &Task, status: &str) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("agent_id".into(), json!(task.agent));
        if let Some(s) = &task.session {
            p.insert("chat_session_id".into(), json!(s));
        }
        p.insert(
            "issue_id".into(),
            json!(task.issue.clone().unwrap_or_default()),
        );
        p.insert("status".into(), json!(status));
        p.insert("task_id".into(), json!(task.id));
        p
    }

    fn lifecycle(&mut self, task: &Task, event_type: &str, status: &str) {
        let mut p = Sim::task_payload(task, status);
        if event_type == "task:dispatch" {
            // Its own builder: no status, a runtime id.
            p.remove("status");
            p.insert("runtime_id".into(), json!(task.runtime));
        }
        self.publish(event_type, Value::Object(p), "system", "");
    }

    fn start(&mut self, task: &Task) {
        self.lifecycle(task, "task:queued", "queued");
        self.now += Duration::milliseconds(self.rng.random_range(100..900));
        self.lifecycle(task, "task:dispatch", "dispatched");
        self.lifecycle(task, "task:running", "running");
        self.now += Duration::milliseconds(self.rng.random_range(500..4000));
    }

    fn complete(&mut self, task: &Task) {
        if let Some(session) = &task.session {
            let payload = json!({"chat_session_id": session, "task_id": task.id, "content": "Done.", "elapsed_ms": 5120, "message_kind": "message"});
            self.publish("chat:done", payload, "system", "");
        }
        self.lifecycle(task, "task:completed", "completed");
    }

    /// A turn typed in the web or mobile app: the HTTP send handler announces it with the task
    /// it queued (up:`server/internal/handler/chat.go:948-957`;
    /// fork:`server/internal/handler/chat.go:536-545`).
    /// A channel-ingested turn publishes no `chat:message`.
    fn typed_turn(&mut self, task: &Task) {
        let member = uuid(&mut self.rng);
        let payload = json!({"chat_session_id": task.session, "message_id": uuid(&mut self.rng),
            "role": "user", "content": "Can you rerun the migration on staging?", "task_id": task.id,
            "created_at": self.now.format("%Y-%m-%dT%H:%M:%SZ").to_string()});
        self.publish("chat:message", payload, "member", &member);
    }

    /// A member's comment that triggers the issue's task, published with the issue's title
    /// (up:`server/internal/handler/comment.go:1915-1922`).
    fn member_comment(&mut self, task: &Task) {
        let Some(issue) = task.issue.clone() else {
            return;
        };
        let member = uuid(&mut self.rng);
        let comment = json!({"author_id": member, "author_type": "member", "content": "@agent can you take this one?",
            "created_at": self.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "id": uuid(&mut self.rng),
            "issue_id": issue, "parent_id": null, "type": "comment"});
        let payload = json!({"comment": comment, "issue_revision": 2, "issue_status": "todo", "issue_title": self.issue_titles[&issue]});
        self.publish("comment:created", payload, "member", &member);
    }

    /// The event the relays receive in-process.
    fn in_process(
        &self,
        task: &Task,
        path: Path,
        retry_pending: bool,
        error: &str,
    ) -> Map<String, Value> {
        let mut inproc = Sim::task_payload(task, "failed");
        let reason = path.reason();
        match self.server {
            // taskFailedFields (up:`server/internal/service/task.go:6289-6298`): `error` only
            // for a terminal failure with a text.
            Server::Upstream => {
                inproc.insert("failure_reason".into(), json!(reason));
                inproc.insert("retry_pending".into(), json!(retry_pending));
                if !retry_pending && !error.is_empty() {
                    inproc.insert("error".into(), json!(error));
                }
            }
            Server::Octo if self.fixed => {
                inproc.insert("failure_reason".into(), json!(reason));
                inproc.insert("error".into(), json!(error));
            }
            Server::Octo => {
                if path.sweeper() {
                    // Before PR #33 the sweeper frame had its reason and no chat session.
                    inproc.insert("failure_reason".into(), json!(reason));
                    inproc.remove("chat_session_id");
                }
            }
        }
        inproc
    }

    /// The daemon's fail path posts a terminal error with a text as the agent's system comment
    /// on the issue (up:`server/internal/service/task.go:4638-4640`).
    fn system_comment(&mut self, task: &Task, reason: &str, error: &str) {
        let comment_id = uuid(&mut self.rng);
        let mut comment = json!({"author_id": task.agent, "author_type": "agent", "content": error,
            "created_at": self.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "id": comment_id,
            "issue_id": task.issue, "parent_id": null, "type": "system"});
        if self.server == Server::Upstream || self.fixed {
            comment["source_task_id"] = json!(task.id);
            comment["revision"] = json!(1);
        }
        // A delegated-recovery notice sharing the task id comes first now and then.
        if self.server == Server::Upstream && self.rng.random_bool(0.3) {
            let notice = json!({"comment": {"author_id": "00000000-0000-0000-0000-000000000000", "author_type": "system",
                "content": format!("Delegated task `{}` ended in a final failure (`{reason}`) and no automatic retry is pending.", task.id),
                "source_task_id": task.id, "type": "progress_update", "issue_id": uuid(&mut self.rng), "id": uuid(&mut self.rng)},
                "issue_title": "Coordinator", "issue_status": "in_progress"});
            self.publish("comment:created", notice, "system", "");
        }
        let title = task.issue.as_ref().map(|i| self.issue_titles[i]);
        let payload = json!({"comment": comment, "issue_revision": 3, "issue_status": "in_progress", "issue_title": title});
        self.publish("comment:created", payload, "agent", &task.agent.clone());
    }

    /// The WeCom inbox card upstream pushed for this failure, as failwatch can know its text.
    fn inbox(
        &self,
        task: &Task,
        retry_pending: bool,
        recovered: Option<&str>,
    ) -> Option<InboxTruth> {
        if self.server != Server::Upstream {
            return None;
        }
        if let Some(issue) = &task.issue {
            // Every task:failed with an issue, each attempt: a `task_failed` item titled with
            // the issue's title and no body for each subscriber
            // (up:`server/cmd/server/notification_listeners.go:989-1021`), pushed as
            // `**[任务失败] <title>**` (up:`…/wecom/inbox_message.go:23-36, 72-118`).
            let title = self
                .titles_seen
                .get(issue)
                .map_or("[issue title not seen]", String::as_str);
            return Some(InboxTruth {
                to: "issue_subscribers",
                text: format!("**[任务失败] {title}**"),
            });
        }
        // A quick-create (neither issue nor chat session, up:`…/service/task.go:6600-6612`)
        // that failed for good: `Quick create failed` with the redacted error, or a fixed body
        // without one (task.go:4642-4650, 6784-6789, 6845-6864); `quick_create_failed` has no
        // label of its own, so `新消息` (up:`…/wecom/inbox_message.go:38-43`).
        if retry_pending || task.session.is_some() {
            return None;
        }
        let body = match recovered {
            None => WITHHELD.to_owned(),
            Some("") => "Quick create did not finish successfully".to_owned(),
            Some(raw) => redact(self.server, raw),
        };
        Some(InboxTruth {
            to: "quick_create_requester",
            text: format!("**[新消息] Quick create failed**\n{body}"),
        })
    }

    /// What `failwatch tail --record` writes when the REST API answered for a withheld text:
    /// the task row's `error`, raw (up:`server/internal/handler/agent.go:765`), and its attempt.
    fn recovered_record(&mut self, task: &Task, raw: &str) {
        let record = json!({"task_id": task.id, "source": "agent_tasks", "error": raw,
            "attempt": task.attempt, "max_attempts": task.max_attempts, "parent_task_id": task.parent});
        self.records.push((self.now, "recovered", record));
    }

    /// A task fails by `path`; `child` is its retry when the server makes one. Records the truth.
    fn fail(&mut self, task: &Task, path: Path, retry_pending: bool, child: Option<&Task>) {
        let reason = path.reason();
        // The retry child is queued first, in the same call.
        if let Some(c) = child {
            self.lifecycle(c, "task:queued", "queued");
        }
        let raw = path.raw();
        let error = redact(self.server, raw);
        let inproc = self.in_process(task, path, retry_pending, &error);
        let posts_comment =
            !path.sweeper() && task.issue.is_some() && !retry_pending && !raw.is_empty();
        if posts_comment {
            self.system_comment(task, reason, &error);
        }
        let on_event = inproc.contains_key("chat_session_id");
        let f = self.failing(task, path, retry_pending, &inproc, posts_comment);
        let seen = f.seen();
        let sent = f.sent(&seen);
        let facts = Facts {
            fixed: self.fixed,
            reason,
            retry_pending,
            typed: self.server == Server::Upstream && task.typed,
            seen: &seen,
            sent,
        };
        let told: Vec<(RelayTruth, bool)> = self
            .server
            .relays()
            .iter()
            .map(|&relay| self.route(relay, task, on_event, &facts))
            .collect();
        let inbox = self.inbox(task, retry_pending, f.recovered.then_some(raw));
        // A quick-create's requester is pushed the error with the server's redaction only.
        let pushed_words = inbox
            .as_ref()
            .is_some_and(|i| i.to == "quick_create_requester" && f.recovered && !raw.is_empty());
        let leaked = if told.iter().any(|(_, words)| *words) || pushed_words {
            gaps(self.server, raw)
        } else {
            0
        };
        let (visible_error, error_origin, canned) = f.shown(sent);
        self.truths.push(FailureTruth {
            task_id: task.id.clone(),
            server: self.server,
            relays: told.into_iter().map(|(r, _)| r).collect(),
            visible_error,
            error_origin,
            canned,
            leaked,
            lost_session: task.session.clone().filter(|_| !on_event),
            retry_of: task.parent.clone(),
            inbox,
            recovered: f.recovered,
        });
        // ---- the frame on the wire ----
        let mut wire = inproc;
        if self.server == Server::Upstream {
            wire.remove("error");
        }
        self.publish("task:failed", Value::Object(wire), "system", "");
        if f.recovered {
            self.recovered_record(task, raw);
        }
    }

    /// What can be known of a failure's words, from the in-process event the relays had.
    fn failing(
        &mut self,
        task: &Task,
        path: Path,
        retry_pending: bool,
        inproc: &Map<String, Value>,
        posts_comment: bool,
    ) -> Failing {
        let reason = path.reason();
        let upstream = self.server == Server::Upstream;
        let one_sentence = path.sweeper()
            && (matches!(
                reason,
                "queued_expired" | "runtime_recovery" | "runtime_reconnect_timeout"
            ) || task.issue.is_some());
        // Upstream projects `error` off the wire (an issue task's words are in its comment).
        let withheld = upstream && !retry_pending && !one_sentence && task.issue.is_none();
        Failing {
            path,
            error: redact(self.server, path.raw()),
            has_error: inproc.contains_key("error"),
            comment_visible: posts_comment && (upstream || self.fixed),
            on_wire: !upstream,
            one_sentence,
            withheld,
            recovered: withheld && self.api.as_mut().is_some_and(|r| r.random_bool(0.7)),
        }
    }

    /// One relay's verdict on a failure, with whether its text carried the error's words.
    fn route(
        &self,
        relay: &'static str,
        task: &Task,
        on_event: bool,
        f: &Facts,
    ) -> (RelayTruth, bool) {
        let bound = task
            .session
            .as_ref()
            .and_then(|s| self.bindings.get(s))
            .map(|b| b.contains(&relay));
        let told = if !on_event && task.session.is_some() {
            // Every relay returns before its binding lookup without a session id.
            Told::nothing("dropped", "lost_chat_session")
        } else if !on_event {
            Told::nothing("not_chat", "no_chat_session")
        } else {
            let told = match self.server {
                Server::Upstream => upstream_relay(relay, f),
                Server::Octo => octo_relay(relay, f),
            };
            // An unbound session hears nothing; a relay that would not have sent keeps its why.
            if bound == Some(false) && told.notified() {
                Told::silent("not_bound")
            } else {
                told
            }
        };
        let truth = RelayTruth {
            relay,
            outcome: told.outcome,
            why: told.why,
            text: told.text,
            bound: bound.filter(|_| task.session.is_some()),
        };
        (truth, told.words)
    }

    /// The parent failed with `retry_pending` but no child yet; the child is queued later.
    fn retry_deferred(&mut self, _parent: &Task, _path: Path, child: &Task) {
        self.now += Duration::seconds(self.rng.random_range(5..60));
        self.lifecycle(child, "task:queued", "queued");
    }

    fn other_traffic(&mut self) {
        let kinds = [
            "issue:updated",
            "agent:status",
            "inbox:new",
            "activity:created",
        ];
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        let payload = json!({"id": uuid(&mut self.rng), "title": "Fix the build"});
        let actor = uuid(&mut self.rng);
        self.publish(kind, payload, "member", &actor);
    }

    /// A quick-create run (neither issue nor chat session:
    /// up:`server/internal/service/task.go:6600-6612`) that fails within `gap` of the clock.
    /// The server never retries it (`retryEligible` needs one of them, task.go:4810-4815).
    fn quick_create(&mut self, gap: Duration, agents: &[String], runtimes: &[String]) {
        let at = self.now;
        self.aside(|s| {
            let task = Task {
                id: uuid(&mut s.rng),
                agent: agents[s.rng.random_range(0..agents.len())].clone(),
                runtime: runtimes[s.rng.random_range(0..runtimes.len())].clone(),
                session: None,
                issue: None,
                parent: None,
                typed: false,
                attempt: 1,
                max_attempts: 2,
            };
            let step = gap / 6;
            let stages = [
                ("task:queued", "queued"),
                ("task:dispatch", "dispatched"),
                ("task:running", "running"),
            ];
            for (i, (kind, status)) in (1..).zip(stages) {
                s.now = at + step * i;
                s.lifecycle(&task, kind, status);
            }
            s.now = at + step * 5;
            let all: Vec<DaemonError> =
                [DAEMON_ERRORS, SECRET_ERRORS, TIMEOUT_ERRORS, &[EMPTY_ERROR]].concat();
            let error = all[s.rng.random_range(0..all.len())];
            s.fail(&task, Path::Daemon(error), false, None);
        });
        self.now = at;
    }

    /// Daemon errors the committed captures did not have, on the second generator: one with the
    /// secrets only upstream masks, or (upstream chat) no text at all. Only in place of an error
    /// the server does not retry either, so the retry chains stay as they were.
    fn vary(&mut self, path: Path, task: &Task) -> Path {
        let Path::Daemon(d) = path else {
            return path;
        };
        if retried(self.server, d.reason) {
            return path;
        }
        let empty_allowed = self.server == Server::Upstream && task.session.is_some();
        let rng = self.second();
        if rng.random_bool(0.15) {
            return Path::Daemon(SECRET_ERRORS[rng.random_range(0..SECRET_ERRORS.len())]);
        }
        if empty_allowed && rng.random_bool(0.2) {
            return Path::Daemon(EMPTY_ERROR);
        }
        path
    }

    /// How a retry chain's child fails for good. Upstream it may time out again: at its last
    /// attempt nothing is retried (`retryEligible`,
    /// up:`server/internal/service/task.go:4810-4815`), unless provider_network raised the
    /// chain's budget (`retryAttemptCeiling`, 4717-4725).
    fn last_attempt(&mut self, path: Path, child: &Task) -> Path {
        let last = child.attempt >= child.max_attempts;
        if self.server == Server::Upstream && last && self.second().random_bool(0.35) {
            let rng = self.second();
            return Path::Daemon(TIMEOUT_ERRORS[rng.random_range(0..TIMEOUT_ERRORS.len())]);
        }
        self.vary(path, child)
    }
}

#[derive(Clone)]
struct Task {
    id: String,
    agent: String,
    runtime: String,
    session: Option<String>,
    issue: Option<String>,
    parent: Option<String>,
    /// The turn was typed in the web or mobile app (a retry child inherits it).
    typed: bool,
    attempt: u32,
    max_attempts: u32,
}

/// A seeded capture of `tasks` tasks on `server`, with a bindings file. For the fork, PR #33 is
/// deployed halfway through.
pub fn generate(server: Server, seed: u64, tasks: usize) -> Capture {
    generate_with(server, seed, tasks, Options::default())
}

/// [`generate`], with the recorder's options: the same frames, plus what `opts` adds.
pub fn generate_with(server: Server, seed: u64, tasks: usize, opts: Options) -> Capture {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut extra = StdRng::seed_from_u64(seed ^ 0x5eed_0002);
    let agents: Vec<String> = (0..4).map(|_| uuid(&mut rng)).collect();
    let runtimes: Vec<String> = (0..2).map(|_| uuid(&mut rng)).collect();
    let sessions: Vec<String> = (0..12).map(|_| uuid(&mut rng)).collect();
    let issues: Vec<String> = (0..6).map(|_| uuid(&mut rng)).collect();
    let start = DateTime::from_timestamp(1_795_600_000, 0).unwrap();
    let mut bindings = BTreeMap::new();
    let relays = server.relays();
    // The fork's Slack came to the simulator later: its bindings are on the second generator.
    let first_drawn = if server == Server::Octo {
        2
    } else {
        relays.len()
    };
    let (old, added) = relays.split_at(first_drawn);
    for (i, s) in sessions.iter().enumerate().take(8) {
        let bound: Vec<&'static str> = match i {
            0 | 1 => vec![],
            _ => {
                let mut b: Vec<&'static str> = old
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(0.5))
                    .collect();
                b.extend(added.iter().copied().filter(|_| extra.random_bool(0.5)));
                b
            }
        };
        bindings.insert(s.clone(), bound);
    }
    let issue_titles = issues.iter().cloned().zip(ISSUE_TITLES).collect();
    let mut sim = Sim {
        server,
        rng,
        extra,
        api: opts.api.then(|| StdRng::seed_from_u64(seed ^ 0xa91_0003)),
        now: start,
        still: false,
        fixed: server == Server::Upstream,
        records: Vec::new(),
        truths: Vec::new(),
        bindings,
        issue_titles,
        titles_seen: HashMap::new(),
        ulid_seq: 0,
        extra_seq: 1 << 30,
    };
    let mut made = 0;
    let mut deploy_after = (server == Server::Octo).then_some(tasks / 2);
    while made < tasks {
        if deploy_after.is_some_and(|n| made >= n) {
            sim.fixed = true;
            deploy_after = None;
        }
        let chat = sim.rng.random_bool(0.65);
        let mut task = Task {
            id: uuid(&mut sim.rng),
            agent: agents[sim.rng.random_range(0..agents.len())].clone(),
            runtime: runtimes[sim.rng.random_range(0..runtimes.len())].clone(),
            session: chat.then(|| sessions[sim.rng.random_range(0..sessions.len())].clone()),
            issue: (!chat).then(|| issues[sim.rng.random_range(0..issues.len())].clone()),
            parent: None,
            typed: false,
            attempt: 1,
            max_attempts: 2,
        };
        // About a third of the chat turns are typed in the app (the fork announces them too;
        // its relays pay no heed). A member's comment triggers some issue tasks.
        task.typed = chat && sim.extra.random_bool(1.0 / 3.0);
        if task.typed {
            sim.aside(|s| s.typed_turn(&task));
        }
        if !chat && sim.extra.random_bool(0.3) {
            sim.aside(|s| s.member_comment(&task));
        }
        made += 1;
        sim.start(&task);
        if sim.rng.random_bool(0.4) {
            sim.complete(&task);
        } else {
            let path = if sim.rng.random_bool(0.35) {
                let (r, t) = SWEEPER[sim.rng.random_range(0..SWEEPER.len())];
                if server == Server::Octo && r == "runtime_reconnect_timeout" {
                    Path::Sweeper(SWEEPER[0].0, SWEEPER[0].1)
                } else {
                    Path::Sweeper(r, t)
                }
            } else {
                Path::Daemon(DAEMON_ERRORS[sim.rng.random_range(0..DAEMON_ERRORS.len())])
            };
            let path = sim.vary(path, &task);
            if retried(server, path.reason()) {
                // The wire tells a retry by `retry_pending` upstream, and on the fork by a
                // retried reason on the parent's frame (the fork's FailTask sent none before #33).
                let told_on_wire = server == Server::Upstream || sim.fixed || path.sweeper();
                // The child's budget (`retryAttemptCeiling`,
                // up:`server/internal/service/task.go:4717-4725`).
                let network = path.reason() == "agent_error.provider_network";
                let child = Task {
                    id: uuid(&mut sim.rng),
                    parent: told_on_wire.then(|| task.id.clone()),
                    attempt: 2,
                    max_attempts: if network { 3 } else { 2 },
                    ..task.clone()
                };
                // Upstream defers a runtime_offline retry until the runtime is back: its child
                // is queued later, not in the same call.
                let deferred = server == Server::Upstream && path.reason() == "runtime_offline";
                sim.fail(&task, path, true, Some(&child).filter(|_| !deferred));
                if deferred {
                    sim.retry_deferred(&task, path, &child);
                }
                made += 1;
                sim.now += Duration::seconds(sim.rng.random_range(2..20));
                sim.lifecycle(&child, "task:dispatch", "dispatched");
                sim.lifecycle(&child, "task:running", "running");
                if sim.rng.random_bool(0.5) {
                    sim.complete(&child);
                } else {
                    // A reason the server does not retry, so the chain ends here.
                    let final_errors: Vec<DaemonError> = DAEMON_ERRORS
                        .iter()
                        .copied()
                        .filter(|d| !retried(server, d.reason))
                        .collect();
                    let again =
                        Path::Daemon(final_errors[sim.rng.random_range(0..final_errors.len())]);
                    let again = sim.last_attempt(again, &child);
                    sim.fail(&child, again, false, None);
                }
            } else {
                sim.fail(&task, path, false, None);
            }
        }
        if sim.rng.random_bool(0.3) {
            sim.other_traffic();
        }
        let gap = Duration::milliseconds(sim.rng.random_range(300..3000));
        if server == Server::Upstream && sim.extra.random_bool(0.05) {
            sim.quick_create(gap, &agents, &runtimes);
        }
        sim.now += gap;
    }
    Capture {
        server,
        text: capture_text(&sim, seed, start, opts),
        bindings: bindings_text(&sim.bindings),
        truths: sim.truths,
    }
}

/// The capture file: a header, then each record.
fn capture_text(sim: &Sim, seed: u64, start: DateTime<Utc>, opts: Options) -> String {
    let api = if opts.api { r#","api":true"# } else { "" };
    let mut text = String::new();
    let _ = writeln!(
        text,
        r#"{{"failwatch_capture":1,"source":"generated {} seed {seed}","started_at":"{}"{api}}}"#,
        sim.server.name(),
        start.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    for (at, kind, body) in &sim.records {
        let mut record = Map::new();
        record.insert(
            "at".into(),
            json!(at.to_rfc3339_opts(SecondsFormat::Millis, true)),
        );
        record.insert((*kind).into(), body.clone());
        let _ = writeln!(text, "{}", Value::Object(record));
    }
    text
}

/// The bindings file: each session's relays.
fn bindings_text(bindings: &BTreeMap<String, Vec<&'static str>>) -> String {
    let mut b =
        String::from("# Which relay each chat session is bound to (generated).\n[sessions]\n");
    for (s, relays) in bindings {
        let list: Vec<String> = relays.iter().map(|r| format!("\"{r}\"")).collect();
        let _ = writeln!(b, "\"{s}\" = [{}]", list.join(", "));
    }
    b
}
