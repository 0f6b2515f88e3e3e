//! The Redis source against a real `redis-server` the tests start on a free loopback port with a
//! throwaway directory (`.ci/run` installs it): both layouts, several nodes, `--since` windows,
//! other workspaces ignored, dedup, resume after a restart, and a gap where the stream was trimmed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use failwatch::capture::{parse_line, Line};
use failwatch::filter::Filter;
use failwatch::headless;
use failwatch::pipeline::Pipeline;
use failwatch::source::redis::{self, Layout, RedisConfig};

const SAMPLE: &str = include_str!("data/sample-capture.jsonl");
const WS: &str = "5b1c2d3e-0000-4000-8000-00000000aa01";
const OTHER_WS: &str = "5b1c2d3e-0000-4000-8000-00000000bb02";

struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Server::start_in(dir, port)
    }

    fn start_in(dir: tempfile::TempDir, port: u16) -> Server {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
            ])
            .args(["--appendfsync", "always", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (.ci/run installs it)");
        let s = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.conn_opt().is_none() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn conn_opt(&self) -> Option<::redis::Connection> {
        let mut c = ::redis::Client::open(self.url())
            .ok()?
            .get_connection()
            .ok()?;
        ::redis::cmd("PING").query::<String>(&mut c).ok()?;
        Some(c)
    }

    fn conn(&self) -> ::redis::Connection {
        self.conn_opt().unwrap()
    }

    /// Stop and start again on the same port and directory (data kept in the append-only file).
    fn restart(mut self) -> Server {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let port = self.port;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        std::mem::forget(self);
        Server::start_in(dir, port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// XADD one relay entry the way a server node does.
fn xadd(
    c: &mut ::redis::Connection,
    key: &str,
    id: &str,
    event_id: &str,
    node: &str,
    scope_id: &str,
    frame: &str,
) {
    let _: String = ::redis::cmd("XADD")
        .arg(key)
        .arg(id)
        .arg(&[
            "event_id",
            event_id,
            "event_type",
            "x",
            "scope",
            "workspace",
            "scope_id",
            scope_id,
            "workspace_id",
            scope_id,
        ])
        .arg(&[
            "actor_id",
            "",
            "created_at",
            "",
            "node_id",
            node,
            "payload_json",
            frame,
        ])
        .query(c)
        .unwrap();
}

fn sample_frames() -> Vec<String> {
    SAMPLE
        .lines()
        .filter_map(|l| match parse_line(l.as_bytes(), true, None) {
            Line::Frame { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

fn config(s: &Server, layout: Option<Layout>, since_min: u64) -> RedisConfig {
    RedisConfig {
        url: s.url(),
        workspace: WS.into(),
        layout,
        shards: 8,
        since: Duration::from_secs(since_min * 60),
    }
}

/// Collect frames until `n` arrived (or fail after a while).
fn collect(h: &mut redis::RedisHandle, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} frames arrived",
            got.len()
        );
        match h.frames.try_recv() {
            Ok(f) => got.push(f.text),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    got
}

fn summary_of(frames: &[String]) -> serde_json::Value {
    let mut p = Pipeline::new(0);
    for (i, f) in frames.iter().enumerate() {
        p.push_frame(
            chrono::DateTime::from_timestamp(1_800_000_000 + i as i64, 0).unwrap(),
            f,
        );
    }
    let agg = std::mem::take(&mut p.store.agg);
    let mut v =
        serde_json::from_str::<serde_json::Value>(&headless::summary_json(&p, &agg)).unwrap();
    v["sessions"] = serde_json::Value::Null; // last-failure times differ by construction
    v
}

/// Write the sample capture's frames from two nodes into `key`, with another workspace's entries
/// in `other_key` (the same key for the sharded layout, where workspaces share a shard).
fn fill(s: &Server, key: &str, other_key: &str) -> usize {
    let mut c = s.conn();
    let frames = sample_frames();
    for (i, f) in frames.iter().enumerate() {
        let node = if i % 2 == 0 { "node-a" } else { "node-b" };
        xadd(&mut c, key, "*", &format!("E{i:05}"), node, WS, f);
        if i % 10 == 0 {
            xadd(
                &mut c,
                other_key,
                "*",
                &format!("X{i:05}"),
                node,
                OTHER_WS,
                r#"{"type":"task:failed","payload":{"task_id":"other","failure_reason":"timeout"}}"#,
            );
        }
    }
    frames.len()
}

#[test]
fn scope_layout_from_two_nodes_gives_the_same_summary_as_the_capture() {
    let s = Server::start();
    let n = fill(
        &s,
        &redis::stream_key(Layout::Scope, WS),
        &redis::stream_key(Layout::Scope, OTHER_WS),
    );
    let mut h = redis::start(config(&s, None, 30), 10_000).unwrap();
    assert_eq!(h.key, format!("ws:scope:workspace:{WS}:stream"), "detected");
    let got = collect(&mut h, n);
    let (replayed, agg) =
        headless::summarize(SAMPLE.as_bytes(), &Filter::default(), Pipeline::new(0)).unwrap();
    let mut want =
        serde_json::from_str::<serde_json::Value>(&headless::summary_json(&replayed, &agg))
            .unwrap();
    want["sessions"] = serde_json::Value::Null;
    let mut have = summary_of(&got);
    // Bad lines live in the capture file only; everything else must agree.
    have["bad_lines"] = want["bad_lines"].clone();
    assert_eq!(have, want);
}

#[test]
fn sharded_layout_keeps_only_this_workspace_and_dedups_by_event_id() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Sharded { shards: 8 }, WS);
    let n = fill(&s, &key, &key);
    // The same event relayed twice (two nodes): counted once.
    let mut c = s.conn();
    let dup = r#"{"type":"task:failed","payload":{"task_id":"dup","failure_reason":"timeout"}}"#;
    xadd(&mut c, &key, "*", "DUP1", "node-a", WS, dup);
    xadd(&mut c, &key, "*", "DUP1", "node-b", WS, dup);
    let mut h = redis::start(config(&s, None, 30), 10_000).unwrap();
    assert!(
        h.key.starts_with("ws:relay:shard:"),
        "detected the sharded layout"
    );
    let got = collect(&mut h, n + 1);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        h.frames.try_recv().is_err(),
        "no duplicate and no other workspace's entry"
    );
    assert!(got.iter().all(|f| !f.contains("\"other\"")));
    assert_eq!(got.iter().filter(|f| f.contains("\"dup\"")).count(), 1);
}

#[test]
fn since_window_limits_the_backfill() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let mut c = s.conn();
    let old = now_ms() - 2 * 3600 * 1000;
    let frame = |t: &str| {
        format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"{t}","failure_reason":"timeout"}}}}"#
        )
    };
    xadd(
        &mut c,
        &key,
        &format!("{old}-0"),
        "OLD",
        "node-a",
        WS,
        &frame("old"),
    );
    xadd(&mut c, &key, "*", "NEW", "node-a", WS, &frame("new"));
    let mut h = redis::start(config(&s, Some(Layout::Scope), 30), 100).unwrap();
    assert_eq!(collect(&mut h, 1), [frame("new")]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(h.frames.try_recv().is_err());
    let mut h = redis::start(config(&s, Some(Layout::Scope), 180), 100).unwrap();
    assert_eq!(collect(&mut h, 2), [frame("old"), frame("new")]);
}

