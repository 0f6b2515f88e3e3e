//! The highest sustained frame rate each live door keeps up with, found against a hub that
//! behaves as Multica's does: it publishes at a fixed rate into a 256-frame send buffer per
//! client and evicts (closes) a client whose buffer is full. The real binary is measured:
//!
//! - the dashboard (`failwatch live`, lossy) in tmux: it keeps up at a rate when the hub never
//!   evicts it, it drops no frame itself (`failwatch_frames_dropped_total` from `--metrics`), and
//!   `?` brings the help on screen within 100 ms, pressed once a second;
//! - `failwatch tail` (lossless), writing JSON lines: it keeps up when the hub never evicts it.
//!
//! Rates double from `START` until a trial fails, are bisected, and the best is then held for
//! `HOLD` seconds (stepping down a tenth until it holds). Printed beside the hub's own limit: how
//! long a client may stall at that rate before 256 frames fill its buffer.
//!
//! `cargo bench --bench live_ceiling`; environment: START (frames/s, default 500), TRIAL (s,
//! default 8), HOLD (s, default 60), STEPS (bisections, default 3).

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/tmux.rs"]
mod tmux;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[path = "support/ids.rs"]
#[allow(dead_code)]
mod ids;

/// Multica's hub: each client's send buffer, in frames.
const HUB_BUFFER: usize = 256;
/// The hub publishes every this often (the rate's frames spread over the ticks; a tick's burst
/// stays far below the buffer up to 200,000 frames a second).
const TICK: Duration = Duration::from_millis(1);

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Frame `i` of a stream of tasks queued, running and failed (a third are failures whose error
/// carries a secret to mask), each failure in one of 40 chat sessions.
fn frame(i: u64) -> String {
    let task = ids::task((i / 3) as usize);
    match i % 3 {
        0 => format!(
            r#"{{"type":"task:queued","payload":{{"task_id":"{task}","agent_id":"{}","issue_id":""}},"actor_id":"","actor_type":"system"}}"#,
            ids::agent((i % 40) as usize)
        ),
        1 => format!(
            r#"{{"type":"chat:message","payload":{{"chat_session_id":"{}","task_id":"{task}","role":"assistant"}},"actor_id":"","actor_type":"system"}}"#,
            ids::agent((i % 40) as usize)
        ),
        _ => format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"{task}","agent_id":"{}","issue_id":"","failure_reason":"agent_error.provider_capacity_or_rate_limit","retry_pending":false,"error":"429 Too Many Requests: request req_{i:08x} Bearer abcdefghijklmnopqrstuvwxyz012345"}},"actor_id":"","actor_type":"system"}}"#,
            ids::agent((i % 40) as usize)
        ),
    }
}

/// What the hub saw of one client.
#[derive(Default)]
struct HubLog {
    sent: AtomicU64,
    evicted: AtomicBool,
    connected: AtomicBool,
}

/// A hub publishing `rate` frames a second to each client, as Multica's does: into a bounded
/// buffer, evicting the client when it is full.
async fn hub(rate: u64) -> (String, Arc<HubLog>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Arc::new(HubLog::default());
    let seen = log.clone();
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
            return;
        };
        let (mut write, mut read) = ws.split();
        let _ = read.next().await; // the auth frame
        let _ = write.send(Message::text(r#"{"type":"auth_ack"}"#)).await;
        seen.connected.store(true, Ordering::SeqCst);
        let (tx, mut rx) = mpsc::channel::<String>(HUB_BUFFER);
        let sent = seen.clone();
        let writer = tokio::spawn(async move {
            while let Some(f) = rx.recv().await {
                if write.send(Message::text(f)).await.is_err() {
                    return;
                }
                sent.sent.fetch_add(1, Ordering::Relaxed);
            }
        });
        tokio::spawn(async move { while let Some(Ok(_)) = read.next().await {} });
        let start = Instant::now();
        let mut ticks = tokio::time::interval(TICK);
        let mut published = 0u64;
        loop {
            ticks.tick().await;
            let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
            while published < due {
                if tx.try_send(frame(published)).is_err() {
                    // The buffer is full: Multica closes the client's channel.
                    seen.evicted.store(true, Ordering::SeqCst);
                    writer.abort();
                    return;
                }
                published += 1;
            }
        }
    });
    (format!("ws://{addr}/ws"), log)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A metric's value from `/metrics` (summed over its labels).
fn metric(port: u16, name: &str) -> Option<f64> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let values: Vec<f64> = body
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// How a trial went.
struct Trial {
    ok: bool,
    why: String,
    worst_key_ms: f64,
}

