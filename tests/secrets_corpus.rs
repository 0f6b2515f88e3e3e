//! Every kind of secret in every field a server controls, through every headless output: the
//! secret's tag must appear in none of them, neither in the bytes written nor in any string a
//! JSON output decodes to. A failure lists each output with the secrets it showed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::cmd::failwatch;
use support::corpus::{secret, KINDS};
use support::hub::{scripted, After, Conn};

mod support;

/// Where a secret is planted: every field of a frame a server writes.
const FIELDS: [&str; 13] = [
    "failure_reason",
    "task_id",
    "agent_id",
    "issue_id",
    "chat_session_id",
    "remembered_session",
    "event_type",
    "error",
    "error_message",
    "system_comment",
    "status",
    "actor_id",
    "event_id",
];

/// The frames planting kind `k` in field `f`.
fn planted(k: usize, f: usize) -> (Vec<Value>, String) {
    let (s, tag) = secret(k, f);
    let task = format!("t{k}x{f}");
    let mut payload = json!({
        "task_id": task, "agent_id": "a1", "issue_id": "", "chat_session_id": format!("s{k}x{f}"),
        "status": "failed", "failure_reason": "agent_error", "error": format!("plain error {k} {f}"),
        "retry_pending": false,
    });
    let mut envelope = json!({"type": "task:failed", "actor_id": "", "actor_type": "system"});
    let mut before = Vec::new();
    match FIELDS[f] {
        "remembered_session" => {
            payload.as_object_mut().unwrap().remove("chat_session_id");
            before.push(json!({"type": "task:queued", "payload": {
                "task_id": task, "agent_id": "a1", "issue_id": "", "chat_session_id": s}}));
        }
        "event_type" => before.push(json!({"type": format!("x:{s}"), "payload": {}})),
        "error_message" => {
            payload.as_object_mut().unwrap().remove("error");
            payload["error_message"] = json!(s);
        }
        "system_comment" => {
            payload.as_object_mut().unwrap().remove("error");
            payload["issue_id"] = json!("i1");
            payload["chat_session_id"] = json!("");
            before.push(json!({"type": "comment:created", "payload": {"comment": {
                "type": "system", "author_type": "agent", "source_task_id": task,
                "issue_id": "i1", "content": s}}}));
        }
        "actor_id" | "event_id" => envelope[FIELDS[f]] = json!(s),
        field => payload[field] = json!(s),
    }
    envelope["payload"] = payload;
    before.push(envelope);
    (before, tag)
}

/// Every placement's frames, and each tag with its (kind, field).
fn corpus() -> (Vec<String>, BTreeMap<String, (usize, usize)>) {
    let mut frames = Vec::new();
    let mut tags = BTreeMap::new();
    for k in 0..KINDS.len() {
        for f in 0..FIELDS.len() {
            let (more, tag) = planted(k, f);
            frames.extend(more.iter().map(Value::to_string));
            assert!(tags.insert(tag, (k, f)).is_none(), "tags are unique");
        }
    }
    (frames, tags)
}

/// Every string of a JSON output (one document, or JSON Lines), keys included.
fn decoded(text: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                out.push(k.clone());
                walk(x, out)
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(text) {
        Ok(v) => walk(&v, &mut out),
        Err(_) => text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .for_each(|v| walk(&v, &mut out)),
    }
    out
}

/// The placements whose tag `text` shows.
fn shown(
    text: &str,
    json: bool,
    tags: &BTreeMap<String, (usize, usize)>,
) -> BTreeSet<(usize, usize)> {
    let mut texts = vec![text.to_owned()];
    if json {
        texts.extend(decoded(text));
    }
    tags.iter()
        .filter(|(tag, _)| texts.iter().any(|t| t.contains(tag.as_str())))
        .map(|(_, at)| *at)
        .collect()
}

fn run(args: &[&str]) -> (String, String) {
    let out = failwatch().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 5)),
        "{args:?}: {stderr}"
    );
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// A port nothing listens on (free when asked; the binary binds it right after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The body of `GET /metrics`, once something answers.
fn scrape(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    Some(text.split_once("\r\n\r\n")?.1.to_owned())
}