#[test]
fn resumes_after_a_restart_and_marks_a_gap_where_the_stream_was_trimmed() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let frame = |i: usize| format!(r#"{{"type":"task:queued","payload":{{"task_id":"t{i}"}}}}"#);
    let mut c = s.conn();
    for i in 0..5 {
        xadd(&mut c, &key, "*", &format!("E{i}"), "node-a", WS, &frame(i));
    }
    let mut h = redis::start(config(&s, Some(Layout::Scope), 30), 100).unwrap();
    assert_eq!(collect(&mut h, 5), (0..5).map(frame).collect::<Vec<_>>());

    // Restart: the reader reconnects and goes on after its last id; nothing retained is lost.
    let s = s.restart();
    let mut c = s.conn();
    for i in 5..8 {
        xadd(&mut c, &key, "*", &format!("E{i}"), "node-b", WS, &frame(i));
    }
    assert_eq!(collect(&mut h, 3), (5..8).map(frame).collect::<Vec<_>>());
    assert!(
        h.state.borrow().gaps.is_empty(),
        "no gap: everything was still retained"
    );

    // Restart again, and trim past the last id while the reader is away: a gap is marked.
    let s = s.restart();
    let mut c = s.conn();
    for i in 8..14 {
        xadd(&mut c, &key, "*", &format!("E{i}"), "node-a", WS, &frame(i));
    }
    let _: i64 = ::redis::cmd("XTRIM")
        .arg(&key)
        .arg("MAXLEN")
        .arg(3)
        .query(&mut c)
        .unwrap();
    assert_eq!(collect(&mut h, 3), (11..14).map(frame).collect::<Vec<_>>());
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.state.borrow().gaps.is_empty() {
        assert!(Instant::now() < deadline, "no gap marked");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(s);
}

#[test]
fn the_reader_never_writes() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    fill(&s, &key, &key);
    let mut c = s.conn();
    let before: i64 = ::redis::cmd("XLEN").arg(&key).query(&mut c).unwrap();
    let mut h = redis::start(config(&s, None, 30), 10_000).unwrap();
    collect(&mut h, 10);
    let groups: Vec<::redis::Value> = ::redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(&key)
        .query(&mut c)
        .unwrap();
    assert!(groups.is_empty(), "no consumer group was created");
    let after: i64 = ::redis::cmd("XLEN").arg(&key).query(&mut c).unwrap();
    assert_eq!(before, after);
}

#[test]
fn a_missing_stream_is_a_clear_error() {
    let s = Server::start();
    let err = redis::start(config(&s, None, 30), 10).err().unwrap();
    assert!(
        matches!(&err, failwatch::source::SourceError::Refused(m) if m.contains("no stream for workspace")),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_failwatch"))
        .args(["tail", "--redis", &s.url(), "--workspace", WS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stream for workspace"));
}
