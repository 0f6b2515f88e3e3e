//! A seeded, realistic three-minute incident in a busy workspace, as the server would send it:
//! a provider outage with rate limits and retries, a runtime going offline whose sweeper failures
//! lose their chat session, an agent out of quota, never-seen reasons, and errors carrying secrets
//! and terminal control sequences. Around it, normal traffic: lifecycles, chat, other events.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::{error_for, uuid, ZERO_UUID};

/// One frame of the scenario: when (offset from the start) and the exact frame text.
#[derive(Clone, Debug)]
pub struct ScriptedFrame {
    pub offset: Duration,
    pub text: String,
}

const LENGTH_MS: u64 = 180_000;

struct World {
    rng: StdRng,
    frames: Vec<(u64, Value)>,
    issues: Vec<String>,
}

fn envelope(event_type: &str, payload: Value) -> Value {
    json!({"type": event_type, "payload": payload, "actor_id": "", "actor_type": "system"})
}

impl World {
    fn push(&mut self, at: u64, event_type: &str, payload: Value) {
        self.frames
            .push((at.min(LENGTH_MS), envelope(event_type, payload)));
    }

    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[self.rng.random_range(0..from.len())]
    }

    /// queued → dispatch → running; returns (task id, ids payload, time running started).
    fn start_task(&mut self, at: u64, agent: &str, chat: Option<&str>) -> (String, Value, u64) {
        let task = uuid(&mut self.rng);
        let mut ids = json!({"task_id": task, "agent_id": agent});
        match chat {
            Some(session) => {
                ids["issue_id"] = json!(ZERO_UUID);
                ids["chat_session_id"] = json!(session);
            }
            None => {
                let issues = self.issues.clone();
                ids["issue_id"] = json!(self.pick(&issues));
            }
        }
        let mut t = at;
        for (stage, status) in [
            ("task:queued", "queued"),
            ("task:dispatch", "dispatched"),
            ("task:running", "running"),
        ] {
            let mut p = ids.clone();
            p["status"] = json!(status);
            if stage == "task:dispatch" {
                p["runtime_id"] = json!(uuid(&mut self.rng));
            }
            self.push(t, stage, p);
            t += self.rng.random_range(150..900);
        }
        (task, ids, t)
    }

    fn complete(&mut self, at: u64, ids: &Value) {
        let mut p = ids.clone();
        p["status"] = json!("completed");
        self.push(at, "task:completed", p);
        if let Some(session) = ids.get("chat_session_id") {
            let elapsed: u32 = self.rng.random_range(2000..90000);
            let done = json!({"chat_session_id": session, "task_id": ids["task_id"], "content": "Done: summary posted.", "elapsed_ms": elapsed});
            self.push(at + 20, "chat:done", done);
        }
    }

    /// A modern-shape failure; the final text follows as the task's assistant chat message.
    fn fail_modern(&mut self, at: u64, ids: &Value, reason: &str, retry_pending: bool) {
        let mut p = ids.clone();
        p["status"] = json!("failed");
        p["failure_reason"] = json!(reason);
        p["retry_pending"] = json!(retry_pending);
        self.push(at, "task:failed", p);
        if !retry_pending {
            if let Some(session) = ids.get("chat_session_id") {
                let text = error_for(reason, &mut self.rng);
                let delay = self.rng.random_range(50..300);
                let message = json!({"chat_session_id": session, "message_id": uuid(&mut self.rng), "role": "assistant", "content": text, "task_id": ids["task_id"]});
                self.push(at + delay, "chat:message", message);
            }
        }
    }

    /// The Octo fork's shape: `error` on the wire (or the `error_message` alias).
    fn fail_with_error(&mut self, at: u64, ids: &Value, reason: &str, alias: bool) {
        let mut p = ids.clone();
        p["status"] = json!("failed");
        p["failure_reason"] = json!(reason);
        p["retry_pending"] = json!(false);
        p[if alias { "error_message" } else { "error" }] = json!(error_for(reason, &mut self.rng));
        self.push(at, "task:failed", p);
    }

    /// The oldest sweeper path: only the reason. Chat tasks lose their session here.
    fn fail_legacy(&mut self, at: u64, ids: &Value, reason: &str) {
        let p = json!({"task_id": ids["task_id"], "agent_id": ids["agent_id"], "issue_id": ids["issue_id"], "failure_reason": reason});
        self.push(at, "task:failed", p);
    }
}