/// The dashboard at `rate` for `secs`.
fn dashboard(rt: &tokio::runtime::Runtime, rate: u64, secs: u64) -> Trial {
    let (url, log) = rt.block_on(hub(rate));
    let session = "fw-live-ceiling";
    let port = free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = format!(
        "XDG_STATE_HOME={d} XDG_CONFIG_HOME={d} FAILWATCH_TOKEN=t {bin} live --url {url} --workspace w --metrics 127.0.0.1:{port}",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_failwatch"),
    );
    tmux::start(session, &cmd);
    let t = Instant::now();
    while !log.connected.load(Ordering::SeqCst) && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    let mut worst: f64 = 0.0;
    let mut slow = None;
    while start.elapsed() < Duration::from_secs(secs) && !log.evicted.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(700));
        let t = Instant::now();
        tmux::tmux(&["send-keys", "-t", session, "?"]);
        let ms = loop {
            if tmux::tmux(&["capture-pane", "-p", "-t", session]).contains("┌ Keys ") {
                break t.elapsed().as_secs_f64() * 1e3;
            }
            if t.elapsed() > Duration::from_secs(5) {
                break f64::INFINITY;
            }
            std::thread::sleep(Duration::from_millis(3));
        };
        worst = worst.max(ms);
        if ms > 100.0 && slow.is_none() {
            slow = Some(ms);
        }
        tmux::tmux(&["send-keys", "-t", session, "Escape"]);
    }
    let dropped = metric(port, "failwatch_frames_dropped_total");
    let frames = metric(port, "failwatch_frames_total").unwrap_or(0.0);
    let _ = tmux::tmux(&["kill-session", "-t", session]);
    let sent = log.sent.load(Ordering::Relaxed);
    let why = if log.evicted.load(Ordering::SeqCst) {
        format!(
            "evicted by the hub after {:.1} s",
            start.elapsed().as_secs_f64()
        )
    } else if dropped.unwrap_or(1.0) > 0.0 {
        format!("dropped {:?} frames itself", dropped)
    } else if let Some(ms) = slow {
        format!("a key took {ms:.0} ms")
    } else {
        format!("{frames:.0} of {sent} frames taken in")
    };
    Trial {
        ok: !log.evicted.load(Ordering::SeqCst) && dropped == Some(0.0) && slow.is_none(),
        why,
        worst_key_ms: worst,
    }
}

/// `tail` at `rate` for `secs`.
fn tail(rt: &tokio::runtime::Runtime, rate: u64, secs: u64) -> Trial {
    let (url, log) = rt.block_on(hub(rate));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::fs::File::create(dir.path().join("out.jsonl")).expect("output file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_failwatch"))
        .args([
            "tail",
            "--url",
            &url,
            "--workspace",
            "w",
            "--format",
            "jsonl",
        ])
        .env("FAILWATCH_TOKEN", "t")
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("tail starts");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) && !log.evicted.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let evicted = log.evicted.load(Ordering::SeqCst);
    Trial {
        ok: !evicted,
        why: match evicted {
            true => format!(
                "evicted by the hub after {:.1} s",
                start.elapsed().as_secs_f64()
            ),
            false => format!("{} frames sent", log.sent.load(Ordering::Relaxed)),
        },
        worst_key_ms: 0.0,
    }
}

/// The highest rate `trial` keeps up with: doubling, bisecting, then held for `hold` seconds.
fn ceiling(name: &str, mut trial: impl FnMut(u64, u64) -> Trial) -> (u64, Trial) {
    let (start, secs, hold, steps) = (
        env("START", 500),
        env("TRIAL", 8),
        env("HOLD", 60),
        env("STEPS", 3),
    );
    let mut report = |rate: u64, secs: u64| {
        let t = trial(rate, secs);
        println!(
            "  {name} at {rate:>6} frames/s for {secs:>2} s: {} ({}; worst key {:.0} ms)",
            if t.ok { "kept up" } else { "FELL BEHIND" },
            t.why,
            t.worst_key_ms
        );
        t
    };
    let (mut good, mut bad) = (0, None);
    let mut rate = start;
    while bad.is_none() && rate <= 1 << 20 {
        match report(rate, secs).ok {
            true => {
                good = rate;
                rate *= 2;
            }
            false => bad = Some(rate),
        }
    }
    if let Some(mut bad) = bad {
        for _ in 0..steps {
            let mid = (good + bad) / 2;
            if mid <= good || mid >= bad {
                break;
            }
            match report(mid, secs).ok {
                true => good = mid,
                false => bad = mid,
            }
        }
    }
    loop {
        let t = report(good, hold);
        if t.ok || good < 10 {
            return (good, t);
        }
        good -= good / 10;
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    println!("== live ceilings against a hub with Multica's {HUB_BUFFER}-frame send buffer per client ==");
    let (dash, d) = ceiling("dashboard", |rate, secs| dashboard(&rt, rate, secs));
    let (tailed, _) = ceiling("tail", |rate, secs| tail(&rt, rate, secs));
    let hold = env("HOLD", 60);
    println!();
    println!(
        "{:<34} {:>12} {:>34}",
        "door", "frames/s", "hub buffer absorbs a stall of"
    );
    for (name, rate) in [
        ("dashboard (lossy, keys < 100 ms)", dash),
        ("tail (lossless)", tailed),
    ] {
        println!(
            "{name:<34} {rate:>12} {:>31.0} ms",
            HUB_BUFFER as f64 * 1e3 / rate.max(1) as f64
        );
    }
    println!(
        "each held for {hold} s; the dashboard's worst key then: {:.0} ms. The hub evicts a client \
         {HUB_BUFFER} frames behind: above these rates a real hub would close the connection.",
        d.worst_key_ms
    );
}
