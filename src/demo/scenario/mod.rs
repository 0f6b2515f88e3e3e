//! A seeded, realistic three-minute incident in a busy workspace, in the exact shapes the server
//! of one family puts on the wire: a provider outage with the server's retries, a runtime going
//! offline and its sweeper failures, an agent out of quota whose errors carry secrets the server's
//! redaction misses (and terminal control sequences), never-seen reasons, issue tasks whose error
//! comes as the agent's system comment. On the Octo fork the first round spans the deploy of its
//! PR #33: before it, failures carry no error and the sweepers lose their chat session.
//! Around it, normal traffic: lifecycles, chat replies, other events.

mod world;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::{error_for, uuid};
use crate::routing::{Bindings, Family};
use world::{Task, World};

/// One frame of the scenario: when (offset from the start) and the exact frame text; a
/// `task:failed` frame also carries the task's REST row, visible from then on.
#[derive(Clone, Debug)]
pub struct ScriptedFrame {
    pub offset: Duration,
    pub text: String,
    pub row: Option<DemoRow>,
}

/// A failed task as the REST API shows it.
#[derive(Clone, Debug)]
pub struct DemoRow {
    /// `AgentTaskResponse`, raw `error` included.
    pub row: Value,
    /// The server wrote a failure message in the chat (terminal chat failures with a text).
    pub chat_message: bool,
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

/// The whole scenario of one round, sorted by offset. Deterministic for a seed and round. On the
/// fork, round 0 spans PR #33's deploy; later rounds are after it.
pub fn scenario(seed: u64, family: Family, round: u64) -> Vec<ScriptedFrame> {
    let cast = Cast::new(seed);
    let mut w = World {
        rng: StdRng::seed_from_u64(seed.wrapping_add(round.wrapping_mul(7919))),
        family,
        fixed_from: if round == 0 { DEPLOY_MS } else { 0 },
        frames: Vec::new(),
        rows: Default::default(),
        parents: Default::default(),
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
    let mut rows = w.rows;
    frames
        .into_iter()
        .map(|(at, v)| {
            let row = (v["type"] == "task:failed")
                .then(|| {
                    v["payload"]["task_id"]
                        .as_str()
                        .and_then(|t| rows.remove(t))
                })
                .flatten()
                .map(|(row, chat_message)| DemoRow { row, chat_message });
            ScriptedFrame {
                offset: Duration::from_millis(at),
                text: v.to_string(),
                row,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
