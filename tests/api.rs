//! The REST API client, through the real binary, against a real HTTP server answering with the
//! shapes of the server source (`AgentTaskResponse` rows with the raw, unredacted `error`; chat
//! messages; `{"error": …}` bodies): withheld texts recovered and redacted on every output and in
//! a recording that replays them without the server; rows matched by task id, not by recency;
//! the per-second budget; 429 `Retry-After`; a 500 burst opening the circuit and a success
//! closing it; a slow server not holding rows past the bound; a 401 said once; a 403 on an
//! agent's tasks falling back to the chat's messages; no impersonation header, no token in a URL.
//!
//! None of the endpoints pages (`GET /api/agents/{id}/tasks`, `GET /api/issues/{id}/task-runs`,
//! `GET /api/chat/sessions/{id}/messages` answer whole arrays), so there is no paging to serve.

use std::time::Duration;

use serde_json::{json, Value};
use support::api::{Answer, ApiServer, Logged};
use support::cmd;
use support::hub::{scripted, After, Conn};
use support::secrets::{assert_safe, hostile, SECRETS};
use support::tail::{is_gap, Ended, Tail};

mod support;

/// A member's personal access token: it must never be seen anywhere but the header.
const TOKEN: &str = "mul_a9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4";
const WORKSPACE: &str = "7b2f4c1e-0d3a-4b5c-8e9f-0a1b2c3d4e5f";
const ISSUE: &str = "0198c7ff-1111-7222-8333-444455556666";

fn agent(n: usize) -> String {
    format!("3f6e2a10-8b4c-4d7e-9a1f-{n:012}")
}

fn task(kind: u8, n: usize) -> String {
    format!("0198c8a2-5b1e-7c3d-9e4f-{kind:02x}{n:010}")
}

fn session(n: usize) -> String {
    format!("c0ffee00-1234-4abc-8def-{n:012}")
}

/// An upstream `task:failed` for a chat task: no `error` on the wire.
fn chat_failed(task: &str, agent: &str, session: &str) -> String {
    json!({"type": "task:failed", "actor_type": "system", "actor_id": "", "payload": {
        "agent_id": agent, "chat_session_id": session, "failure_reason": "agent_error.process_failure",
        "issue_id": "", "retry_pending": false, "status": "failed", "task_id": task}})
    .to_string()
}

/// An upstream `task:failed` for an issue task whose system comment never came.
fn issue_failed(task: &str, agent: &str) -> String {
    json!({"type": "task:failed", "actor_type": "system", "actor_id": "", "payload": {
        "agent_id": agent, "failure_reason": "agent_error.process_failure", "issue_id": ISSUE,
        "retry_pending": false, "status": "failed", "task_id": task}})
    .to_string()
}

/// A task row as `taskToResponse` builds it, keys in its order.
fn row(
    id: &str,
    agent: &str,
    session: Option<&str>,
    error: &str,
    attempt: (u32, u32, Option<&str>),
) -> Value {
    let mut r = json!({
        "id": id, "agent_id": agent, "runtime_id": "5a4b0000-0000-4000-8000-000000000001",
        "issue_id": if session.is_some() { "" } else { ISSUE }, "workspace_id": WORKSPACE,
        "status": "failed", "priority": 0, "dispatched_at": "2026-11-25T10:15:31Z",
        "started_at": "2026-11-25T10:15:32Z", "completed_at": "2026-11-25T10:15:44Z", "result": null,
        "error": error, "failure_reason": "agent_error.process_failure",
        "attempt": attempt.0, "max_attempts": attempt.1, "created_at": "2026-11-25T10:15:30Z",
        "work_dir": "/Users/alice/multica_workspaces/7b2f/c3d4e5f60718/workdir",
        "relative_work_dir": "7b2f/c3d4e5f60718/workdir", "delivered_comment_ids": [],
        "kind": if session.is_some() { "chat" } else { "comment" },
        "attribution": {"source": "direct_human", "precise": true},
    });
    if let Some(p) = attempt.2 {
        r["parent_task_id"] = json!(p);
    }
    if let Some(s) = session {
        r["chat_session_id"] = json!(s);
    }
    r
}

