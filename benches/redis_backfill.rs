//! Backfill rate from a real redis-server: entries/s through the Redis source as the dashboard and
//! `tail --redis` run it (backfill on the source's thread, frames delivered to the feed, the
//! whole pipeline: decode, redact, route, store), beside the raw XRANGE read rate of the same
//! client in the same run. `cargo bench --bench redis_backfill` (needs `redis-server` on PATH;
//! `ENTRIES=200000` to change the size; `WORKSPACES=3` spreads the entries over three
//! workspaces' streams, read with `--all-workspaces`, merged oldest first).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use failwatch::feed::{Feed, FeedEvent};
use failwatch::ingest::Pipeline;
use failwatch::source::redis::{self, stream_key, Layout, RedisConfig};
use failwatch::source::{Delivery, SourceHandle};

/// The allocator the binary ships with: the pipeline measured as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/ids.rs"]
mod ids;
#[path = "support/rates.rs"]
mod rates;

const WS: &str = "5b1c2d3e-0000-4000-8000-00000000aa01";

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let entries: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server on PATH");
    let url = format!("redis://127.0.0.1:{port}/");
    let client = ::redis::Client::open(url.as_str()).unwrap();
    let mut conn = loop {
        if let Ok(c) = client.get_connection() {
            break c;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let workspaces: usize = std::env::var("WORKSPACES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let ids: Vec<String> = match workspaces {
        1 => vec![WS.to_owned()],
        n => (0..n).map(|w| ids::uuid(9, w)).collect(),
    };
    let keys: Vec<String> = ids.iter().map(|w| stream_key(Layout::Scope, w)).collect();
    let t = Instant::now();
    for chunk in 0..entries.div_ceil(1000) {
        let mut pipe = ::redis::pipe();
        for i in chunk * 1000..((chunk + 1) * 1000).min(entries) {
            let frame = if i % 3 == 0 {
                format!(
                    r#"{{"type":"task:failed","payload":{{"task_id":"{}","agent_id":"{}","issue_id":"","chat_session_id":"{}","failure_reason":"agent_error.provider_capacity_or_rate_limit","retry_pending":false,"error":"429 Too Many Requests: rate_limit_error req_{i:08x}"}},"actor_id":"","actor_type":"system"}}"#,
                    ids::task(i),
                    ids::agent(i % 40),
                    ids::session(i % 500)
                )
            } else {
                format!(
                    r#"{{"type":"task:queued","payload":{{"task_id":"{}","agent_id":"{}","issue_id":"","chat_session_id":"{}"}},"actor_id":"","actor_type":"system"}}"#,
                    ids::task(i),
                    ids::agent(i % 40),
                    ids::session(i % 500)
                )
            };
            let w = i % workspaces;
            pipe.cmd("XADD")
                .arg(&keys[w])
                .arg("*")
                .arg(&[
                    "event_id",
                    &ids::ulid(i),
                    "scope",
                    "workspace",
                    "scope_id",
                    &ids[w],
                    "node_id",
                    "n1",
                    "payload_json",
                    &frame,
                ])
                .ignore();
        }
        pipe.query::<()>(&mut conn).unwrap();
    }
    println!(
        "== Redis backfill, {entries} entries (1/3 task:failed) in {workspaces} workspace(s); loaded in {:.1} s ==",
        t.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // Interleaved rounds: both see the same machine, whatever else it is doing.
    let (mut raw_rates, mut full_rates) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let raw: usize = keys.iter().map(|k| raw_read(&mut conn, k).0).sum();
        raw_rates.push(raw as f64 / t.elapsed().as_secs_f64());
        let one = (workspaces == 1).then_some(WS);
        full_rates.push(full_backfill(&rt, &url, one, raw));
    }
    let (raw_best, raw_median) = rates::best_and_median(&mut raw_rates);
    let (full_best, full_median) = rates::best_and_median(&mut full_rates);
    println!("rounds: {rounds}, interleaved (entries/s, best / median)");
    println!("raw XRANGE read (same client): {raw_best:.0} / {raw_median:.0}");
    println!("backfill through the pipeline: {full_best:.0} / {full_median:.0}");
    println!(
        "pipeline / raw = {:.2} best, {:.2} median",
        full_best / raw_best,
        full_median / raw_median
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// Raw: XRANGE in batches of 1000, replies parsed, nothing else. Entries read and their rate.
fn raw_read(conn: &mut ::redis::Connection, key: &str) -> (usize, f64) {
    let t = Instant::now();
    let mut start = "-".to_owned();
    let mut raw = 0usize;
    loop {
        let reply: Vec<(String, Vec<(String, String)>)> = ::redis::cmd("XRANGE")
            .arg(key)
            .arg(&start)
            .arg("+")
            .arg("COUNT")
            .arg(1000)
            .query(conn)
            .unwrap();
        raw += reply.len();
        match reply.last() {
            Some((id, _)) if reply.len() == 1000 => start = format!("({id}"),
            _ => break,
        }
    }
    (raw, raw as f64 / t.elapsed().as_secs_f64())
}

/// Full: the source's backfill (dedup, workspace check) on its thread, into the feed's
/// pipeline (decode, redact, route, store), until all `entries` are in. Its rate.
fn full_backfill(
    rt: &tokio::runtime::Runtime,
    url: &str,
    workspace: Option<&str>,
    entries: usize,
) -> f64 {
    let config = RedisConfig {
        url: url.to_owned(),
        workspace: workspace.map(str::to_owned),
        layout: None,
        shards: 8,
        since: Duration::from_secs(24 * 3600),
    };
    let t = Instant::now();
    let handle = redis::start(config, Delivery::Lossless).unwrap();
    let source = SourceHandle::from_parts(handle.frames, handle.state, "bench".into());
    let mut feed = Feed::live(Pipeline::new(200_000), source);
    let n = rt.block_on(async {
        while feed.pipeline.stats().frames < entries as u64 {
            if matches!(feed.next().await, FeedEvent::Ended) {
                panic!("the Redis source ended before every entry was in");
            }
        }
        feed.pipeline.stats().frames
    });
    let rate = n as f64 / t.elapsed().as_secs_f64();
    assert_eq!(
        feed.pipeline.store().agg.failures,
        n.div_ceil(3),
        "every third entry is a failure"
    );
    rate
}
