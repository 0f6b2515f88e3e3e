//! The Redis source against a real `redis-server` the tests start on a free loopback port with a
//! throwaway directory (`.ci/run` installs it): both layouts, several nodes, `--since` windows,
//! other workspaces ignored, dedup, resume after a restart, and a gap where the stream was trimmed.

use std::process::Stdio;
use std::time::{Duration, Instant};

use failwatch::capture::{parse_line, Line};
use failwatch::filter::Filter;
use failwatch::ingest::read::{summarize, Capture};
use failwatch::ingest::Pipeline;
use failwatch::output::summary_json;
use failwatch::source::redis::{self, Layout, RedisConfig};
use failwatch::source::Delivery;
use support::cmd::failwatch;
use support::redis::{now_ms, xadd, xadd_scoped, Server};

mod support;

const SAMPLE: &str = include_str!("data/sample-capture.jsonl");
const WS: &str = "5b1c2d3e-0000-4000-8000-00000000aa01";
const OTHER_WS: &str = "5b1c2d3e-0000-4000-8000-00000000bb02";

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
        workspace: Some(WS.into()),
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
            Some(f) => got.push(f.text),
            None => std::thread::sleep(Duration::from_millis(10)),
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
            |_| {},
        );
    }
    let agg = p.take_aggregates();
    let mut v = serde_json::from_str::<serde_json::Value>(&summary_json(&p, &agg)).unwrap();
    // Times differ by construction: the frames are stamped here, the capture has its own.
    without_times(&mut v);
    v
}

/// A summary without what follows from the frames' times (kept: every count).
fn without_times(v: &mut serde_json::Value) {
    for key in ["sessions", "time_range", "per_minute"] {
        v[key] = serde_json::Value::Null;
    }
    for g in v["groups"].as_array_mut().into_iter().flatten() {
        for key in ["first_seen", "last_seen", "badges"] {
            g[key] = serde_json::Value::Null;
        }
    }
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
    let mut h = redis::start(config(&s, None, 30), Delivery::Lossy).unwrap();
    assert_eq!(h.key, format!("ws:scope:workspace:{WS}:stream"), "detected");
    let got = collect(&mut h, n);
    let (replayed, agg) = summarize(
        Capture::Mapped(SAMPLE.as_bytes()),
        &Filter::default(),
        chrono::Utc::now(),
        Pipeline::new(0),
    )
    .unwrap();
    let mut want =
        serde_json::from_str::<serde_json::Value>(&summary_json(&replayed, &agg)).unwrap();
    without_times(&mut want);
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
    let mut h = redis::start(config(&s, None, 30), Delivery::Lossy).unwrap();
    assert!(
        h.key.starts_with("ws:relay:shard:"),
        "detected the sharded layout"
    );
    let got = collect(&mut h, n + 1);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        h.frames.try_recv().is_none(),
        "no duplicate and no other workspace's entry"
    );
    assert!(got.iter().all(|f| !f.contains("\"other\"")));
    assert_eq!(got.iter().filter(|f| f.contains("\"dup\"")).count(), 1);
    // Skipped, but said: counted with the pipeline's own repeats.
    assert_eq!(h.state.borrow().duplicates, 1);
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
    let mut h = redis::start(config(&s, Some(Layout::Scope), 30), Delivery::Lossy).unwrap();
    assert_eq!(collect(&mut h, 1), [frame("new")]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(h.frames.try_recv().is_none());
    let mut h = redis::start(config(&s, Some(Layout::Scope), 180), Delivery::Lossy).unwrap();
    assert_eq!(collect(&mut h, 2), [frame("old"), frame("new")]);
}