/// The assistant message the server writes for a failed chat turn (its content server-redacted).
fn failure_message(task: &str, session: &str, content: &str) -> Value {
    json!({"id": format!("m-{task}"), "chat_session_id": session, "role": "assistant", "content": content,
           "task_id": task, "created_at": "2026-11-25T10:15:44Z", "failure_reason": "agent_error.process_failure",
           "elapsed_ms": 1200, "message_kind": "message", "quick_actions": []})
}

fn user_message(task: &str, session: &str) -> Value {
    json!({"id": format!("u-{task}"), "chat_session_id": session, "role": "user", "content": "please fix it",
           "task_id": task, "created_at": "2026-11-25T10:15:30Z", "failure_reason": null,
           "elapsed_ms": null, "message_kind": "message", "quick_actions": []})
}

/// `failwatch tail --url WS --api API` with extra flags; the token from the environment.
fn tail(ws: &str, api: &ApiServer, extra: &[&str]) -> Tail {
    let mut args = vec![
        "tail",
        "--url",
        ws,
        "--workspace",
        WORKSPACE,
        "--api",
        &api.url,
    ];
    args.extend(extra);
    Tail::spawn(&args, TOKEN)
}

fn rows(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .filter(|l| !is_gap(l))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn row_of<'a>(rows: &'a [Value], task: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["task_id"] == task)
        .unwrap_or_else(|| panic!("no row for {task}"))
}

fn route_text<'a>(row: &'a Value, relay: &str) -> &'a str {
    row["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["relay"] == relay)
        .and_then(|r| r["text"].as_str())
        .unwrap_or("")
}

