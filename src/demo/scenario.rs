//! A seeded, realistic three-minute incident in a busy workspace, in the exact shapes the server
//! of one family puts on the wire: a provider outage with the server's retries, a runtime going
//! offline and its sweeper failures, an agent out of quota whose errors carry secrets the server's
//! redaction misses (and terminal control sequences), never-seen reasons, issue tasks whose error
//! comes as the agent's system comment. On the Octo fork the first round spans the deploy of its
//! PR #33: before it, failures carry no error and the sweepers lose their chat session.
//! Around it, normal traffic: lifecycles, chat replies, other events.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use super::{error_for, uuid};
use crate::routing::{Bindings, Family};

/// One frame of the scenario: when (offset from the start) and the exact frame text.
#[derive(Clone, Debug)]
pub struct ScriptedFrame {
    pub offset: Duration,
    pub text: String,
}

const LENGTH_MS: u64 = 180_000;
/// Story time of the fork's PR #33 deploy in the first round.
const DEPLOY_MS: u64 = 25_000;

/// The workspace's stable cast: the same in every round, so bindings hold.
struct Cast {
    agents: Vec<String>,
    runtimes: Vec<String>,
    sessions: Vec<String>,
    issues: Vec<String>,
}

impl Cast {
    fn new(seed: u64) -> Cast {
        let mut rng = StdRng::seed_from_u64(seed);
        Cast {
            agents: (0..8).map(|_| uuid(&mut rng)).collect(),
            runtimes: (0..3).map(|_| uuid(&mut rng)).collect(),
            sessions: (0..12).map(|_| uuid(&mut rng)).collect(),
            issues: (0..10).map(|_| uuid(&mut rng)).collect(),
        }
    }
}

/// Which relays the demo's chat sessions are bound to: most to one relay or two, two web-only
/// sessions (bound to none), and two the table does not name (binding unknown).
pub fn bindings(seed: u64, family: Family) -> Bindings {
    let cast = Cast::new(seed);
    let choices: &[&[&str]] = match family {
        Family::Upstream => &[
            &["lark"],
            &["dingtalk"],
            &["telegram"],
            &["lark", "dingtalk"],
            &["slack"],
            &["wecom"],
            &[],
        ],
        Family::Octo => &[&["octo"], &["octo"], &["lark"], &["octo", "lark"], &[]],
    };
    let table = cast.sessions.iter().take(10).enumerate().map(|(i, s)| {
        let relays = choices[i % choices.len()]
            .iter()
            .map(|r| (*r).to_owned())
            .collect();
        (s.clone(), relays)
    });
    Bindings::from_table(table).unwrap_or_default()
}

#[derive(Clone)]
struct Task {
    id: String,
    agent: String,
    runtime: String,
    session: Option<String>,
    issue: Option<String>,
}

struct World {
    rng: StdRng,
    family: Family,
    /// The fork's frames have their post-PR #33 shapes from this story time on.
    fixed_from: u64,
    frames: Vec<(u64, Value)>,
    ulid_seq: u64,
}

impl World {
    fn fixed(&self, at: u64) -> bool {
        self.family == Family::Upstream || at >= self.fixed_from
    }

    /// A frame as the server marshals it (sorted keys); upstream runs multi-node: `event_id`.
    fn push(&mut self, at: u64, event_type: &str, payload: Value, actor: (&str, &str)) {
        let mut frame = Map::new();
        frame.insert("actor_id".into(), json!(actor.1));
        frame.insert("actor_type".into(), json!(actor.0));
        if self.family == Family::Upstream {
            self.ulid_seq += 1;
            frame.insert("event_id".into(), json!(self.ulid(at)));
        }
        frame.insert("payload".into(), payload);
        frame.insert("type".into(), json!(event_type));
        self.frames.push((at.min(LENGTH_MS), Value::Object(frame)));
    }