/// In one transaction (no reader can take one before the trim): the frames of `ids` added, then
/// the stream cut to its last three.
fn add_and_trim(
    c: &mut ::redis::Connection,
    key: &str,
    ids: std::ops::Range<usize>,
    frame: &dyn Fn(usize) -> String,
) {
    let _: () = ::redis::cmd("MULTI").query(c).unwrap();
    for i in ids {
        xadd(c, key, "*", &format!("E{i}"), "node-a", WS, &frame(i));
    }
    let _: ::redis::Value = ::redis::cmd("XTRIM")
        .arg(key)
        .arg("MAXLEN")
        .arg(3)
        .query(c)
        .unwrap();
    let _: ::redis::Value = ::redis::cmd("EXEC").query(c).unwrap();
}

/// Wait until the reader's status holds more gaps than `before`.
fn wait_for_gap(h: &redis::RedisHandle, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.state.borrow().gaps.len() == before {
        assert!(Instant::now() < deadline, "no gap marked");
        std::thread::sleep(Duration::from_millis(20));
    }
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
    let mut h = redis::start(config(&s, Some(Layout::Scope), 30), Delivery::Lossy).unwrap();
    assert_eq!(collect(&mut h, 5), (0..5).map(frame).collect::<Vec<_>>());
    // The stream is younger than --since: that window is the one gap so far.
    let history_gaps = h.state.borrow().gaps.len();
    assert_eq!(history_gaps, 1);

    // Restart: the reader reconnects and goes on after its last id; nothing retained is lost.
    let s = s.restart();
    let mut c = s.conn();
    for i in 5..8 {
        xadd(&mut c, &key, "*", &format!("E{i}"), "node-b", WS, &frame(i));
    }
    assert_eq!(collect(&mut h, 3), (5..8).map(frame).collect::<Vec<_>>());
    assert_eq!(
        h.state.borrow().gaps.len(),
        history_gaps,
        "no new gap: everything was still retained"
    );

    // Restart again, and trim past the last id while the reader is away: a gap is marked.
    let s = s.restart();
    let mut c = s.conn();
    // In one transaction: a reader already back must not take entries before the trim.
    add_and_trim(&mut c, &key, 8..14, &frame);
    assert_eq!(collect(&mut h, 3), (11..14).map(frame).collect::<Vec<_>>());
    wait_for_gap(&h, history_gaps);
    drop(s);
}

/// A reader still connected but behind its stream's length limit: entries trimmed before it
/// read them are a gap too, not only after a reconnect.
#[test]
fn a_trim_past_a_connected_reader_is_a_gap() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let frame = |i: usize| format!(r#"{{"type":"task:queued","payload":{{"task_id":"t{i}"}}}}"#);
    let mut c = s.conn();
    for i in 0..3 {
        xadd(&mut c, &key, "*", &format!("E{i}"), "node-a", WS, &frame(i));
    }
    let mut h = redis::start(config(&s, Some(Layout::Scope), 30), Delivery::Lossy).unwrap();
    assert_eq!(collect(&mut h, 3), (0..3).map(frame).collect::<Vec<_>>());
    let before = h.state.borrow().gaps.len();
    // Six added and the stream cut to its last three at once: three were never readable.
    add_and_trim(&mut c, &key, 3..9, &frame);
    assert_eq!(collect(&mut h, 3), (6..9).map(frame).collect::<Vec<_>>());
    wait_for_gap(&h, before);
    let gaps = h.state.borrow().gaps.clone();
    assert_eq!(gaps.len(), before + 1, "one trim, one gap: {gaps:?}");
    drop(s);
}

#[test]
fn the_reader_never_writes() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    fill(&s, &key, &key);
    let mut c = s.conn();
    let before: i64 = ::redis::cmd("XLEN").arg(&key).query(&mut c).unwrap();
    let mut h = redis::start(config(&s, None, 30), Delivery::Lossy).unwrap();
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
    let err = redis::start(config(&s, None, 30), Delivery::Lossy)
        .err()
        .unwrap();
    assert!(
        matches!(&err, failwatch::source::SourceError::Refused(m) if m.contains("no stream for workspace")),
        "{err}"
    );
    let out = failwatch()
        .args(["tail", "--redis", &s.url(), "--workspace", WS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no stream for workspace"));
}

fn failed(task: &str) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"{task}","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"timeout","retry_pending":false}}}}"#
    )
}