/// Every request was read-only and well-mannered: the token in the header only, the workspace
/// named, never an agent's or a task's identity claimed.
fn assert_polite(log: &[Logged]) {
    assert!(!log.is_empty());
    for r in log {
        assert_eq!(
            r.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert_eq!(r.workspace.as_deref(), Some(WORKSPACE));
        assert!(!r.impersonation, "X-Agent-ID/X-Task-ID sent to {}", r.path);
        assert!(!r.path.contains(TOKEN), "token in a URL: {}", r.path);
    }
}

fn run(args: &[&str]) -> String {
    let out = cmd::run(args, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    assert_safe(&format!("{args:?} stderr"), &stderr, false);
    String::from_utf8(out.stdout).unwrap()
}

fn stop(t: Tail) -> Ended {
    let ended = t.interrupt();
    assert!(!ended.stderr.contains(TOKEN), "token on stderr");
    assert_safe("tail stderr", &ended.stderr, false);
    assert!(!ended.log.contains(TOKEN), "token in the log");
    ended
}

#[tokio::test(flavor = "multi_thread")]
async fn withheld_texts_are_recovered_redacted_everywhere_and_replay_without_the_server() {
    let n = SECRETS.len();
    let a = agent(0);
    let error = |i: usize| format!("run {i} failed: {}{}", hostile(i), SECRETS[i].0);
    // The agent's whole history, newest first: each failed task beside a newer one of the same
    // agent with another text, so a match by recency would pick the wrong row.
    let mut agent_rows = Vec::new();
    for i in 0..n {
        agent_rows.push(row(
            &task(0xdd, i),
            &a,
            Some(&session(i)),
            &format!("decoy {i}"),
            (1, 1, None),
        ));
        agent_rows.push(row(
            &task(0xc0, i),
            &a,
            Some(&session(i)),
            &error(i),
            (1, 1, None),
        ));
    }
    // An issue's runs: a retry child (attempt 2 of 2) and its parent.
    let (parent, child) = (task(0x10, 0), task(0x10, 1));
    let issue_rows = vec![
        row(
            &child,
            &a,
            None,
            "issue run failed again: DB_PASSWORD=Pl4ntedEnvPw",
            (2, 2, Some(&parent)),
        ),
        row(&parent, &a, None, "issue run failed", (1, 2, None)),
    ];
    let agent_path = format!("/api/agents/{a}/tasks");
    let issue_path = format!("/api/issues/{ISSUE}/task-runs");
    let api = ApiServer::start(move |path, _| {
        if path == agent_path {
            Answer::json(json!(agent_rows))
        } else if path == issue_path {
            Answer::json(json!(issue_rows))
        } else {
            Answer::error(404, "not found")
        }
    })
    .await;
    let mut frames: Vec<String> = (0..n)
        .map(|i| chat_failed(&task(0xc0, i), &a, &session(i)))
        .collect();
    frames.push(issue_failed(&child, &a));
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let mut t = tail(
        &ws,
        &api,
        &["--api-wait", "30s", "--record", rec.to_str().unwrap()],
    );
    t.wait_failures(n + 1);
    let ended = stop(t);

    let out = ended.lines.join("\n");
    assert_safe("tail jsonl", &out, true);
    let got = rows(&ended.lines);
    for i in 0..n {
        let r = row_of(&got, &task(0xc0, i));
        let text = r["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no text: {r}"));
        assert!(text.starts_with(&format!("run {i} failed")), "{text}");
        assert_eq!(r["error_origin"], "api", "{r}");
        assert_eq!(r["recovered_from"], "agent_tasks");
        assert_eq!(r["lookup_error"], Value::Null);
        // What the users were told is now the text they got.
        for relay in ["lark", "dingtalk"] {
            let told = route_text(r, relay);
            assert!(told.contains(&format!("run {i} failed")), "{relay}: {told}");
        }
    }
    assert!(
        !out.contains("decoy"),
        "a row matched by recency, not by id"
    );
    let issue = row_of(&got, &child);
    assert_eq!(issue["error_origin"], "api");
    assert_eq!(issue["recovered_from"], "issue_runs");
    assert_eq!(
        issue["server_attempt"],
        json!({"attempt": 2, "max_attempts": 2, "parent_task_id": parent})
    );
    let log = api.requests();
    assert_polite(&log);
    let agent_asks = log
        .iter()
        .filter(|r| r.path.starts_with("/api/agents/"))
        .count();
    assert!(
        agent_asks <= 2,
        "{n} lookups of one agent share its list: {agent_asks} requests"
    );
    assert!(
        ended.stderr.contains(&format!("{} texts recovered", n + 1)),
        "{}",
        ended.stderr
    );

    // The recording keeps the recovered texts, redacted, and replays them with no server at all.
    let recording = std::fs::read_to_string(&rec).unwrap();
    assert_safe("recording", &recording, true);
    assert_eq!(recording.matches(r#""recovered":"#).count(), n + 1);
    drop(api);
    let replay = run(&["tail", "--format", "jsonl", rec.to_str().unwrap()]);
    assert_safe("replay jsonl", &replay, true);
    let lines: Vec<String> = replay.lines().map(str::to_owned).collect();
    let again = rows(&lines);
    for i in 0..n {
        let r = row_of(&again, &task(0xc0, i));
        assert_eq!(r["error_origin"], "api");
        assert_eq!(r["error"], row_of(&got, &task(0xc0, i))["error"]);
    }
    assert_eq!(
        row_of(&again, &child)["server_attempt"],
        issue["server_attempt"]
    );
    let text = run(&["tail", "--format", "text", rec.to_str().unwrap()]);
    assert_safe("replay text", &text, false);
    assert!(text.contains("run 3 failed"), "{text}");
    let summary = run(&["summary", "--format", "json", rec.to_str().unwrap()]);
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_safe("summary json", &summary.to_string(), true);
}

/// `n` chat failures, each of its own agent (so each needs its own request). The server's
/// answer to request `k` is `answer(k, the agent's list)`; the lists' rows hold `error {i}`.
async fn many_agents(
    n: usize,
    answer: impl Fn(usize, Answer) -> Answer + Send + Sync + 'static,
) -> (String, ApiServer) {
    let api = ApiServer::start(move |path, k| {
        let i = (0..n).find(|&i| path == format!("/api/agents/{}/tasks", agent(i)));
        let list = match i {
            Some(i) => Answer::json(json!([row(
                &task(0xc0, i),
                &agent(i),
                Some(&session(i)),
                &format!("error {i}"),
                (1, 1, None)
            )])),
            None => Answer::error(404, "agent not found"),
        };
        answer(k, list)
    })
    .await;
    let frames = (0..n)
        .map(|i| chat_failed(&task(0xc0, i), &agent(i), &session(i)))
        .collect();
    (scripted(vec![Conn::Serve(frames, After::Stay)]).await, api)
}

fn assert_all_recovered(ended: &Ended, n: usize) {
    let got = rows(&ended.lines);
    assert_eq!(got.len(), n);
    for i in 0..n {
        let r = row_of(&got, &task(0xc0, i));
        assert_eq!(r["error_origin"], "api", "{r}");
        assert_eq!(r["error"], format!("error {i}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_request_rate_never_exceeds_the_budget() {
    let (n, budget) = (24, 8);
    let (ws, api) = many_agents(n, |_, list| list).await;
    let mut t = tail(
        &ws,
        &api,
        &["--api-budget", &budget.to_string(), "--api-wait", "30s"],
    );
    t.wait_failures(n);
    let ended = stop(t);
    assert_all_recovered(&ended, n);
    let log = api.requests();
    assert_polite(&log);
    assert_eq!(log.len(), n, "one request per agent, none repeated");
    // Every window of one second, starting at any request, holds at most `budget` of them.
    for first in &log {
        let within = log
            .iter()
            .filter(|r| r.at >= first.at && r.at.duration_since(first.at) < Duration::from_secs(1))
            .count();
        assert!(
            within <= budget,
            "{within} requests within a second, budget {budget}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_retry_after_holds_every_request_for_its_seconds() {
    let n = 3;
    let (ws, api) = many_agents(n, |k, list| match k {
        0 => Answer {
            headers: vec![("retry-after", "2".into())],
            ..Answer::error(429, "too many requests")
        },
        _ => list,
    })
    .await;
    let mut t = tail(&ws, &api, &["--api-wait", "30s"]);
    t.wait_failures(n);
    let ended = stop(t);
    assert_all_recovered(&ended, n);
    let log = api.requests();
    assert_eq!(log.len(), n + 1, "the refused request is asked again, once");
    let waited = log[1].at.duration_since(log[0].at);
    assert!(
        waited >= Duration::from_secs(2),
        "asked again after {waited:?}, told 2 s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_burst_opens_the_circuit_and_a_later_success_closes_it() {
    let n = 8;
    let burst = 5;
    let (ws, api) = many_agents(n, move |k, list| match k < burst {
        true => Answer::error(500, "failed to list agent tasks"),
        false => list,
    })
    .await;
    let mut t = tail(&ws, &api, &["--api-budget", "20", "--api-wait", "60s"]);
    t.wait_failures(n);
    let ended = stop(t);
    assert_all_recovered(&ended, n);
    let log = api.requests();
    // After the burst nothing is asked while the circuit is open (5 s) …
    let quiet = log[burst].at.duration_since(log[burst - 1].at);
    assert!(
        quiet >= Duration::from_secs(5),
        "asked again after {quiet:?} with the circuit open"
    );
    // … then one probe; its success closes the circuit and the rest follow at the budget.
    let rest = log[log.len() - 1].at.duration_since(log[burst].at);
    assert!(
        rest < Duration::from_secs(4),
        "after the probe succeeded the rest took {rest:?}"
    );
    let said = &ended.stderr;
    let opened = said
        .find("not asking until")
        .unwrap_or_else(|| panic!("{said}"));
    let closed = said
        .find("answering again")
        .unwrap_or_else(|| panic!("{said}"));
    assert!(opened < closed, "{said}");
    assert!(
        said.contains("HTTP 500: failed to list agent tasks"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_server_does_not_hold_rows_past_the_bound_and_the_recording_gets_the_text_later() {
    let n = 3;
    // Every answer takes 4 s; rows may wait 1 s.
    let (ws, api) = many_agents(n, |_, list| Answer {
        delay: Duration::from_secs(4),
        ..list
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("slow.jsonl");
    let mut t = tail(
        &ws,
        &api,
        &["--api-wait", "1s", "--record", rec.to_str().unwrap()],
    );
    t.wait_failures(n);
    // Printed before any answer could come: as the wire had them.
    for r in rows(&t.seen) {
        assert_eq!(r["error_origin"], "withheld", "{r}");
    }
    // The answers still arrive, and the recording keeps them.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&rec)
        .unwrap_or_default()
        .matches(r#""recovered":"#)
        .count()
        < n
    {
        assert!(
            std::time::Instant::now() < deadline,
            "recovered texts never recorded"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop(t);
    let replay = run(&["tail", "--format", "jsonl", rec.to_str().unwrap()]);
    let lines: Vec<String> = replay.lines().map(str::to_owned).collect();
    for (i, r) in rows(&lines).iter().enumerate() {
        assert_eq!(
            r["error"],
            format!("error {i}"),
            "the replay waits for what the live run learnt"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_is_said_once_and_nothing_more_is_asked() {
    let n = 4;
    let (ws, api) = many_agents(n, |_, _| Answer::error(401, "invalid token")).await;
    let mut t = tail(&ws, &api, &["--api-wait", "10s"]);
    t.wait_failures(n);
    let ended = stop(t);
    assert_eq!(api.requests().len(), 1, "a refused token asks nothing more");
    for r in rows(&ended.lines) {
        let why = r["lookup_error"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(
            why.contains("HTTP 401") && why.contains("member's PAT"),
            "{why}"
        );
        assert_eq!(r["error_origin"], "withheld");
    }
    assert_eq!(
        ended.stderr.matches("refused the token").count(),
        1,
        "{}",
        ended.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_403_on_the_agents_tasks_falls_back_to_the_chats_messages() {
    let a = agent(7);
    let (s0, s1, s2) = (session(0), session(1), session(2));
    let (t0, t1, t2) = (task(0xc0, 0), task(0xc0, 1), task(0xc0, 2));
    let messages = |s: &str, t: &str, failed: bool| {
        let mut m = vec![user_message(t, s)];
        if failed {
            m.push(failure_message(
                t,
                s,
                &format!("chat {t} failed: token [REDACTED]"),
            ));
        }
        json!(m)
    };
    let (m0, m1, m2) = (
        messages(&s0, &t0, true),
        messages(&s1, &t1, true),
        messages(&s2, &t2, false),
    );
    let paths =
        [s0.clone(), s1.clone(), s2.clone()].map(|s| format!("/api/chat/sessions/{s}/messages"));
    let api = ApiServer::start(move |path, _| {
        if path.starts_with("/api/agents/") {
            Answer::error(403, "you do not have access to this agent")
        } else if path == paths[0] {
            Answer::json(m0.clone())
        } else if path == paths[1] {
            Answer::json(m1.clone())
        } else if path == paths[2] {
            // A failure the sweeper found: the server wrote no failure message.
            Answer::json(m2.clone())
        } else {
            Answer::error(404, "chat session not found")
        }
    })
    .await;
    let frames = vec![
        chat_failed(&t0, &a, &s0),
        chat_failed(&t1, &a, &s1),
        chat_failed(&t2, &a, &s2),
    ];
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let mut t = tail(&ws, &api, &["--api-wait", "20s"]);
    t.wait_failures(3);
    let ended = stop(t);
    let got = rows(&ended.lines);
    for (task, s) in [(&t0, &s0), (&t1, &s1)] {
        let r = row_of(&got, task);
        assert_eq!(r["error_origin"], "api", "{r}");
        assert_eq!(r["recovered_from"], "chat_messages");
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .starts_with(&format!("chat {task} failed")),
            "{r}"
        );
        assert_eq!(r["chat_session_id"], json!(s));
    }
    let swept = row_of(&got, &t2);
    let why = swept["lookup_error"]
        .as_str()
        .unwrap_or_else(|| panic!("{swept}"));
    assert!(why.contains("no failure message"), "{why}");
    let log = api.requests();
    assert_polite(&log);
    let agent_asks = log
        .iter()
        .filter(|r| r.path.starts_with("/api/agents/"))
        .count();
    assert_eq!(agent_asks, 1, "a 403 on the agent is remembered");
    assert_eq!(
        ended.stderr.matches("agents' task lists: 403").count(),
        1,
        "{}",
        ended.stderr
    );
}

const MIB: usize = 1 << 20;
/// An answer is read up to this, then cut.
const ANSWER_CAP: usize = 8 * MIB;
/// What may be handed to a connection the client stopped reading: the socket buffers of both
/// ends and the server's own.
const SLACK: usize = 24 * MIB;

/// A completed task's row of about 2 KB (the agent's output in `result`), not one looked up.
fn filler(agent: &str, i: usize) -> String {
    let output = "x".repeat(2000);
    format!(
        r#"{{"id":"{}","agent_id":"{agent}","status":"completed","error":null,"result":{{"output":"{output}"}},"kind":"chat"}}"#,
        task(0xee, i)
    )
}

/// `summary --format json` of a recording: its `texts_cut`.
fn texts_cut_in(recording: &std::path::Path) -> u64 {
    let summary = run(&["summary", "--format", "json", recording.to_str().unwrap()]);
    let summary: Value = serde_json::from_str(&summary).unwrap();
    summary["texts_cut"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_error_text_in_an_answer_is_cut_and_counted_live_and_from_the_recording() {
    // A 5 MB text in a whole answer is cut to its 64 KiB; a 20 MB one makes the answer pass its
    // cap and is lost with the rest. Both are counted as texts cut, live and in a replay.
    let (a5, a20) = (agent(5), agent(20));
    let (t5, t20) = (task(0xc0, 5), task(0xc0, 20));
    let huge = |mb: usize| {
        format!(
            "stack overflow {}",
            "frame at main.rs:1 ".repeat(mb * MIB / 19)
        )
    };
    let list5 = json!([row(&t5, &a5, Some(&session(5)), &huge(5), (1, 1, None))]);
    let list20 = json!([row(&t20, &a20, Some(&session(20)), &huge(20), (1, 1, None))]);
    let (p5, p20) = (
        format!("/api/agents/{a5}/tasks"),
        format!("/api/agents/{a20}/tasks"),
    );
    let api = ApiServer::start(move |path, _| {
        if path == p5 {
            Answer::json(list5.clone())
        } else if path == p20 {
            Answer::json(list20.clone())
        } else {
            Answer::error(404, "chat session not found")
        }
    })
    .await;
    let frames = vec![
        chat_failed(&t5, &a5, &session(5)),
        chat_failed(&t20, &a20, &session(20)),
    ];
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("huge.jsonl");
    let mut t = tail(
        &ws,
        &api,
        &["--api-wait", "30s", "--record", rec.to_str().unwrap()],
    );
    t.wait_failures(2);
    let ended = stop(t);
    let got = rows(&ended.lines);
    let r = row_of(&got, &t5);
    assert_eq!(r["error_origin"], "api", "{r}");
    let text = r["error"].as_str().unwrap();
    assert!(text.starts_with("stack overflow") && text.len() < 70 * 1024);
    assert!(text.ends_with("bytes cut]"), "{}", &text[text.len() - 60..]);
    let why = row_of(&got, &t20)["lookup_error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(why.contains("answer cut at 8 MiB"), "{why}");
    assert!(ended.stderr.contains(" 2 texts cut"), "{}", ended.stderr);

    assert_eq!(texts_cut_in(&rec), 2);
    let replay = run(&["tail", "--format", "jsonl", rec.to_str().unwrap()]);
    let lines: Vec<String> = replay.lines().map(str::to_owned).collect();
    let again = rows(&lines);
    assert_eq!(
        row_of(&again, &t5)["error"],
        r["error"],
        "one mark, as recorded"
    );
    assert_eq!(row_of(&again, &t20)["lookup_error"], json!(why));
}

/// An upstream `task:failed` for an issue task of `issue`, its system comment never seen.
fn issue_failed_in(task: &str, agent: &str, issue: &str) -> String {
    json!({"type": "task:failed", "actor_type": "system", "actor_id": "", "payload": {
        "agent_id": agent, "failure_reason": "agent_error.process_failure", "issue_id": issue,
        "retry_pending": false, "status": "failed", "task_id": task}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_would_change_the_path_are_never_put_in_a_url() {
    let api = ApiServer::start(|_, _| Answer::json(json!([]))).await;
    let frames = vec![
        issue_failed_in(&task(0x30, 0), &agent(0), ".."),
        chat_failed(&task(0x30, 1), "..", "."),
        chat_failed(&task(0x30, 2), "a/../b", "%2e%2e"),
        chat_failed(&task(0x30, 3), "..\\..", ".%2E"),
    ];
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let mut t = tail(&ws, &api, &["--api-wait", "10s"]);
    t.wait_failures(4);
    let ended = stop(t);
    assert!(
        api.requests().is_empty(),
        "asked: {:?}",
        api.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let got = rows(&ended.lines);
    assert_eq!(got.len(), 4);
    for r in &got {
        let why = r["lookup_error"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(
            why.contains("cannot be put in a URL") && why.ends_with("not asked"),
            "{why}"
        );
    }
    let why = row_of(&got, &task(0x30, 0))["lookup_error"]
        .as_str()
        .unwrap();
    assert!(why.contains(r#"issue id "..""#), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_past_its_cap_is_read_no_further_its_rows_before_the_cut_are_used_and_the_cut_is_said(
) {
    // Two agents' unpaginated task lists of 300 MB each: one lists the failed task first (as
    // the server does, newest first), the other never lists it.
    let (lost, found) = (agent(0), agent(1));
    let (t_lost, t_found) = (task(0xc0, 0), task(0xc0, 1));
    let (lost_path, found_path) = (
        format!("/api/agents/{lost}/tasks"),
        format!("/api/agents/{found}/tasks"),
    );
    let head = row(
        &t_found,
        &found,
        Some(&session(1)),
        "exit 137: out of memory",
        (1, 1, None),
    )
    .to_string();
    let api = ApiServer::start(move |path, _| {
        if path == lost_path {
            let a = lost.clone();
            Answer::streamed(300 * MIB, move |i| filler(&a, i))
        } else if path == found_path {
            let (a, head) = (found.clone(), head.clone());
            Answer::streamed(300 * MIB, move |i| match i {
                0 => head.clone(),
                _ => filler(&a, i),
            })
        } else {
            Answer::error(404, "chat session not found")
        }
    })
    .await;
    let frames = vec![
        chat_failed(&t_lost, &agent(0), &session(0)),
        chat_failed(&t_found, &agent(1), &session(1)),
    ];
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("cut.jsonl");
    let mut t = tail(
        &ws,
        &api,
        &["--api-wait", "30s", "--record", rec.to_str().unwrap()],
    );
    t.wait_failures(2);
    let ended = stop(t);

    // The client stopped reading at its cap: not the 600 MB offered.
    let served = api.served();
    assert!(
        served < 2 * (ANSWER_CAP + SLACK),
        "{} MiB served for two answers cut at 8 MiB",
        served / MIB
    );
    let got = rows(&ended.lines);
    let r = row_of(&got, &t_found);
    assert_eq!(r["error_origin"], "api", "the row before the cut: {r}");
    assert_eq!(r["error"], "exit 137: out of memory");
    let r = row_of(&got, &t_lost);
    assert_eq!(r["error_origin"], "withheld", "{r}");
    let why = r["lookup_error"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(
        why.contains("answer cut at 8 MiB") && why.contains("the agent's task list"),
        "{why}"
    );
    let said = &ended.stderr;
    assert!(said.contains("answers past 8 MiB are cut"), "{said}");
    assert!(said.contains("2 answers cut at 8 MiB"), "{said}");
    // The text that may have been in what was not read counts as a text cut.
    assert!(said.contains(" 1 texts cut"), "{said}");
    assert_eq!(texts_cut_in(&rec), 1, "the recording reads back as cut");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_redirect_hop_takes_a_token_of_the_budget_and_a_loop_ends() {
    let (n, budget) = (4, 5);
    let issues: Vec<String> = (0..n)
        .map(|i| format!("0198c7ff-1111-7222-8333-{i:012}"))
        .collect();
    // Every path redirects to itself.
    let api = ApiServer::start(|path, _| Answer::redirect(302, path)).await;
    let frames = (0..n)
        .map(|i| issue_failed_in(&task(0x20, i), &agent(0), &issues[i]))
        .collect();
    let ws = scripted(vec![Conn::Serve(frames, After::Stay)]).await;
    let mut t = tail(
        &ws,
        &api,
        &["--api-budget", &budget.to_string(), "--api-wait", "30s"],
    );
    t.wait_failures(n);
    let ended = stop(t);
    let log = api.requests();
    assert_polite(&log);
    assert_eq!(log.len(), n * 6, "each chain: the request and 5 hops");
    for first in &log {
        let within = log
            .iter()
            .filter(|r| r.at >= first.at && r.at.duration_since(first.at) < Duration::from_secs(1))
            .count();
        assert!(
            within <= budget,
            "{within} requests within a second, budget {budget}"
        );
    }
    for r in rows(&ended.lines) {
        let why = r["lookup_error"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(why.contains("redirected more than 5 times"), "{why}");
    }
    assert!(
        ended
            .stderr
            .contains("redirects are followed only on the API's own origin"),
        "{}",
        ended.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_another_origin_is_not_followed_and_the_lookup_says_so() {
    let a = agent(0);
    let t0 = task(0x10, 0);
    let list = json!([row(&t0, &a, None, "would be found elsewhere", (1, 1, None))]);
    let other = ApiServer::start(move |_, _| Answer::json(list.clone())).await;
    let elsewhere = other.url.clone();
    let api = ApiServer::start(move |path, n| {
        // A 307 keeps the method and asks the client to come back; a 302 to another port.
        let status = if n % 2 == 0 { 307 } else { 302 };
        Answer::redirect(status, &format!("{elsewhere}{path}?token=from-the-server"))
    })
    .await;
    let ws = scripted(vec![Conn::Serve(vec![issue_failed(&t0, &a)], After::Stay)]).await;
    let mut t = tail(&ws, &api, &["--api-wait", "20s"]);
    t.wait_failures(1);
    let ended = stop(t);
    assert!(
        other.requests().is_empty(),
        "followed to another origin: {:?}",
        other.requests()
    );
    assert_eq!(
        api.requests().len(),
        1,
        "not asked again: it would be sent the same way"
    );
    let r = &rows(&ended.lines)[0];
    assert_eq!(r["error"], Value::Null, "{r}");
    let why = r["lookup_error"].as_str().unwrap_or_else(|| panic!("{r}"));
    let origin = other.url.trim_end_matches('/');
    assert!(
        why.contains(&format!("redirected to another origin ({origin})"))
            && why.contains("not followed"),
        "{why}"
    );
    assert!(
        !why.contains("from-the-server"),
        "only the origin is said: {why}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_of_ten_to_the_twelfth_is_capped_at_five_minutes_and_the_pause_is_said() {
    let n = 2;
    let (ws, api) = many_agents(n, |_, _| Answer {
        headers: vec![("retry-after", "1000000000000".into())],
        ..Answer::error(429, "too many requests")
    })
    .await;
    let mut t = tail(&ws, &api, &["--api-wait", "2s"]);
    t.wait_failures(n);
    let ended = stop(t);
    assert_eq!(api.requests().len(), 1, "one 429 holds every request");
    let said = &ended.stderr;
    let line = said
        .lines()
        .find(|l| l.contains("not asking until"))
        .unwrap_or_else(|| panic!("the pause is not said: {said}"));
    assert!(
        line.contains("Retry-After asked for longer: capped at 5 min"),
        "{line}"
    );
    // Until about five minutes from now, not 31,000 years.
    let at = line.split("not asking until ").nth(1).unwrap();
    let hms: Vec<u64> = at[..8].split(':').map(|x| x.parse().unwrap()).collect();
    let until = hms[0] * 3600 + hms[1] * 60 + hms[2];
    let now = chrono::Utc::now().timestamp() as u64 % 86_400;
    let ahead = (until + 86_400 - now) % 86_400;
    assert!(
        (240..=310).contains(&ahead),
        "paused {ahead} s ahead: {line}"
    );
    assert!(
        said.contains("; paused until") && said.contains("2 still waiting"),
        "{said}"
    );
}
