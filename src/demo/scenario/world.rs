//! The frame builder of the scenario: lifecycles, the server's fail and sweeper paths and its
//! system comments, in the exact shapes of the family being played.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::super::uuid;
use super::{Cast, LENGTH_MS};
use crate::routing::Family;

#[derive(Clone)]
pub(super) struct Task {
    pub(super) id: String,
    pub(super) agent: String,
    pub(super) runtime: String,
    pub(super) session: Option<String>,
    pub(super) issue: Option<String>,
}

pub(super) struct World {
    pub(super) rng: StdRng,
    pub(super) family: Family,
    /// The fork's frames have their post-PR #33 shapes from this story time on.
    pub(super) fixed_from: u64,
    pub(super) frames: Vec<(u64, Value)>,
    /// The REST view of each failed task (`AgentTaskResponse`), by task id, and whether the
    /// server wrote a chat failure message for it.
    pub(super) rows: std::collections::HashMap<String, (Value, bool)>,
    /// Retry children: their parent and attempt number.
    pub(super) parents: std::collections::HashMap<String, (String, u32)>,
}

impl World {
    pub(super) fn fixed(&self, at: u64) -> bool {
        self.family == Family::Upstream || at >= self.fixed_from
    }

    /// A frame as the server marshals it (sorted keys). The `event_id` a multi-node server adds
    /// is stamped by whoever publishes the frame, at publish time.
    pub(super) fn push(&mut self, at: u64, event_type: &str, payload: Value, actor: (&str, &str)) {
        let mut frame = Map::new();
        frame.insert("actor_id".into(), json!(actor.1));
        frame.insert("actor_type".into(), json!(actor.0));
        frame.insert("payload".into(), payload);
        frame.insert("type".into(), json!(event_type));
        self.frames.push((at.min(LENGTH_MS), Value::Object(frame)));
    }

    pub(super) fn system(&mut self, at: u64, event_type: &str, payload: Value) {
        self.push(at, event_type, payload, ("system", ""));
    }

    pub(super) fn task(&mut self, cast: &Cast, agent: usize, chat: bool) -> Task {
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

    pub(super) fn payload(t: &Task, status: Option<&str>) -> Map<String, Value> {
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

    pub(super) fn queued(&mut self, at: u64, t: &Task) {
        self.system(
            at,
            "task:queued",
            Value::Object(World::payload(t, Some("queued"))),
        );
    }

    /// queued → dispatch (its own builder: no status, a runtime id) → running; returns the time
    /// the run started.
    pub(super) fn start(&mut self, at: u64, t: &Task) -> u64 {
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

    pub(super) fn complete(&mut self, at: u64, t: &Task) {
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

    /// The task row as the server's REST API returns it: raw `error`, `failure_reason`, the
    /// attempts and the parent of a retry child, in the struct's key order.
    fn row(&self, at: u64, t: &Task, reason: &str, error: &str) -> Value {
        let (parent, attempt) = self
            .parents
            .get(&t.id)
            .map_or((None, 1), |(p, a)| (Some(p.clone()), *a));
        let time = |ms: u64| {
            chrono::DateTime::from_timestamp_millis(1_795_600_000_000 + ms as i64)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        let mut row = json!({
            "id": t.id, "agent_id": t.agent, "runtime_id": t.runtime,
            "issue_id": t.issue.clone().unwrap_or_default(),
            "workspace_id": "00000000-0000-4000-8000-00000000d3d0", "status": "failed", "priority": 0,
            "dispatched_at": time(at.saturating_sub(3000)), "started_at": time(at.saturating_sub(2500)),
            "completed_at": time(at), "result": null, "error": error, "failure_reason": reason,
            "attempt": attempt, "max_attempts": 2,
        });
        if let Some(p) = parent {
            row["parent_task_id"] = json!(p);
        }
        row["created_at"] = json!(time(at.saturating_sub(3500)));
        row["delivered_comment_ids"] = json!([]);
        if let Some(s) = &t.session {
            row["chat_session_id"] = json!(s);
        }
        row["kind"] = json!(if t.session.is_some() {
            "chat"
        } else {
            "comment"
        });
        row["attribution"] = json!({"source": "direct_human", "precise": true});
        row
    }

    /// The daemon reports a failure (the server's FailTask). `retry` is the child the server
    /// queues in the same call, if it retries.
    pub(super) fn daemon_fail(
        &mut self,
        at: u64,
        t: &Task,
        reason: &str,
        error: &str,
        retry: Option<&Task>,
    ) {
        if let Some(c) = retry {
            let attempt = self.parents.get(&t.id).map_or(1, |(_, a)| *a);
            self.parents
                .insert(c.id.clone(), (t.id.clone(), attempt + 1));
            self.queued(at, c);
        }
        // A terminal chat failure with a text also gets a failure message in the chat.
        let chat_message = t.session.is_some() && retry.is_none() && !error.is_empty();
        let row = self.row(at, t, reason, error);
        self.rows.insert(t.id.clone(), (row, chat_message));
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
    pub(super) fn sweeper_fail(
        &mut self,
        at: u64,
        t: &Task,
        reason: &str,
        text: &str,
        retry_pending: bool,
    ) {
        let row = self.row(at, t, reason, text);
        self.rows.insert(t.id.clone(), (row, false));
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

    pub(super) fn other(&mut self, at: u64) {
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