#[test]
fn when_both_layouts_exist_the_stream_with_the_newest_entry_is_followed() {
    // A per-scope stream left from an earlier relay mode is never trimmed; it still EXISTS.
    let s = Server::start();
    let mut c = s.conn();
    let stale = redis::stream_key(Layout::Scope, WS);
    let live = redis::stream_key(Layout::Sharded { shards: 8 }, WS);
    let hour_ago = now_ms() - 3600 * 1000;
    xadd(
        &mut c,
        &stale,
        &format!("{hour_ago}-0"),
        "OLD",
        "node-a",
        WS,
        &failed("old"),
    );
    xadd(&mut c, &live, "*", "NEW", "node-a", WS, &failed("new"));
    let mut h = redis::start(config(&s, None, 180), Delivery::Lossy).unwrap();
    assert_eq!(h.key, live);
    assert_eq!(collect(&mut h, 1), [failed("new")]);
}

#[test]
fn following_starts_at_the_streams_last_entry_not_at_dollar() {
    // Entries added between the backfill and the first blocking read are not lost.
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let mut c = s.conn();
    let hour_ago = now_ms() - 3600 * 1000;
    xadd(
        &mut c,
        &key,
        &format!("{hour_ago}-0"),
        "OLD",
        "node-a",
        WS,
        &failed("old"),
    );
    let mut reader = redis::Reader::open(config(&s, Some(Layout::Scope), 5)).unwrap();
    assert_eq!(reader.backfill(|_| {}).unwrap(), 0, "nothing in the window");
    xadd(&mut c, &key, "*", "RACE", "node-a", WS, &failed("race"));
    let mut got = Vec::new();
    reader
        .follow_once(|batch| got.extend(batch.entries.into_iter().map(|e| e.payload_json.unwrap())))
        .unwrap();
    assert_eq!(got, [failed("race")]);
}

#[test]
fn history_shorter_than_since_is_a_gap_in_the_status_and_in_tail() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let mut c = s.conn();
    // The oldest retained entry is 10 minutes old (upstream trims to about that); --since 2h.
    let first = now_ms() - 10 * 60 * 1000;
    xadd(
        &mut c,
        &key,
        &format!("{first}-0"),
        "FIRST",
        "node-a",
        WS,
        &failed("t1"),
    );
    let h = redis::start(config(&s, Some(Layout::Scope), 120), Delivery::Lossy).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.state.borrow().gaps.is_empty() {
        assert!(Instant::now() < deadline, "no gap for the missing history");
        std::thread::sleep(Duration::from_millis(20));
    }
    let gap = h.state.borrow().gaps[0].clone();
    assert_eq!(gap.to.unwrap().timestamp_millis(), first as i64);
    let wanted_from = now_ms() as i64 - 120 * 60 * 1000;
    assert!((gap.from.timestamp_millis() - wanted_from).abs() < 10_000);

    let lines = tail_redis(&s, &["--since", "2h"], 1);
    let gap: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert!(
        gap["gap"]["why"].as_str().unwrap().contains("history"),
        "{gap}"
    );
    let row: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(row["task_id"], "t1");
}

/// Run `tail --redis` until it printed `n` failures (then stop it); its stdout lines, gap
/// lines included.
fn tail_redis(s: &Server, extra: &[&str], n: usize) -> Vec<String> {
    let args = ["--workspace", WS, "--layout", "scope"];
    tail_redis_with(s, &[&args, extra].concat(), n, || {})
}