/// The sum of a counter family's samples.
fn total(body: &str, family: &str) -> f64 {
    body.lines()
        .filter(|l| l.starts_with(family) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `tail --url` recording the corpus from a live server: its recording and its output.
fn live_tail(url: &str, rec: &Path, frames: usize) -> (String, String) {
    let mut child = failwatch()
        .args(["tail", "--url", url, "--workspace", "w", "--no-api"])
        .args(["--server", "upstream", "--format", "jsonl", "--record"])
        .arg(rec)
        .env("FAILWATCH_TOKEN", "corpus-token-0123456789")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    wait_until("the recording", || {
        std::fs::read_to_string(rec).map_or(0, |t| t.lines().count()) > frames
    });
    child.kill().unwrap();
    child.wait().unwrap();
    (
        std::fs::read_to_string(rec).unwrap(),
        reader.join().unwrap(),
    )
}

/// `watch --url --metrics` on the corpus from a live server: the exposition once every frame
/// is counted.
fn live_metrics(url: &str, config: &Path, frames: usize) -> String {
    let port = free_port();
    let mut child = failwatch()
        .args([
            "watch",
            "--url",
            url,
            "--workspace",
            "w",
            "--server",
            "upstream",
        ])
        .arg("--config")
        .arg(config)
        .args(["--metrics", &format!("127.0.0.1:{port}")])
        .env("FAILWATCH_TOKEN", "corpus-token-0123456789")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut body = String::new();
    wait_until("every frame counted", || {
        body = scrape(port).unwrap_or_default();
        total(&body, "failwatch_frames_total") >= frames as f64
    });
    child.kill().unwrap();
    child.wait().unwrap();
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_of_any_kind_in_any_field_reaches_any_headless_output() {
    let (frames, tags) = corpus();
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("corpus.jsonl");
    std::fs::write(&capture, frames.join("\n") + "\n").unwrap();
    let benign = dir.path().join("benign.jsonl");
    std::fs::write(
        &benign,
        r#"{"type":"task:failed","payload":{"task_id":"b1","agent_id":"a1","issue_id":"","status":"failed","failure_reason":"timeout","retry_pending":false}}"#.to_owned() + "\n",
    )
    .unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[alerts]]\nname = \"any\"\ncount = 1\nwindow = \"30d\"\n\n[[alerts]]\nname = \"new\"\nnew_group = true\n\n[[alerts]]\nname = \"lost\"\nlost = true\n",
    )
    .unwrap();
    let never = dir.path().join("never.toml");
    std::fs::write(
        &never,
        "[[alerts]]\nname = \"never\"\nfilter = \"reason:no_such_reason\"\ncount = 100000\nwindow = \"1m\"\n",
    )
    .unwrap();
    let (cap, ben, rul) = (
        capture.to_str().unwrap(),
        benign.to_str().unwrap(),
        rules.to_str().unwrap(),
    );

    let mut outputs: Vec<(String, String, bool)> = Vec::new();
    for (name, args, json) in [
        ("tail jsonl", vec!["tail", "--format", "jsonl", cap], true),
        ("tail text", vec!["tail", "--format", "text", cap], false),
        (
            "summary json",
            vec!["summary", "--format", "json", cap],
            true,
        ),
        (
            "summary table",
            vec!["summary", "--format", "table", cap],
            false,
        ),
        (
            "diff json",
            vec!["diff", "--format", "json", ben, cap],
            true,
        ),
        (
            "diff table",
            vec!["diff", "--format", "table", ben, cap],
            false,
        ),
        (
            "watch text",
            vec!["watch", "--format", "text", "--config", rul, cap],
            false,
        ),
        (
            "watch jsonl",
            vec!["watch", "--format", "jsonl", "--config", rul, cap],
            true,
        ),
    ] {
        let (stdout, stderr) = run(&args);
        assert!(!stdout.is_empty(), "{name} printed nothing");
        outputs.push((name.to_owned(), stdout, json));
        outputs.push((format!("{name} stderr"), stderr, false));
    }

    let url = scripted(vec![
        Conn::Serve(frames.clone(), After::Stay),
        Conn::Serve(frames.clone(), After::Stay),
    ])
    .await;
    let rec = dir.path().join("rec.jsonl");
    let (url2, never2, n) = (url.clone(), never.clone(), frames.len());
    let (recording, live) = tokio::task::spawn_blocking(move || live_tail(&url2, &rec, n))
        .await
        .unwrap();
    outputs.push(("--record capture".into(), recording, true));
    outputs.push(("live tail jsonl".into(), live, true));
    let metrics = tokio::task::spawn_blocking(move || live_metrics(&url, &never2, n))
        .await
        .unwrap();
    outputs.push(("metrics".into(), metrics, false));

    let mut report = String::new();
    let mut leaked_kinds = BTreeSet::new();
    for (name, text, json) in &outputs {
        let leaks = shown(text, *json, &tags);
        if leaks.is_empty() {
            continue;
        }
        leaked_kinds.extend(leaks.iter().map(|(k, _)| *k));
        let mut by_kind: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for (k, f) in &leaks {
            by_kind.entry(*k).or_default().push(FIELDS[*f]);
        }
        report.push_str(&format!("{name}: {} placements\n", leaks.len()));
        for (k, fields) in by_kind {
            report.push_str(&format!("  {}: {}\n", KINDS[k].name, fields.join(" ")));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} kinds leaked ({} placements each output could show):\n{report}",
        leaked_kinds.len(),
        KINDS.len(),
        tags.len()
    );
}
