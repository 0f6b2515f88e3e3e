//! How long a key takes to act while the dashboard is flooded, in two storms:
//! - heavy: 3.9 MB task:failed frames whose errors are a path repeated (the costliest text to
//!   redact), sent without pause;
//! - sessions: small task:failed frames, each of a chat session never seen before, sent without
//!   pause (the per-session table is bounded in bytes; this is the storm that fills it).
//!
//! The real binary runs in tmux; we press `?` and time until the help is on screen, `s` and time
//! until the sessions panel has the focus, `o` and time until it is sorted by failures (the
//! rows on screen ranked anew), then `q` and time until the process is gone. The
//! process's peak RSS (from /proc) and the frames the hub sent are printed beside the times.
//! `FAILWATCH_PEER=/path/to/failwatch` runs the same against another build, side by side.
//! `cargo bench --bench key_latency`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/ids.rs"]
#[allow(dead_code)]
mod ids;
#[path = "support/tmux.rs"]
mod tmux;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone, Copy)]
enum Storm {
    Heavy,
    Sessions,
}

impl Storm {
    fn title(self) -> &'static str {
        match self {
            Storm::Heavy => "3.9 MB redaction-heavy frames",
            Storm::Sessions => "small frames, each of a new chat session",
        }
    }

    /// The `n`-th frame the hub sends.
    fn frame(self, n: u64, heavy: &str) -> String {
        match self {
            Storm::Heavy => heavy.to_string(),
            Storm::Sessions => serde_json::json!({"type": "task:failed", "payload": {
                "task_id": ids::task(n as usize), "agent_id": ids::agent(n as usize % 50),
                "issue_id": "", "chat_session_id": ids::session(n as usize),
                "status": "failed", "failure_reason": "runtime_offline",
                "error": "runtime went offline",
            }})
            .to_string(),
        }
    }
}

/// A hub that sends the storm's frames to each client as fast as it takes them, until it goes;
/// counts what it sent.
async fn hub(storm: Storm, sent: Arc<AtomicU64>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heavy = Arc::new(
        serde_json::json!({"type": "task:failed", "payload": {
            "task_id": "t", "agent_id": "a", "issue_id": "", "chat_session_id": "s",
            "status": "failed", "failure_reason": "agent_error.process_failure",
            "error": "/home/u ".repeat(3_900_000 / 8),
        }})
        .to_string(),
    );
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (heavy, sent) = (heavy.clone(), sent.clone());
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.next().await;
                let _ = ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await;
                loop {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if ws
                        .send(Message::text(storm.frame(n, &heavy)))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
    });
    format!("ws://{addr}/ws")
}

/// Milliseconds until `screen` holds `want` after `keys` are sent (infinite past 60 s).
fn time_key(session: &str, keys: &str, want: &str) -> f64 {
    let t = Instant::now();
    tmux::tmux(&["send-keys", "-t", session, keys]);
    loop {
        let screen = tmux::tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(want) {
            return t.elapsed().as_secs_f64() * 1000.0;
        }
        if t.elapsed() > Duration::from_secs(60) {
            eprintln!("{want:?} not seen in 60 s; the screen:\n{screen}");
            return f64::INFINITY;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The peak resident set of the newest process running `binary`, in MB.
fn peak_rss_mb(binary: &str) -> Option<u64> {
    let out = std::process::Command::new("pgrep")
        .args(["-n", "-f", &format!("{binary} live")])
        .output()
        .ok()?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kb / 1024)
}

struct Figures {
    help: f64,
    focus: f64,
    sort: f64,
    quit: f64,
    rss_mb: Option<u64>,
    frames: u64,
}

fn measure(binary: &str, url: &str, session: &str, sent: &AtomicU64, soak: Duration) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("done");
    let cmd = format!(
        "FAILWATCH_TOKEN=t {binary} live --url {url} --workspace w; touch {}",
        done.display()
    );
    let before = sent.load(Ordering::Relaxed);
    tmux::start(session, &cmd);
    std::thread::sleep(soak);
    let help = time_key(session, "?", "┌ Keys ");
    tmux::tmux(&["send-keys", "-t", session, "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let focus = time_key(session, "s", "copy id · y");
    let sort = time_key(session, "o", "by failures ↓");
    let rss_mb = peak_rss_mb(binary);
    let frames = sent.load(Ordering::Relaxed) - before;
    let t = Instant::now();
    tmux::tmux(&["send-keys", "-t", session, "q"]);
    while !done.exists() && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let quit = t.elapsed().as_secs_f64() * 1000.0;
    let _ = tmux::tmux(&["kill-session", "-t", session]);
    Figures {
        help,
        focus,
        sort,
        quit,
        rss_mb,
        frames,
    }
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<10} `?` {:>4.0} ms   `s` {:>4.0} ms   `o` {:>4.0} ms   `q` {:>4.0} ms   peak RSS {:>4} MB   frames sent {}",
        f.help,
        f.focus,
        f.sort,
        f.quit,
        f.rss_mb.map_or("?".into(), |m| m.to_string()),
        f.frames
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ours = env!("CARGO_BIN_EXE_failwatch");
    let peer = std::env::var("FAILWATCH_PEER").ok();
    let soak = |storm| match storm {
        Storm::Heavy => Duration::from_secs(4),
        Storm::Sessions => Duration::from_secs(
            std::env::var("SOAK_SECS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(30),
        ),
    };
    for storm in [Storm::Heavy, Storm::Sessions] {
        let sent = Arc::new(AtomicU64::new(0));
        let url = rt.block_on(hub(storm, sent.clone()));
        println!(
            "== key latency under a storm of {} (soak {} s; target <= 100 ms) ==",
            storm.title(),
            soak(storm).as_secs()
        );
        print(
            "failwatch",
            &measure(ours, &url, "fw-key-latency", &sent, soak(storm)),
        );
        if let Some(peer) = &peer {
            print(
                "peer",
                &measure(peer, &url, "fw-key-latency-peer", &sent, soak(storm)),
            );
        }
    }
}