/// `tail --redis` with `args` until `n` failures were printed; `meanwhile` runs once the first
/// arrived.
fn tail_redis_with(s: &Server, args: &[&str], n: usize, meanwhile: impl FnOnce()) -> Vec<String> {
    use std::io::BufRead;
    let mut child = failwatch()
        .args(["tail", "--redis", &s.url()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first, arrived) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut failures = 0;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            failures += usize::from(!line.starts_with("{\"gap\""));
            lines.push(line);
            let _ = first.send(());
            if failures == n {
                break;
            }
        }
        lines
    });
    if arrived.recv_timeout(Duration::from_secs(60)).is_ok() {
        meanwhile();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while !reader.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap()
}

#[test]
fn a_large_backfill_through_tail_loses_nothing() {
    // tail applies backpressure: every entry of a 200k-entry backfill is printed, even into a
    // pipe read slower than Redis delivers.
    const N: usize = 200_000;
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let mut c = s.conn();
    for chunk in (0..N).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = ::redis::pipe();
        for i in chunk {
            pipe.cmd("XADD")
                .arg(&key)
                .arg("*")
                .arg(&[
                    "event_id",
                    &format!("E{i:07}"),
                    "scope",
                    "workspace",
                    "scope_id",
                    WS,
                ])
                .arg(&["payload_json", &failed(&format!("t{i}"))])
                .ignore();
        }
        let _: () = pipe.query(&mut c).unwrap();
    }
    let lines = tail_redis(&s, &["--since", "1h"], N);
    let rows: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("gap").is_none())
        .collect();
    assert_eq!(rows.len(), N, "every entry printed");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["task_id"], format!("t{i}"), "in order, none skipped");
    }
}

#[test]
fn an_entry_id_at_the_end_of_the_calendar_does_not_panic() {
    let s = Server::start();
    let key = redis::stream_key(Layout::Scope, WS);
    let mut c = s.conn();
    xadd(&mut c, &key, "*", "NOW", "node-a", WS, &failed("now"));
    xadd(
        &mut c,
        &key,
        "8210266876799999-1",
        "END",
        "node-a",
        WS,
        &failed("end"),
    );
    let lines = tail_redis(&s, &[], 2);
    let tasks: Vec<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("gap").is_none())
        .map(|v| v["task_id"].to_string())
        .collect();
    assert_eq!(tasks, ["\"now\"", "\"end\""]);
}

#[test]
fn a_redis_password_never_shows_in_messages() {
    let s = Server::start();
    let mut c = s.conn();
    let _: String = ::redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("rightPassw0rd")
        .query(&mut c)
        .unwrap();
    let url = format!("redis://:Wr0ngPassw0rdValue@127.0.0.1:{}/", s.port);
    let closed = format!("redis://:Wr0ngPassw0rdValue@127.0.0.1:{}/", {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    });
    for url in [url, closed] {
        let out = failwatch()
            .args(["tail", "--redis", &url, "--workspace", WS])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(!stderr.contains("Wr0ngPassw0rd"), "{stderr}");
        assert!(stderr.contains("127.0.0.1"), "says where: {stderr}");
    }
}

#[test]
fn a_layout_given_by_hand_whose_stream_is_missing_is_reported_not_waited_on() {
    let s = Server::start();
    let out = failwatch()
        .args([
            "tail",
            "--redis",
            &s.url(),
            "--workspace",
            WS,
            "--layout",
            "sharded",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no stream ws:relay:shard:"), "{err}");
}

/// Three workspaces' failures, and failures of another scope that no workspace has.
const FLEET: [(&str, usize); 3] = [
    ("5b1c2d3e-0000-4000-8000-0000000000e1", 3),
    ("5b1c2d3e-0000-4000-8000-0000000000e2", 5),
    ("5b1c2d3e-0000-4000-8000-0000000000e3", 2),
];

fn fleet_failure(workspace: usize, n: usize) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"5b1c2d3e-0000-4000-8000-{workspace:04}{n:08}","failure_reason":"runtime_offline"}}}}"#
    )
}

/// Failures per workspace in `tail` rows.
fn per_workspace(rows: &[String]) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for row in rows.iter().filter(|r| !r.starts_with("{\"gap\"")) {
        let v: serde_json::Value = serde_json::from_str(row).unwrap();
        *out.entry(v["workspace"].as_str().unwrap_or("(none)").to_owned())
            .or_default() += 1;
    }
    out
}

