//! A simulator of the Multica server and its relays, for ground truth. It builds each failure's
//! in-process event the way the server source does (`taskFailedFields`, the sweepers' SQL, the
//! fork's `broadcastTaskEvent` before and after PR #33), runs each relay's Go rules on it (what the
//! chat user was sent, word for word), then projects the frame onto the wire as the server does
//! (upstream strips `error`). Nothing here calls failwatch's routing: this is the oracle.
#![allow(dead_code)]

use std::collections::BTreeMap;
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

    /// The relays the server runs (upstream `integrations/`; the fork's relays on task:failed).
    pub fn relays(self) -> &'static [&'static str] {
        match self {
            Server::Upstream => &["lark", "dingtalk", "telegram", "slack", "wecom"],
            Server::Octo => &["octo", "lark"],
        }
    }
}

/// What one relay did with one failure, as the chat user saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayTruth {
    pub relay: &'static str,
    pub outcome: &'static str,
    /// The exact text sent, with the server-redacted error as failwatch can know it: the words
    /// when the wire (or the one sentence the server writes for the reason) gives them, else
    /// the error part replaced by `[error withheld by the server]`.
    pub text: Option<String>,
    pub bound: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct FailureTruth {
    pub task_id: String,
    pub server: Server,
    pub relays: Vec<RelayTruth>,
    /// The error failwatch can show (server-redacted words), if any reached the wire.
    pub visible_error: Option<String>,
    /// Where those words were on the wire: "event", "comment", "canned", or "withheld"/none.
    pub error_origin: Option<&'static str>,
    /// The error the relays had was one of Multica's fixed sentences.
    pub canned: bool,
    /// Secrets the server's rules miss that a sent text carried.
    pub leaked: u32,
    /// The chat session this failure belonged to but whose frame lost it.
    pub lost_session: Option<String>,
    /// The task this one retries.
    pub retry_of: Option<String>,
}

/// An error the daemon reports: its server-redacted words, whether it is a fixed sentence, and
/// how many secrets of the kinds the server's rules miss it carries.
#[derive(Clone, Copy)]
struct DaemonError {
    reason: &'static str,
    text: &'static str,
    canned: bool,
    gap_secrets: u32,
}

/// The planted secrets the server's rules let through, as they appear in `DAEMON_ERRORS`.
pub const GAP_SECRETS: [&str; 2] = ["/Users/bob/", "deploy:s3cr3tpass@"];

