//! Hostile input through every headless output: control sequences, invisible format characters,
//! line feeds and planted secrets of every class, in every field a server controls (ids, the
//! remembered session, reasons, type names, errors, chat content, comments). Nothing raw and
//! nothing secret may reach `tail` (text and JSON Lines, both languages), `summary` (table and
//! JSON), or a recording made without `--record-raw`.

use serde_json::{json, Value};
use support::cmd::{failwatch, State};
use support::hub::{scripted, After, Conn};
use support::secrets::{assert_safe, forbidden, hostile, strings, SECRETS};

mod support;

/// One round of frames per planted secret, the secret in a different field each time.
fn frames() -> Vec<String> {
    let mut out = Vec::new();
    for (i, (secret, _)) in SECRETS.iter().enumerate() {
        let h = hostile(i);
        let session = format!("sess{i} {h}{secret}");
        // The session is remembered from task:queued; the failure arrives without it.
        out.push(json!({"type": "task:queued", "payload": {"task_id": format!("q{i}"), "agent_id": "a", "issue_id": "", "chat_session_id": session}}).to_string());
        out.push(json!({"type": "chat:message", "payload": {"task_id": format!("q{i}"), "chat_session_id": session, "content": format!("{h}{secret}")}}).to_string());
        out.push(json!({"type": "task:failed", "payload": {
            "task_id": format!("q{i}"), "agent_id": format!("{h}{secret}"), "issue_id": "", "status": "failed",
            "failure_reason": format!("r{i} {h}{secret}"), "error": format!("boom {h}{secret}"),
        }}).to_string());
        // An issue task: its error comes from the system comment just before.
        let task = format!("i{i} {h}{secret}");
        out.push(json!({"type": "comment:created", "payload": {"comment": {"type": "system", "author_type": "agent", "source_task_id": task, "content": format!("{h}{secret}")}}}).to_string());
        out.push(json!({"type": "task:failed", "payload": {
            "task_id": task, "agent_id": "a", "issue_id": format!("{h}{secret}"), "chat_session_id": "",
            "status": "failed", "failure_reason": secret, "retry_pending": false,
        }}).to_string());
        out.push(json!({"type": format!("evil:{h}{secret}"), "payload": {}}).to_string());
        out.push(json!({"type": "task:failed", "payload": "retry_pending"}).to_string());
        out.push(
            json!({"type": "task:failed", "payload": {"task_id": "w", "retry_pending": secret}})
                .to_string(),
        );
    }
    out
}

fn run(args: &[&str], file: &std::path::Path) -> String {
    let out = failwatch().args(args).arg(file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    assert_safe(&format!("{args:?} stderr"), &stderr, false);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn nothing_raw_and_nothing_secret_reaches_any_headless_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.jsonl");
    std::fs::write(&path, frames().join("\n") + "\n").unwrap();
    let n = SECRETS.len();

    for lang in ["en", "zh"] {
        let text = run(&["tail", "--format", "text", "--lang", lang], &path);
        assert_safe("tail text", &text, false);
        assert_eq!(text.lines().count(), 2 * n, "one line per failure: {text}");
        let jsonl = run(&["tail", "--format", "jsonl", "--lang", lang], &path);
        assert_safe("tail jsonl", &jsonl, true);
        assert_eq!(jsonl.lines().count(), 2 * n);
        let table = run(&["summary", "--format", "table", "--lang", lang], &path);
        assert_safe("summary table", &table, false);
    }
    let summary = run(&["summary", "--format", "json"], &path);
    assert_safe("summary json", &summary, false);
    let v: Value = serde_json::from_str(&summary).unwrap();
    let mut all = Vec::new();
    strings(&v, &mut all);
    for t in &all {
        assert!(!t.chars().any(forbidden), "summary json: {t:?}");
        for (_, s) in SECRETS {
            assert!(!t.contains(s), "summary json: {s} in {t:?}");
        }
    }
    // The remembered sessions were found, cleaned: the failures are not orphans.
    assert_eq!(v["sessions"].as_object().unwrap().len(), n, "{summary}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_keeps_no_secret_and_no_control_character() {
    let url = scripted(vec![Conn::Serve(frames(), After::Stay)]).await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let state = State::fresh();
    let mut child = state
        .failwatch()
        .args([
            "tail",
            "--url",
            &url,
            "--workspace",
            "w",
            "--no-api",
            "--record",
        ])
        .arg(&rec)
        .env("FAILWATCH_TOKEN", "t")
        // The most verbose level: a wrong-typed field's value must not reach the log either.
        .env("FAILWATCH_LOG", "trace")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let want = frames().len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_to_string(&rec).map_or(0, |t| t.lines().count()) < want + 1 {
        assert!(std::time::Instant::now() < deadline, "recording incomplete");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let recording = std::fs::read_to_string(&rec).unwrap();
    assert_safe("recording", &recording, true);
    assert!(!recording.contains("\\u001b"), "no escaped ESC either");
    // And what was recorded replays to the same count of failures.
    let replay = run(&["summary", "--format", "json"], &rec);
    let v: Value = serde_json::from_str(&replay).unwrap();
    assert_eq!(v["failures"], 2 * SECRETS.len());
    assert_safe("log", &state.log(), false);
}
