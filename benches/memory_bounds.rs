//! Peak memory under hostile sizes: the dashboard fed 1000 frames of 1 MB (in the error text,
//! in a remembered session id, in unique type names), and `summary` reading a capture whose one
//! line is 1 GB. Peak RSS from `/usr/bin/time -v`. `FAILWATCH_PEER=/path/to/failwatch` measures
//! another build beside ours. `cargo bench --bench memory_bounds`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "support/tmux.rs"]
mod tmux;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const FRAMES: usize = 1000;
const MB: usize = 1 << 20;

#[derive(Clone, Copy)]
enum Shape {
    Error,
    Session,
    TypeName,
}

fn frames(shape: Shape) -> Vec<String> {
    (0..FRAMES)
        .flat_map(|i| {
            let big = format!("{i:06}{}", "x".repeat(MB));
            match shape {
                Shape::Error => vec![serde_json::json!({"type": "task:failed", "payload": {
                    "task_id": format!("t{i}"), "agent_id": "a", "issue_id": "", "chat_session_id": "s",
                    "status": "failed", "failure_reason": "agent_error.process_failure", "error": big}})],
                Shape::Session => vec![
                    serde_json::json!({"type": "task:queued", "payload": {"task_id": format!("t{i}"), "agent_id": "a", "issue_id": "", "chat_session_id": big}}),
                    serde_json::json!({"type": "task:failed", "payload": {"task_id": format!("t{i}"), "agent_id": "a", "issue_id": "", "status": "failed", "failure_reason": "timeout", "retry_pending": false}}),
                ],
                Shape::TypeName => vec![serde_json::json!({"type": big, "payload": {}})],
            }
        })
        .map(|v| v.to_string())
        .collect()
}

/// A hub that sends `frames` once to each client, then stays open.
async fn hub(frames: Vec<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let frames = std::sync::Arc::new(frames);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let frames = frames.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.next().await;
                let _ = ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await;
                for f in frames.iter() {
                    if ws.send(Message::text(f.as_str())).await.is_err() {
                        return;
                    }
                }
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    format!("ws://{addr}/ws")
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

/// Peak RSS of the dashboard while it takes in everything the hub sends.
fn dashboard_peak(binary: &str, url: &str) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("time.txt");
    let session = "fw-memory-bounds";
    let cmd = format!(
        "FAILWATCH_TOKEN=t /usr/bin/time -v -o {} {binary} live --url {url} --workspace w; tmux wait-for -S {session}-done",
        out.display()
    );
    tmux::start(session, &cmd);
    std::thread::sleep(Duration::from_secs(20));
    tmux::tmux(&["send-keys", "-t", session, "q"]);
    tmux::tmux(&["wait-for", &format!("{session}-done")]);
    tmux::tmux(&["kill-session", "-t", session]);
    max_rss_mb(&std::fs::read_to_string(out).unwrap_or_default())
}

/// Peak RSS of `summary -` reading one 1 GB line (and the line after it).
fn huge_line_peak(binary: &str) -> f64 {
    let mut child = Command::new("/usr/bin/time")
        .args(["-v", binary, "summary", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let chunk = vec![b'x'; MB];
    stdin
        .write_all(b"{\"type\":\"task:failed\",\"payload\":{\"error\":\"")
        .unwrap();
    for _ in 0..1024 {
        stdin.write_all(&chunk).unwrap();
    }
    stdin.write_all(b"\"}}\n{\"type\":\"pong\"}\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    max_rss_mb(&String::from_utf8_lossy(&out.stderr))
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
    println!(
        "== peak RSS (MB) under hostile sizes: {} ==",
        builds.join(" | ")
    );
    for (name, shape) in [
        ("1000 x 1 MB error texts", Shape::Error),
        ("1000 x 1 MB remembered session ids", Shape::Session),
        ("1000 x 1 MB unique type names", Shape::TypeName),
    ] {
        let url = rt.block_on(hub(frames(shape)));
        let peaks: Vec<String> = builds
            .iter()
            .map(|b| format!("{:.0}", dashboard_peak(b, &url)))
            .collect();
        println!("dashboard, {name}: {}", peaks.join(" | "));
    }
    let peaks: Vec<String> = builds
        .iter()
        .map(|b| format!("{:.0}", huge_line_peak(b)))
        .collect();
    println!("summary -, one 1 GB capture line: {}", peaks.join(" | "));
}