    /// The ULID's time part is story time from a fixed epoch; enough for ordering and dedup.
    fn ulid(&mut self, at: u64) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let ms = 1_795_600_000_000 + at;
        let rand = (u128::from(self.ulid_seq) << 48) | u128::from(self.rng.random::<u32>());
        let time = (0..10)
            .rev()
            .map(|i| ALPHABET[((ms >> (i * 5)) & 31) as usize]);
        let tail = (0..16)
            .rev()
            .map(|i| ALPHABET[((rand >> (i * 5)) & 31) as usize]);
        time.chain(tail).map(char::from).collect()
    }

    fn system(&mut self, at: u64, event_type: &str, payload: Value) {
        self.push(at, event_type, payload, ("system", ""));
    }

    fn task(&mut self, cast: &Cast, agent: usize, chat: bool) -> Task {
        let session =
            chat.then(|| cast.sessions[self.rng.random_range(0..cast.sessions.len())].clone());
        Task {
            id: uuid(&mut self.rng),
            agent: cast.agents[agent].clone(),
            runtime: cast.runtimes[agent % cast.runtimes.len()].clone(),
            issue: (!chat)
                .then(|| cast.issues[self.rng.random_range(0..cast.issues.len())].clone()),
            session,
        }
    }

    fn payload(t: &Task, status: Option<&str>) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("agent_id".into(), json!(t.agent));
        if let Some(s) = &t.session {
            p.insert("chat_session_id".into(), json!(s));
        }
        p.insert(
            "issue_id".into(),
            json!(t.issue.clone().unwrap_or_default()),
        );
        if let Some(s) = status {
            p.insert("status".into(), json!(s));
        }
        p.insert("task_id".into(), json!(t.id));
        p
    }

    fn queued(&mut self, at: u64, t: &Task) {
        self.system(
            at,
            "task:queued",
            Value::Object(World::payload(t, Some("queued"))),
        );
    }

    /// queued → dispatch (its own builder: no status, a runtime id) → running; returns the time
    /// the run started.
    fn start(&mut self, at: u64, t: &Task) -> u64 {
        self.queued(at, t);
        let mut at = at + self.rng.random_range(150..900);
        let mut p = World::payload(t, None);
        p.insert("runtime_id".into(), json!(t.runtime));
        self.system(at, "task:dispatch", Value::Object(p));
        at += self.rng.random_range(100..600);
        self.system(
            at,
            "task:running",
            Value::Object(World::payload(t, Some("running"))),
        );
        at
    }

    fn complete(&mut self, at: u64, t: &Task) {
        if let Some(session) = &t.session {
            let elapsed: u32 = self.rng.random_range(2000..90000);
            let done = json!({"chat_session_id": session, "task_id": t.id, "content": "Done: summary posted.", "elapsed_ms": elapsed, "message_kind": "message"});
            self.system(at, "chat:done", done);
        }
        self.system(
            at + 5,
            "task:completed",
            Value::Object(World::payload(t, Some("completed"))),
        );
    }

    /// The daemon reports a failure (the server's FailTask). `retry` is the child the server
    /// queues in the same call, if it retries.
    fn daemon_fail(&mut self, at: u64, t: &Task, reason: &str, error: &str, retry: Option<&Task>) {
        if let Some(c) = retry {
            self.queued(at, c);
        }
        let fixed = self.fixed(at);
        // The agent's system comment on the issue, for a final failure with a text.
        if t.issue.is_some() && retry.is_none() && !error.is_empty() {
            let mut comment = json!({"author_id": t.agent, "author_type": "agent", "content": error,
                "id": uuid(&mut self.rng), "issue_id": t.issue, "parent_id": null, "type": "system",
                "created_at": "2026-11-24T09:00:00Z"});
            if fixed {
                comment["source_task_id"] = json!(t.id);
            }
            let payload = json!({"comment": comment, "issue_status": "in_progress", "issue_title": "Fix flaky login test"});
            let agent = t.agent.clone();
            self.push(at + 2, "comment:created", payload, ("agent", &agent));
        }
        let mut p = World::payload(t, Some("failed"));
        match self.family {
            Family::Upstream => {
                p.insert("failure_reason".into(), json!(reason));
                p.insert("retry_pending".into(), json!(retry.is_some()));
            }
            Family::Octo if fixed => {
                p.insert("failure_reason".into(), json!(reason));
                if !error.is_empty() {
                    p.insert("error".into(), json!(error));
                }
            }
            Family::Octo => {}
        }
        self.system(at + 4, "task:failed", Value::Object(p));
    }

    /// A sweeper fails a task with its fixed sentence (`HandleFailedTasks`).
    fn sweeper_fail(&mut self, at: u64, t: &Task, reason: &str, text: &str, retry_pending: bool) {
        let mut p = World::payload(t, Some("failed"));
        p.insert("failure_reason".into(), json!(reason));
        match self.family {
            Family::Upstream => {
                p.insert("retry_pending".into(), json!(retry_pending));
            }
            Family::Octo if self.fixed(at) => {
                p.insert("error".into(), json!(text));
            }
            // Before PR #33 the fork's sweeper frame lost the chat session.
            Family::Octo => {
                p.remove("chat_session_id");
            }
        }
        self.system(at, "task:failed", Value::Object(p));
    }

    fn other(&mut self, at: u64) {
        let kinds = [
            "issue:updated",
            "agent:status",
            "inbox:new",
            "activity:created",
        ];
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        let payload = json!({"id": uuid(&mut self.rng)});
        let actor = uuid(&mut self.rng);
        self.push(at, kind, payload, ("member", &actor));
    }
}