/// The whole scenario, sorted by offset. Deterministic for a seed.
pub fn scenario(seed: u64) -> Vec<ScriptedFrame> {
    let mut rng = StdRng::seed_from_u64(seed);
    let agents: Vec<String> = (0..8).map(|_| uuid(&mut rng)).collect();
    let sessions: Vec<String> = (0..12).map(|_| uuid(&mut rng)).collect();
    let issues: Vec<String> = (0..10).map(|_| uuid(&mut rng)).collect();
    let mut w = World {
        rng,
        frames: Vec::new(),
        issues,
    };

    // Background: healthy traffic all along.
    let mut t = 0;
    while t < LENGTH_MS {
        let agent = w.pick(&agents).to_owned();
        let chat = w.rng.random_bool(0.6).then(|| w.pick(&sessions).to_owned());
        let (_, ids, running) = w.start_task(t, &agent, chat.as_deref());
        if w.rng.random_bool(0.3) {
            let mut p = ids.clone();
            p["status"] = json!("running");
            w.push(running + 400, "task:progress", p);
        }
        let end = running + w.rng.random_range(1500..9000);
        match w.rng.random_range(0..100) {
            0..=84 => w.complete(end, &ids),
            85..=89 => w.fail_modern(end, &ids, "timeout", false),
            90..=93 => w.fail_with_error(end, &ids, "agent_error.process_failure", false),
            94..=95 => w.fail_modern(end, &ids, "iteration_limit", false),
            96 => w.fail_modern(end, &ids, "agent_blocked", false),
            97 => w.fail_with_error(end, &ids, "agent_error.context_overflow", true),
            98 => w.fail_modern(end, &ids, "queued_expired", false),
            _ => w.fail_with_error(end, &ids, "agent_error.missing_config", false),
        }
        let other = [
            "issue:updated",
            "comment:created",
            "inbox:new",
            "agent:status",
        ][w.rng.random_range(0..4)];
        let payload = json!({"id": uuid(&mut w.rng)});
        w.push(t + 300, other, payload);
        t += w.rng.random_range(300..1400);
    }

    // The first minute: provider outage. Rate limits with retries; some retries fail for good.
    let mut t = 500;
    while t < 70_000 {
        let agent = w.pick(&agents[..4]).to_owned();
        let chat = w.rng.random_bool(0.7).then(|| w.pick(&sessions).to_owned());
        let (_, ids, running) = w.start_task(t, &agent, chat.as_deref());
        let fail_at = running + w.rng.random_range(500..3000);
        w.fail_modern(
            fail_at,
            &ids,
            "agent_error.provider_capacity_or_rate_limit",
            true,
        );
        // The retry: same task, dispatched again.
        let retry_at = fail_at + w.rng.random_range(2000..6000);
        let mut p = ids.clone();
        p["status"] = json!("running");
        w.push(retry_at, "task:running", p);
        let outcome_at = retry_at + w.rng.random_range(1000..5000);
        match w.rng.random_range(0..10) {
            0..=4 => w.complete(outcome_at, &ids),
            5..=7 => w.fail_modern(outcome_at, &ids, "agent_error.provider_server_error", false),
            _ => w.fail_with_error(
                outcome_at,
                &ids,
                "agent_error.provider_capacity_or_rate_limit",
                false,
            ),
        }
        t += w.rng.random_range(400..1500);
    }

    // From the start: a runtime goes offline; the sweeper's failures lose their chat session.
    let offline_agent = agents[5].clone();
    for i in 0..9 {
        let at = 2_000 + i * 2_500;
        let chat = (i % 3 != 2).then(|| sessions[(i as usize * 5) % sessions.len()].clone());
        let (_, ids, _) = w.start_task(at, &offline_agent, chat.as_deref());
        w.fail_legacy(at + 12_000 + i * 300, &ids, "runtime_offline");
    }

    // One agent out of quota, all along (the Octo fork's shape, error on the wire).
    let broke_agent = agents[6].clone();
    for i in 0..10 {
        let at = 1_000 + i * 16_000;
        let chat = w.pick(&sessions).to_owned();
        let (_, ids, running) = w.start_task(at, &broke_agent, Some(&chat));
        w.fail_with_error(
            running + 800,
            &ids,
            "agent_error.provider_quota_limit",
            false,
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
        let agent = agents[7].clone();
        let chat = sessions[i].clone();
        let (_, ids, running) = w.start_task(6_000 + i as u64 * 30_000, &agent, Some(&chat));
        w.fail_modern(running + 1000, &ids, reason, false);
    }
    for i in 0..4 {
        let agent = agents[2].clone();
        let chat = sessions[11].clone();
        let (_, ids, running) = w.start_task(20_000 + i * 25_000, &agent, Some(&chat));
        w.fail_with_error(
            running + 500,
            &ids,
            "agent_error.provider_auth_or_access",
            false,
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

    fn parsed(seed: u64) -> Vec<Value> {
        scenario(seed)
            .iter()
            .map(|f| serde_json::from_str(&f.text).unwrap())
            .collect()
    }

    #[test]
    fn deterministic_per_seed_and_sorted() {
        let a: Vec<String> = scenario(7).into_iter().map(|f| f.text).collect();
        let b: Vec<String> = scenario(7).into_iter().map(|f| f.text).collect();
        assert_eq!(a, b);
        assert_ne!(
            a,
            scenario(8).into_iter().map(|f| f.text).collect::<Vec<_>>()
        );
        let s = scenario(7);
        assert!(s.windows(2).all(|w| w[0].offset <= w[1].offset));
        assert!(s.len() > 1000, "{}", s.len());
    }

    #[test]
    fn contains_every_part_of_the_story() {
        let frames = parsed(7);
        assert!(frames.iter().all(|f| f["type"].is_string()));
        let failed: Vec<&Value> = frames
            .iter()
            .filter(|f| f["type"] == "task:failed")
            .map(|f| &f["payload"])
            .collect();
        let legacy_lost = failed
            .iter()
            .filter(|p| p.get("chat_session_id").is_none() && p.get("retry_pending").is_none())
            .any(|p| {
                frames.iter().any(|f| {
                    f["type"] == "task:queued"
                        && f["payload"]["task_id"] == p["task_id"]
                        && f["payload"].get("chat_session_id").is_some()
                })
            });
        assert!(legacy_lost, "a sweeper failure that lost its chat session");
        let joined = frames
            .iter()
            .filter(|f| f["type"] == "chat:message")
            .any(|m| {
                failed
                    .iter()
                    .any(|p| p["task_id"] == m["payload"]["task_id"] && p.get("error").is_none())
            });
        assert!(joined, "an assistant message carrying a failure's text");
        assert!(failed
            .iter()
            .any(|p| p["failure_reason"] == "workspace_suspended"));
        assert!(failed.iter().any(|p| p["retry_pending"] == true));
        assert!(failed.iter().any(|p| p["retry_pending"] == false));
        assert!(failed.iter().any(|p| p.get("error_message").is_some()));
        let all = frames.iter().map(|f| f.to_string()).collect::<String>();
        assert!(
            all.contains("\\u001b"),
            "a control sequence inside an error"
        );
        assert!(
            all.contains("ghp_")
                || all.contains("AKIA")
                || all.contains("sk-ant-")
                || all.contains("hunter2")
        );
    }
}
