//! How long a key takes to act while the dashboard is flooded with heavy frames: a hub sends
//! 3.9 MB task:failed frames whose errors are a path repeated (the costliest text to redact)
//! without pause; the real binary runs in tmux; we press `?` and time until the help is on
//! screen, then `q` and time until the process is gone. `FAILWATCH_PEER=/path/to/failwatch`
//! runs the same against another build, side by side. `cargo bench --bench key_latency`.

use std::time::{Duration, Instant};

#[path = "support/tmux.rs"]
mod tmux;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// A hub that sends heavy frames to each client as fast as it takes them, until it goes.
async fn storm() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let error = "/home/u ".repeat(3_900_000 / 8);
    let frame = std::sync::Arc::new(
        serde_json::json!({"type": "task:failed", "payload": {
            "task_id": "t", "agent_id": "a", "issue_id": "", "chat_session_id": "s",
            "status": "failed", "failure_reason": "agent_error.process_failure", "error": error,
        }})
        .to_string(),
    );
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let frame = frame.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.next().await;
                let _ = ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await;
                while ws.send(Message::text(frame.as_str())).await.is_ok() {}
            });
        }
    });
    format!("ws://{addr}/ws")
}

/// (ms until `?` showed the help, ms until `q` ended the process)
fn measure(binary: &str, url: &str, session: &str) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("done");
    let cmd = format!(
        "FAILWATCH_TOKEN=t {binary} live --url {url} --workspace w; touch {}",
        done.display()
    );
    tmux::start(session, &cmd);
    std::thread::sleep(Duration::from_secs(4));
    let t = Instant::now();
    tmux::tmux(&["send-keys", "-t", session, "?"]);
    let help = loop {
        let screen = tmux::tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains("┌ Keys ") {
            break t.elapsed().as_secs_f64() * 1000.0;
        }
        if t.elapsed() > Duration::from_secs(60) {
            break f64::INFINITY;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    tmux::tmux(&["send-keys", "-t", session, "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    tmux::tmux(&["send-keys", "-t", session, "q"]);
    while !done.exists() && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let quit = t.elapsed().as_secs_f64() * 1000.0;
    let _ = tmux::tmux(&["kill-session", "-t", session]);
    (help, quit)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(storm());
    let ours = env!("CARGO_BIN_EXE_failwatch");
    println!("== key latency under a storm of 3.9 MB redaction-heavy frames ==");
    let (help, quit) = measure(ours, &url, "fw-key-latency");
    println!(
        "failwatch: `?` shown after {help:.0} ms, `q` exited after {quit:.0} ms (target <= 100 ms)"
    );
    if let Ok(peer) = std::env::var("FAILWATCH_PEER") {
        let (help, quit) = measure(&peer, &url, "fw-key-latency-peer");
        println!("peer {peer}: `?` shown after {help:.0} ms, `q` exited after {quit:.0} ms");
    }
}