/// The whole scenario of one round, sorted by offset. Deterministic for a seed and round. On the
/// fork, round 0 spans PR #33's deploy; later rounds are after it.
pub fn scenario(seed: u64, family: Family, round: u64) -> Vec<ScriptedFrame> {
    let cast = Cast::new(seed);
    let mut w = World {
        rng: StdRng::seed_from_u64(seed.wrapping_add(round.wrapping_mul(7919))),
        family,
        fixed_from: if round == 0 { DEPLOY_MS } else { 0 },
        frames: Vec::new(),
        ulid_seq: 0,
    };

    // Background: healthy traffic all along, with the usual trickle of failures.
    let mut t = 0;
    while t < LENGTH_MS {
        let agent = w.rng.random_range(0..cast.agents.len());
        let chat = w.rng.random_bool(0.6);
        let task = w.task(&cast, agent, chat);
        let running = w.start(t, &task);
        let end = running + w.rng.random_range(1500..9000);
        match w.rng.random_range(0..100) {
            0..=86 => w.complete(end, &task),
            87..=90 => {
                let e = error_for("agent_error.process_failure", &mut w.rng);
                w.daemon_fail(end, &task, "agent_error.process_failure", &e, None);
            }
            91..=92 => w.daemon_fail(
                end,
                &task,
                "iteration_limit",
                "agent reached the iteration limit (100 turns)",
                None,
            ),
            93..=94 => {
                let e = error_for("agent_error.context_overflow", &mut w.rng);
                w.daemon_fail(end, &task, "agent_error.context_overflow", &e, None);
            }
            95 => w.sweeper_fail(
                end + 20_000,
                &task,
                "queued_expired",
                "task expired in queue",
                false,
            ),
            96..=97 => w.daemon_fail(
                end,
                &task,
                "agent_error.missing_config",
                "missing environment variable: [REDACTED CREDENTIAL]",
                None,
            ),
            // An agent that sent no error text: Octo falls back to the reason's text.
            _ => w.daemon_fail(
                end,
                &task,
                "agent_error.provider_capacity_or_rate_limit",
                "",
                None,
            ),
        }
        if w.rng.random_bool(0.3) {
            w.other(t + 300);
        }
        t += w.rng.random_range(300..1400);
    }

    // The first minute: the provider's network drops. Upstream retries each failed attempt once
    // more (a new child task, queued in the same call); the fork does not retry this reason.
    let mut t = 500;
    while t < 60_000 {
        let agent = w.rng.random_range(0..4);
        let chat = w.rng.random_bool(0.7);
        let task = w.task(&cast, agent, chat);
        let running = w.start(t, &task);
        let fail_at = running + w.rng.random_range(500..3000);
        let error = error_for("agent_error.provider_network", &mut w.rng);
        if family == Family::Upstream {
            let child = Task {
                id: uuid(&mut w.rng),
                ..task.clone()
            };
            w.daemon_fail(
                fail_at,
                &task,
                "agent_error.provider_network",
                &error,
                Some(&child),
            );
            let retry_at = fail_at + w.rng.random_range(2000..6000);
            let mut p = World::payload(&child, None);
            p.insert("runtime_id".into(), json!(child.runtime));
            w.system(retry_at, "task:dispatch", Value::Object(p));
            let end = retry_at + w.rng.random_range(1000..5000);
            if w.rng.random_bool(0.5) {
                w.complete(end, &child);
            } else {
                let e = error_for("agent_error.provider_server_error", &mut w.rng);
                w.daemon_fail(end, &child, "agent_error.provider_server_error", &e, None);
            }
        } else {
            w.daemon_fail(fail_at, &task, "agent_error.provider_network", &error, None);
        }
        t += w.rng.random_range(400..1500);
    }

    // From the start: a runtime goes offline. The sweeper fails its tasks (retried: upstream
    // defers the child until the runtime is back; the fork queues it at once); the runtime never
    // comes back in time, so the retries fail for good.
    let offline_agent = 5;
    for i in 0..9u64 {
        let at = 2_000 + i * 2_500;
        let chat = i % 3 != 2;
        let task = w.task(&cast, offline_agent, chat);
        w.start(at, &task);
        let fail_at = at + 12_000 + i * 300;
        let child = Task {
            id: uuid(&mut w.rng),
            ..task.clone()
        };
        if family == Family::Octo {
            w.queued(fail_at, &child);
        }
        w.sweeper_fail(
            fail_at,
            &task,
            "runtime_offline",
            "runtime went offline",
            true,
        );
        let later = fail_at + 60_000;
        match family {
            Family::Upstream => {
                w.queued(later, &child);
                w.sweeper_fail(
                    later + 30_000,
                    &child,
                    "runtime_reconnect_timeout",
                    "runtime did not reconnect within the configured grace period",
                    false,
                );
            }
            Family::Octo => w.sweeper_fail(
                later,
                &child,
                "runtime_offline",
                "runtime went offline",
                false,
            ),
        }
    }

    // One agent out of quota, all along; its errors carry secrets the server lets through.
    for i in 0..10u64 {
        let at = 1_000 + i * 16_000;
        let task = w.task(&cast, 6, i % 4 != 3);
        let running = w.start(at, &task);
        let e = error_for("agent_error.provider_quota_limit", &mut w.rng);
        w.daemon_fail(
            running + 800,
            &task,
            "agent_error.provider_quota_limit",
            &e,
            None,
        );
    }

    // Never-seen reasons, and a revoked key.
    for (i, reason) in [
        "agent_error.sandbox_oom",
        "workspace_suspended",
        "agent_error.sandbox_oom",
    ]
    .iter()
    .enumerate()
    {
        let task = w.task(&cast, 7, true);
        let running = w.start(30_000 + i as u64 * 30_000, &task);
        w.daemon_fail(
            running + 1000,
            &task,
            reason,
            "sandbox killed: out of memory (limit 4096 MiB)",
            None,
        );
    }
    for i in 0..4u64 {
        let task = w.task(&cast, 2, i % 2 == 0);
        let running = w.start(20_000 + i * 25_000, &task);
        let e = error_for("agent_error.provider_auth_or_access", &mut w.rng);
        w.daemon_fail(
            running + 500,
            &task,
            "agent_error.provider_auth_or_access",
            &e,
            None,
        );
    }

    let mut frames = w.frames;
    frames.sort_by_key(|(at, _)| *at);
    frames
        .into_iter()
        .map(|(at, v)| ScriptedFrame {
            offset: Duration::from_millis(at),
            text: v.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{decode, Event};
    use crate::routing::Relay;

    fn parsed(seed: u64, family: Family, round: u64) -> Vec<Value> {
        scenario(seed, family, round)
            .iter()
            .map(|f| serde_json::from_str(&f.text).unwrap())
            .collect()
    }

    #[test]
    fn deterministic_per_seed_and_sorted() {
        let texts = |s, r| {
            scenario(s, Family::Octo, r)
                .into_iter()
                .map(|f| f.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(7, 0), texts(7, 0));
        assert_ne!(texts(7, 0), texts(7, 1));
        let s = scenario(7, Family::Upstream, 0);
        assert!(s.windows(2).all(|w| w[0].offset <= w[1].offset));
        assert!(s.len() > 1000, "{}", s.len());
    }

    /// Only shapes the server sends: upstream never puts `error` on the wire and always sends
    /// `retry_pending`; the fork never sends `retry_pending`; nobody sends `error_message`, an
    /// all-zero issue id, or a status on `task:dispatch`.
    #[test]
    fn every_frame_has_a_real_server_shape() {
        for family in Family::ALL {
            for round in [0, 1] {
                for f in parsed(7, family, round) {
                    let p = &f["payload"];
                    assert!(decode(&f.to_string()).is_ok());
                    assert_ne!(p["issue_id"], "00000000-0000-0000-0000-000000000000");
                    assert!(p.get("error_message").is_none());
                    if f["type"] == "task:dispatch" {
                        assert!(p.get("status").is_none());
                    }
                    if f["type"] == "task:failed" {
                        match family {
                            Family::Upstream => {
                                assert!(
                                    p.get("error").is_none() && p["retry_pending"].is_boolean(),
                                    "{f}"
                                );
                                assert!(f["event_id"].is_string());
                            }
                            Family::Octo => assert!(p.get("retry_pending").is_none(), "{f}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_fork_round_spans_the_deploy_and_the_story_has_every_part() {
        let frames = parsed(7, Family::Octo, 0);
        let failed: Vec<&Value> = frames
            .iter()
            .filter(|f| f["type"] == "task:failed")
            .map(|f| &f["payload"])
            .collect();
        assert!(
            failed.iter().any(|p| p.get("failure_reason").is_none()),
            "before the fix"
        );
        assert!(
            failed.iter().any(|p| p["error"] == "runtime went offline"),
            "after the fix"
        );
        let lost = failed.iter().any(|p| {
            p.get("chat_session_id").is_none()
                && frames.iter().any(|f| {
                    f["type"] == "task:queued"
                        && f["payload"]["task_id"] == p["task_id"]
                        && f["payload"].get("chat_session_id").is_some()
                })
        });
        assert!(lost, "a sweeper failure that lost its chat session");
        assert!(failed
            .iter()
            .any(|p| p["failure_reason"] == "workspace_suspended"));
        let all = frames.iter().map(Value::to_string).collect::<String>();
        assert!(
            all.contains("\\u001b"),
            "a control sequence inside an error"
        );
        assert!(
            all.contains("/Users/") || all.contains("@db.internal"),
            "a secret the server misses"
        );
        assert!(frames.iter().any(
            |f| matches!(decode(&f.to_string()), Ok(Event::Comment(c)) if c.is_failure_text())
        ));
        assert!(
            parsed(7, Family::Octo, 1)
                .iter()
                .filter(|f| f["type"] == "task:failed")
                .all(|f| f["payload"].get("failure_reason").is_some()),
            "later rounds are after the fix"
        );
    }

    #[test]
    fn bindings_name_most_sessions_and_leave_some_unknown() {
        for family in Family::ALL {
            let b = bindings(7, family);
            assert_eq!(b.len(), 10);
            let cast = Cast::new(7);
            assert!(b.of(&cast.sessions[11]).is_none());
            assert!(cast
                .sessions
                .iter()
                .any(|s| b.of(s).is_some_and(|set| set.is_empty())));
            for s in &cast.sessions {
                if let Some(set) = b.of(s) {
                    assert!(
                        set.iter().all(|r| family.relays().contains(&r)),
                        "{r:?}",
                        r = set.iter().collect::<Vec<Relay>>()
                    );
                }
            }
        }
    }
}