#[test]
fn every_workspace_in_both_layouts_and_no_other_scope() {
    for layout in [Layout::Scope, Layout::Sharded { shards: 8 }] {
        let s = Server::start();
        let mut c = s.conn();
        let mut seq = 0;
        for (w, (workspace, n)) in FLEET.iter().enumerate() {
            for i in 0..*n {
                seq += 1;
                let key = redis::stream_key(layout, workspace);
                let frame = fleet_failure(w, i);
                xadd(
                    &mut c,
                    &key,
                    "*",
                    &format!("F{seq}"),
                    "node-a",
                    workspace,
                    &frame,
                );
            }
        }
        // Another scope's failures: in a shard every scope is mixed; a per-scope stream that is
        // not a workspace's is never read, and an entry labelled another workspace is skipped.
        let user = redis::stream_key(Layout::Sharded { shards: 8 }, FLEET[0].0);
        let frame = fleet_failure(9, 0);
        xadd_scoped(
            &mut c, &user, "*", "U1", "node-a", "user", "someone", &frame,
        );
        xadd_scoped(
            &mut c,
            "ws:scope:user:someone:stream",
            "*",
            "U2",
            "node-a",
            "user",
            "someone",
            &frame,
        );
        let second = redis::stream_key(Layout::Scope, FLEET[1].0);
        xadd(&mut c, &second, "*", "U3", "node-a", FLEET[2].0, &frame);

        let name = match layout {
            Layout::Scope => "scope",
            Layout::Sharded { .. } => "sharded",
        };
        let total: usize = FLEET.iter().map(|(_, n)| n).sum();
        let rows = tail_redis_with(
            &s,
            &[
                "--all-workspaces",
                "--layout",
                name,
                "--format",
                "jsonl",
                "--server",
                "octo",
            ],
            total,
            || {},
        );
        let want: std::collections::BTreeMap<String, usize> =
            FLEET.iter().map(|(w, n)| (w.to_string(), *n)).collect();
        assert_eq!(per_workspace(&rows), want, "{name}: {rows:?}");
        assert!(
            rows.iter().all(|r| !r.contains("8000-000900000000")),
            "{name}: no other scope's failure"
        );
    }
}

#[test]
fn a_workspace_stream_made_while_following_is_read_too() {
    let s = Server::start();
    let mut c = s.conn();
    let first = redis::stream_key(Layout::Scope, FLEET[0].0);
    xadd(
        &mut c,
        &first,
        "*",
        "A1",
        "node-a",
        FLEET[0].0,
        &fleet_failure(0, 0),
    );
    let later = redis::stream_key(Layout::Scope, FLEET[1].0);
    let url = s.url();
    let rows = tail_redis_with(
        &s,
        &["--all-workspaces", "--format", "jsonl", "--server", "octo"],
        2,
        move || {
            let mut c = ::redis::Client::open(url)
                .unwrap()
                .get_connection()
                .unwrap();
            xadd(
                &mut c,
                &later,
                "*",
                "B1",
                "node-a",
                FLEET[1].0,
                &fleet_failure(1, 0),
            );
        },
    );
    let want: std::collections::BTreeMap<String, usize> =
        [(FLEET[0].0.to_owned(), 1), (FLEET[1].0.to_owned(), 1)].into();
    assert_eq!(per_workspace(&rows), want, "{rows:?}");
}

#[test]
fn all_workspaces_is_refused_where_it_cannot_mean_anything() {
    let out = failwatch()
        .args(["tail", "--all-workspaces", "--url", "ws://127.0.0.1:9/ws"])
        .env("FAILWATCH_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--redis"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.jsonl");
    std::fs::write(&file, "").unwrap();
    let out = failwatch()
        .args(["tail", "--all-workspaces"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("workspace:"));
}