/// Every daemon error here has a text: a daemon that reports none leaves a chat task's relays
/// without `error`, which the wire cannot tell from one with a text (failwatch assumes a text;
/// the README says so).
const DAEMON_ERRORS: &[DaemonError] = &[
    DaemonError { reason: "agent_error.provider_auth_or_access", text: "Invalid API key [REDACTED API KEY] · Please run /login", canned: false, gap_secrets: 0 },
    DaemonError { reason: "agent_error.provider_quota_limit", text: "402 insufficient_balance: credit balance is too low", canned: false, gap_secrets: 0 },
    DaemonError { reason: "agent_error.process_failure", text: "claude exited with status 1: open /Users/bob/work/repo/.env: permission denied", canned: false, gap_secrets: 1 },
    DaemonError { reason: "agent_error.provider_network", text: "stream disconnected before completion: dial tcp 10.0.0.7:443: i/o timeout", canned: false, gap_secrets: 0 },
    DaemonError { reason: "agent_error.context_overflow", text: "prompt is too long: 212403 tokens > 200000 maximum", canned: false, gap_secrets: 0 },
    DaemonError { reason: "agent_error.process_failure", text: "git push https://deploy:s3cr3tpass@git.example.com/team/repo.git failed: exit status 128", canned: false, gap_secrets: 1 },
    DaemonError { reason: "agent_error.missing_config", text: "missing environment variable: [REDACTED CREDENTIAL]", canned: false, gap_secrets: 0 },
    DaemonError { reason: "timeout", text: "claude timed out after 2h0m0s", canned: true, gap_secrets: 0 },
    DaemonError { reason: "timeout", text: "task preparation timed out after 5m0s", canned: true, gap_secrets: 0 },
    DaemonError { reason: "idle_watchdog", text: "agent produced no new messages for 10m0s and message queue was empty; force-stopped by idle watchdog", canned: false, gap_secrets: 0 },
    DaemonError { reason: "agent_error.model_not_found_or_unavailable", text: "model claude-opus-9 not found", canned: false, gap_secrets: 0 },
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
    fn text(self) -> &'static str {
        match self {
            Path::Daemon(d) => d.text,
            Path::Sweeper(_, t) => t,
        }
    }
    fn canned(self) -> bool {
        match self {
            Path::Daemon(d) => d.canned,
            Path::Sweeper(..) => true,
        }
    }
    fn gap_secrets(self) -> u32 {
        match self {
            Path::Daemon(d) => d.gap_secrets,
            Path::Sweeper(..) => 0,
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
    now: DateTime<Utc>,
    /// The fork's PR #33 is deployed: frames before have the old shapes (upstream: always).
    fixed: bool,
    records: Vec<(DateTime<Utc>, Value)>,
    truths: Vec<FailureTruth>,
    bindings: BTreeMap<String, Vec<&'static str>>,
    ulid_seq: u64,
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

    /// Publish one frame: Go's map order (sorted keys), `event_id` upstream (multi-node).
    fn publish(&mut self, event_type: &str, payload: Value, actor_type: &str, actor_id: &str) {
        let mut frame = Map::new();
        frame.insert("actor_id".into(), json!(actor_id));
        frame.insert("actor_type".into(), json!(actor_type));
        if self.server == Server::Upstream {
            frame.insert("event_id".into(), json!(self.ulid()));
        }
        frame.insert("payload".into(), payload);
        frame.insert("type".into(), json!(event_type));
        self.records.push((self.now, Value::Object(frame)));
        self.now += Duration::milliseconds(self.rng.random_range(3..40));
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

    /// A task fails by `path`; `child` is its retry when the server makes one. Returns the truth.
    fn fail(&mut self, task: &Task, path: Path, retry_pending: bool, child: Option<&Task>) {
        let reason = path.reason();
        let sweeper = matches!(path, Path::Sweeper(..));
        // The retry child is queued first, in the same call.
        if let Some(c) = child {
            self.lifecycle(c, "task:queued", "queued");
        }
        let fixed = self.fixed;
        // ---- the in-process event the relays receive ----
        let mut inproc = Sim::task_payload(task, "failed");
        let err_text = path.text();
        match self.server {
            Server::Upstream => {
                inproc.insert("failure_reason".into(), json!(reason));
                inproc.insert("retry_pending".into(), json!(retry_pending));
                if !retry_pending {
                    inproc.insert("error".into(), json!(err_text));
                }
            }
            Server::Octo if fixed => {
                inproc.insert("failure_reason".into(), json!(reason));
                inproc.insert("error".into(), json!(err_text));
            }
            Server::Octo => {
                if sweeper {
                    // Before PR #33 the sweeper frame had its reason and no chat session.
                    inproc.insert("failure_reason".into(), json!(reason));
                    inproc.remove("chat_session_id");
                }
            }
        }
        // The daemon's fail path posts the error as the agent's system comment on the issue.
        if !sweeper && task.issue.is_some() && !retry_pending {
            let comment_id = uuid(&mut self.rng);
            let mut comment = json!({"author_id": task.agent, "author_type": "agent", "content": err_text,
                "created_at": self.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "id": comment_id,
                "issue_id": task.issue, "parent_id": null, "type": "system"});
            if self.server == Server::Upstream || fixed {
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
            let payload = json!({"comment": comment, "issue_revision": 3, "issue_status": "in_progress", "issue_title": "Fix the build"});
            self.publish("comment:created", payload, "agent", &task.agent.clone());
        }
        // ---- what each relay did with it ----
        let session = inproc
            .get("chat_session_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let error = inproc
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let on_wire = self.server == Server::Octo; // upstream projects `error` away
                                                   // What failwatch can know of the words: on the wire, in the comment, or the only
                                                   // sentence the server writes for this reason on this kind of task.
        let one_sentence = sweeper
            && (matches!(
                reason,
                "queued_expired" | "runtime_recovery" | "runtime_reconnect_timeout"
            ) || task.issue.is_some());
        let visible_words = error.as_ref().is_some_and(|_| on_wire || one_sentence);
        let shown = |prefix: &str, e: &str| {
            if visible_words {
                format!("{prefix}{e}")
            } else {
                format!("{prefix}{WITHHELD}")
            }
        };
        let is_canned = path.canned() && error.is_some();
        let mut relays = Vec::new();
        let mut leaked = 0;
        for &relay in self.server.relays() {
            let bound = task
                .session
                .as_ref()
                .and_then(|s| self.bindings.get(s))
                .map(|b| b.contains(&relay));
            // (outcome, text sent, whether the error's words went out)
            let (outcome, text, carried_error): (&'static str, Option<String>, bool) =
                match (relay, &session) {
                    (_, None) if task.session.is_some() => ("dropped", None, false),
                    (_, None) => ("not_chat", None, false),
                    (_, Some(_)) if bound == Some(false) => ("silent", None, false),
                    ("lark", Some(_)) => match &error {
                        Some(e) if !e.is_empty() => (
                            if is_canned {
                                "notified_canned"
                            } else {
                                "notified_detail"
                            },
                            Some(shown("Run failed: ", e)),
                            true,
                        ),
                        _ => ("notified_generic", Some("Run failed.".into()), false),
                    },
                    ("dingtalk", Some(_)) => match &error {
                        _ if retry_pending => ("silent", None, false),
                        Some(e) if !e.is_empty() => (
                            if is_canned {
                                "notified_canned"
                            } else {
                                "notified_detail"
                            },
                            Some(shown("⚠️ ", e)),
                            true,
                        ),
                        _ => ("silent", None, false),
                    },
                    ("telegram", Some(_)) if retry_pending => ("silent", None, false),
                    ("telegram", Some(_)) => (
                        "notified_generic",
                        Some("❌ The agent run failed. Please try again.".into()),
                        false,
                    ),
                    ("slack" | "wecom", Some(_)) => ("silent", None, false),
                    ("octo", Some(_)) => match &error {
                        Some(e) if !e.is_empty() => (
                            if is_canned {
                                "notified_canned"
                            } else {
                                "notified_detail"
                            },
                            Some(shown("⚠️ ", e)),
                            true,
                        ),
                        _ if !fixed => (
                            "notified_generic",
                            Some("⚠️ The agent run failed.".into()),
                            false,
                        ),
                        _ => match octo_reason_text(reason) {
                            Some(t) => ("notified_reason", Some(format!("⚠️ {t}")), false),
                            None => (
                                "notified_generic",
                                Some(format!("⚠️ {OCTO_DEFAULT}")),
                                false,
                            ),
                        },
                    },
                    _ => unreachable!("{relay}"),
                };
            if carried_error && on_wire {
                leaked = path.gap_secrets();
            }
            relays.push(RelayTruth {
                relay,
                outcome,
                text,
                bound: bound.filter(|_| task.session.is_some()),
            });
        }
        let comment_visible = !sweeper
            && task.issue.is_some()
            && !retry_pending
            && (self.server == Server::Upstream || fixed);
        let (visible_error, error_origin) = if error.is_some() && on_wire {
            (Some(err_text.to_owned()), Some("event"))
        } else if comment_visible {
            (Some(err_text.to_owned()), Some("comment"))
        } else if error.is_some() && one_sentence {
            (Some(err_text.to_owned()), Some("canned"))
        } else if error.is_some() {
            (None, Some("withheld"))
        } else {
            (None, None)
        };
        self.truths.push(FailureTruth {
            task_id: task.id.clone(),
            server: self.server,
            relays,
            visible_error,
            error_origin,
            canned: is_canned || (comment_visible && path.canned()),
            leaked,
            lost_session: task.session.clone().filter(|_| session.is_none()),
            retry_of: task.parent.clone(),
        });
        // ---- the frame on the wire ----
        let mut wire = inproc;
        if self.server == Server::Upstream {
            wire.remove("error");
        }
        self.publish("task:failed", Value::Object(wire), "system", "");
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
}

#[derive(Clone)]
struct Task {
    id: String,
    agent: String,
    runtime: String,
    session: Option<String>,
    issue: Option<String>,
    parent: Option<String>,
}

/// A seeded capture of `tasks` tasks on `server`, with a bindings file. For the fork, PR #33 is
/// deployed halfway through.
pub fn generate(server: Server, seed: u64, tasks: usize) -> Capture {
    let mut rng = StdRng::seed_from_u64(seed);
    let agents: Vec<String> = (0..4).map(|_| uuid(&mut rng)).collect();
    let runtimes: Vec<String> = (0..2).map(|_| uuid(&mut rng)).collect();
    let sessions: Vec<String> = (0..12).map(|_| uuid(&mut rng)).collect();
    let issues: Vec<String> = (0..6).map(|_| uuid(&mut rng)).collect();
    let start = DateTime::from_timestamp(1_795_600_000, 0).unwrap();
    let mut bindings = BTreeMap::new();
    let relays = server.relays();
    for (i, s) in sessions.iter().enumerate().take(8) {
        let bound: Vec<&'static str> = match i {
            0 | 1 => vec![],
            _ => relays
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.5))
                .collect(),
        };
        bindings.insert(s.clone(), bound);
    }
    let mut sim = Sim {
        server,
        rng,
        now: start,
        fixed: server == Server::Upstream,
        records: Vec::new(),
        truths: Vec::new(),
        bindings,
        ulid_seq: 0,
    };
    let mut made = 0;
    let mut deploy_after = (server == Server::Octo).then_some(tasks / 2);
    while made < tasks {
        if deploy_after.is_some_and(|n| made >= n) {
            sim.fixed = true;
            deploy_after = None;
        }
        let chat = sim.rng.random_bool(0.65);
        let task = Task {
            id: uuid(&mut sim.rng),
            agent: agents[sim.rng.random_range(0..agents.len())].clone(),
            runtime: runtimes[sim.rng.random_range(0..runtimes.len())].clone(),
            session: chat.then(|| sessions[sim.rng.random_range(0..sessions.len())].clone()),
            issue: (!chat).then(|| issues[sim.rng.random_range(0..issues.len())].clone()),
            parent: None,
        };
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
            if retried(server, path.reason()) {
                // The wire tells a retry by `retry_pending` upstream, and on the fork by a
                // retried reason on the parent's frame (the fork's FailTask sent none before #33).
                let told_on_wire =
                    server == Server::Upstream || sim.fixed || matches!(path, Path::Sweeper(..));
                let child = Task {
                    id: uuid(&mut sim.rng),
                    parent: told_on_wire.then(|| task.id.clone()),
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
                    sim.fail(&child, again, false, None);
                }
            } else {
                sim.fail(&task, path, false, None);
            }
        }
        if sim.rng.random_bool(0.3) {
            sim.other_traffic();
        }
        sim.now += Duration::milliseconds(sim.rng.random_range(300..3000));
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        r#"{{"failwatch_capture":1,"source":"generated {} seed {seed}","started_at":"{}"}}"#,
        server.name(),
        start.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    for (at, frame) in &sim.records {
        let record = json!({"at": at.to_rfc3339_opts(SecondsFormat::Millis, true), "frame": frame});
        let _ = writeln!(text, "{record}");
    }
    let mut b =
        String::from("# Which relay each chat session is bound to (generated).\n[sessions]\n");
    for (s, relays) in &sim.bindings {
        let list: Vec<String> = relays.iter().map(|r| format!("\"{r}\"")).collect();
        let _ = writeln!(b, "\"{s}\" = [{}]", list.join(", "));
    }
    Capture {
        server,
        text,
        bindings: b,
        truths: sim.truths,
    }
}
