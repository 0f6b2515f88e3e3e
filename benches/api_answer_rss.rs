//! Peak memory of `failwatch tail --url … --api …` when the REST API answers a lookup with a
//! huge unpaginated task list (100 MB and 300 MB, made as they are sent, the task never in
//! them): rows of 2 KB (completed tasks with their output, little of which is kept once
//! parsed), or rows of about 120 bytes (failed tasks with their error, all of it kept). Peak
//! RSS from `/usr/bin/time -v`, and how much of the answer the server handed over before the
//! client stopped reading. `FAILWATCH_PEER=/path/to/failwatch` measures another build beside
//! ours. `cargo bench --bench api_answer_rss`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

#[path = "../tests/support/api.rs"]
#[allow(dead_code)]
mod api_server;

const MB: usize = 1_000_000;
const AGENT: &str = "3f6e2a10-8b4c-4d7e-9a1f-000000000001";
const TASK: &str = "0198c8a2-5b1e-7c3d-9e4f-c00000000001";
const SESSION: &str = "c0ffee00-1234-4abc-8def-000000000001";
/// A lookup ends by then, or the run is measured as it stands.
const WAIT: Duration = Duration::from_secs(120);

/// A hub that sends one withheld chat failure to each client, then stays open.
async fn hub() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let frame = serde_json::json!({"type": "task:failed", "actor_type": "system", "actor_id": "",
        "payload": {"agent_id": AGENT, "chat_session_id": SESSION, "issue_id": "",
        "failure_reason": "agent_error.process_failure", "retry_pending": false,
        "status": "failed", "task_id": TASK}})
    .to_string();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let frame = frame.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.next().await;
                let _ = ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await;
                let _ = ws.send(Message::text(frame)).await;
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    format!("ws://{addr}/ws")
}

#[derive(Clone, Copy)]
enum Rows {
    /// Completed tasks, the agent's output in `result`: 2 KB each.
    Large,
    /// Failed tasks with a short error: about 120 bytes each, every one kept once parsed.
    Small,
}

/// The API: the agent's task list is `size` bytes of rows of other tasks; anything else is
/// not found.
async fn api(size: usize, rows: Rows) -> api_server::ApiServer {
    let path = format!("/api/agents/{AGENT}/tasks");
    let output = "x".repeat(2000);
    api_server::ApiServer::start(move |p, _| {
        if p != path {
            return api_server::Answer::error(404, "chat session not found");
        }
        let output = output.clone();
        api_server::Answer::streamed(size, move |i| match rows {
            Rows::Large => format!(
                r#"{{"id":"0198c8a2-0000-7000-8000-{i:012}","agent_id":"{AGENT}","status":"completed","error":null,"result":{{"output":"{output}"}},"kind":"chat"}}"#
            ),
            Rows::Small => format!(
                r#"{{"id":"0198c8a2-0000-7000-8000-{i:012}","status":"failed","error":"exit status {i}"}}"#
            ),
        })
    })
    .await
}

fn max_rss_mb(time_output: &str) -> f64 {
    time_output
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Peak RSS (MB) of `tail` until its row is printed (the lookup ended), the row's
/// `lookup_error`, and the seconds it took.
fn tail_peak(binary: &str, ws: &str, api: &str) -> (f64, String, f64) {
    let dir = tempfile::tempdir().unwrap();
    let time_out = dir.path().join("time.txt");
    let started = Instant::now();
    let mut child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(&time_out)
        .args([
            binary,
            "tail",
            "--url",
            ws,
            "--workspace",
            "w",
            "--api",
            api,
        ])
        .args(["--api-wait", "120s"])
        .env(
            "FAILWATCH_TOKEN",
            "mul_a9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4",
        )
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let row = rx.recv_timeout(WAIT).unwrap_or_default();
    let took = started.elapsed().as_secs_f64();
    // `time` ignores an interrupt while it waits: the one it runs gets it, by its id.
    let time_pid = child.id();
    let children = format!("/proc/{time_pid}/task/{time_pid}/children");
    for pid in std::fs::read_to_string(children)
        .unwrap_or_default()
        .split_whitespace()
    {
        let _ = Command::new("kill").args(["-INT", pid]).status();
    }
    let _ = child.wait();
    let why = serde_json::from_str::<serde_json::Value>(&row)
        .ok()
        .and_then(|r| r["lookup_error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("(no row: {row:.80})"));
    let rss = max_rss_mb(&std::fs::read_to_string(time_out).unwrap_or_default());
    (rss, why, took)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ours = env!("CARGO_BIN_EXE_failwatch").to_owned();
    let peer = std::env::var("FAILWATCH_PEER").ok();
    let builds: Vec<&str> = std::iter::once(ours.as_str())
        .chain(peer.as_deref())
        .collect();
    let ws = rt.block_on(hub());
    println!("== failwatch tail --url … --api …: one lookup answered by a huge task list ==");
    for (size, rows, name) in [
        (100 * MB, Rows::Large, "2 KB rows"),
        (300 * MB, Rows::Large, "2 KB rows"),
        (300 * MB, Rows::Small, "120-byte rows"),
    ] {
        for binary in &builds {
            let server = rt.block_on(api(size, rows));
            let (rss, why, took) = tail_peak(binary, &ws, &server.url);
            println!(
                "{} MB answer of {name} | {binary}: peak RSS {rss:.0} MB, {:.1} MB served, {took:.1} s; lookup_error: {why}",
                size / MB,
                server.served() as f64 / MB as f64,
            );
        }
    }
}
