//! Hostile input through every headless output: control sequences, invisible format characters,
//! line feeds and planted secrets of every class, in every field a server controls (ids, the
//! remembered session, reasons, type names, errors, chat content, comments). Nothing raw and
//! nothing secret may reach `tail` (text and JSON Lines, both languages), `summary` (table and
//! JSON), or a recording made without `--record-raw`.

use std::process::Command;

use serde_json::{json, Value};
use support::hub::{scripted, After, Conn};

mod support;

/// The 18 control payloads: CSI SGR, DSR, title report, OSC 0, OSC 52, OSC 8, DCS, APC, RIS,
/// C1 CSI, C1 OSC, NEL, RLO, RLI, BS, CR, DEL, NUL.
const CONTROLS: [&str; 18] = [
    "\u{1b}[31;41m",
    "\u{1b}[5n",
    "\u{1b}[21t",
    "\u{1b}]0;PWNED-TITLE\u{7}",
    "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "\u{1b}]8;;http://evil.example/\u{1b}\\",
    "\u{1b}P+q544e\u{1b}\\",
    "\u{1b}_apc\u{1b}\\",
    "\u{1b}c",
    "\u{9b}2J",
    "\u{9d}0;t\u{9c}",
    "\u{85}",
    "\u{202e}",
    "\u{2067}",
    "\u{8}",
    "\r",
    "\u{7f}",
    "\u{0}",
];

/// The 6 invisible format characters: LRM, RLM, ALM, ZWSP, BOM, LINE SEPARATOR.
const FORMATS: [char; 6] = [
    '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{feff}', '\u{2028}',
];

/// Planted secrets, one per class, each with the part that must never be seen.
const SECRETS: &[(&str, &str)] = &[
    (
        "mul_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
        "0a1b2c3d4e5f6071",
    ),
    ("mdt_Hq3xY8w1Lk9PqRs7Tu2Vw4Xz", "Hq3xY8w1Lk9P"),
    ("ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0Ed9Cb8", "Zx9Yw8Vu7Ts6"),
    ("sk-ant-api03-Qw3rTy6uIo9pAs2dFg5hJk8l", "Qw3rTy6uIo9p"),
    ("AKIAQWERTYUIOPASDFGH", "QWERTYUIOPASDFGH"),
    ("ASIAZXCVBNMASDFGHJKL", "ZXCVBNMASDFGHJKL"),
    ("redis://:Pl4ntedRedisPw@cache:6379", "Pl4ntedRedisPw"),
    (
        "https://0f1e2d3c4b5a69788796a5b4c3d2e1f0@github.com/o/r",
        "0f1e2d3c4b5a6978",
    ),
    ("postgres://svc:Pl4ntedDbPw@db:5432/app", "Pl4ntedDbPw"),
    ("DB_PASSWORD=Pl4ntedEnvPw", "Pl4ntedEnvPw"),
    (r#"{"secret_key":"Pl4ntedJsonKey"}"#, "Pl4ntedJsonKey"),
    ("password%3DPl4ntedPctPw", "Pl4ntedPctPw"),
    ("/home/pl4nteduser/.env", "pl4nteduser"),
    (r"C:\Users\pl4ntedwin\x", "pl4ntedwin"),
    (
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJwbDRudGVkIn0.",
        "eyJzdWIiOiJwbDRudGVkIn0",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1wbDRudGVkS2V5",
        "b3BlbnNzaC1wbDRudGVk",
    ),
    ("Bearer Pl4ntedBearerTok3n", "Pl4ntedBearerTok3n"),
    (
        "sk-ant-api03-Sp\u{200b}litByZwspPl4nted99",
        "litByZwspPl4nted99",
    ),
];

fn hostile(i: usize) -> String {
    let controls: String = CONTROLS.concat();
    let formats: String = FORMATS.iter().collect();
    format!("x{i} {controls}{formats}\nINJECTED ")
}

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

fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{61c}' | '\u{feff}'
        )
}

/// Every string of a JSON value, keys included.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// No forbidden character, no secret, no injected line: in the bytes as written and, for
/// JSON, in every decoded string too.
fn assert_safe(what: &str, text: &str, json_lines: bool) {
    let mut texts = vec![text.to_owned()];
    if json_lines {
        for line in text.lines() {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
            strings(&v, &mut texts);
        }
    }
    for t in &texts {
        if let Some(c) = t.chars().find(|&c| forbidden(c)) {
            panic!("{what}: {c:?} reached the output in {t:?}");
        }
        for (_, must_not) in SECRETS {
            assert!(!t.contains(must_not), "{what}: secret {must_not} in {t:?}");
        }
    }
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("INJECTED"),
            "{what}: a line was injected: {line:?}"
        );
    }
}

fn run(args: &[&str], file: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_failwatch"))
        .args(args)
        .arg(file)
        .output()
        .unwrap();
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
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_failwatch"))
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
        .env("XDG_STATE_HOME", state.path())
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
    let log =
        std::fs::read_to_string(state.path().join("failwatch/failwatch.log")).unwrap_or_default();
    assert_safe("log", &log, false);
}
