//! The live source against in-process WebSocket servers: handshake and auth errors, reconnect
//! after an abrupt drop with the gap marked, malformed and oversized frames, a consumer that
//! never reads, record-then-replay, and a recorder killed with SIGKILL.

use std::io::BufReader;
use std::process::Stdio;
use std::time::Duration;

use failwatch::capture::{CaptureReader, CaptureWriter, Line};
use failwatch::feed::{Feed, FeedEvent};
use failwatch::filter::Filter;
use failwatch::ingest::read::{summarize, Capture};
use failwatch::ingest::Pipeline;
use failwatch::output::summary_json;
use failwatch::source::demo;
use failwatch::source::ws::{self, LiveConfig, Token};
use failwatch::source::{Delivery, SourceError, SourceHandle};
use support::cmd::failwatch;
use support::hub::{After, Conn};

mod support;

const SAMPLE: &str = include_str!("data/sample-capture.jsonl");

/// A scripted server: for connection number `n`, send `scripts[n].0` after auth, then drop the
/// TCP connection abruptly (`.1`) or stay open.
async fn scripted_server(scripts: Vec<(Vec<String>, bool)>) -> String {
    let conns = scripts
        .into_iter()
        .map(|(frames, drop_after)| {
            Conn::Serve(frames, if drop_after { After::Drop } else { After::Stay })
        })
        .collect();
    support::hub::scripted(conns).await
}

fn config(url: &str) -> LiveConfig {
    LiveConfig {
        url: url.into(),
        workspace: "w".into(),
        token: Token::new("t"),
    }
}

fn frame(i: usize) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","failure_reason":"timeout","retry_pending":false}}}}"#
    )
}

#[tokio::test]
async fn reconnects_after_an_abrupt_drop_marks_the_gap_and_loses_nothing_sent_after() {
    let first: Vec<String> = (0..5).map(frame).collect();
    let second: Vec<String> = (5..10).map(frame).collect();
    let url = scripted_server(vec![(first, true), (second, false)]).await;
    let mut handle = ws::start(config(&url), Delivery::Lossy, None)
        .await
        .unwrap();
    let mut got = Vec::new();
    while got.len() < 10 {
        let f = tokio::time::timeout(Duration::from_secs(20), handle.frames.recv())
            .await
            .expect("frames")
            .unwrap();
        got.push(f.text);
    }
    assert_eq!(
        got,
        (0..10).map(frame).collect::<Vec<_>>(),
        "in order, no duplicate, none lost"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let state = handle.state.borrow().clone();
    assert_eq!(state.gaps.len(), 1, "{state:?}");
    assert!(
        Some(state.gaps[0].from) <= state.gaps[0].to,
        "closed once reconnected"
    );
    assert!(failwatch::ui::header::describe(
        &state,
        chrono::Utc::now(),
        failwatch::output::Locale::new(failwatch::catalog::Lang::En, failwatch::tz::Zone::Utc)
    )
    .contains("events may be missing"));
    handle.task.abort();
}

#[tokio::test]
async fn malformed_and_oversized_frames_are_counted_not_fatal() {
    let huge = format!(
        r#"{{"type":"task:failed","payload":{{"error":"{}"}}}}"#,
        "x".repeat(5 << 20)
    );
    let frames = vec![
        "{not json".to_owned(),
        "[1]".to_owned(),
        huge,
        r#"{"type":"task:failed","payload":7}"#.to_owned(),
        frame(1),
    ];
    let url = scripted_server(vec![(frames, false)]).await;
    let mut handle = ws::start(config(&url), Delivery::Lossy, None)
        .await
        .unwrap();
    let mut p = Pipeline::new(10);
    for _ in 0..5 {
        let f = tokio::time::timeout(Duration::from_secs(20), handle.frames.recv())
            .await
            .unwrap()
            .unwrap();
        p.push_frame(f.received_at, &f.text, |_| {});
    }
    let r = &p.stats().rejected;
    assert_eq!(
        (
            r["not_json"],
            r["not_object"],
            r["too_large"],
            r["payload_not_object"]
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(p.store().agg.failures, 1);
    handle.task.abort();
}

#[tokio::test]
async fn a_consumer_that_never_reads_does_not_stall_the_reader() {
    // Frames of exactly 256 KiB: the channel's 64 MiB hold 256 of them; the rest are dropped
    // and counted, and the reader keeps reading.
    let padded = |i: usize| {
        let head = format!(r#"{{"type":"pong","i":{i},"pad":""#);
        format!("{head}{}\"}}", "x".repeat(256 * 1024 - head.len() - 2))
    };
    assert_eq!(padded(7).len(), 256 * 1024);
    let frames: Vec<String> = (0..1000).map(padded).collect();
    let url = scripted_server(vec![(frames, false)]).await;
    let handle = ws::start(config(&url), Delivery::Lossy, None)
        .await
        .unwrap();
    let mut state = handle.state.clone();
    tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| s.received == 1000),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(handle.state.borrow().dropped, 1000 - 256);
    handle.task.abort();
}

#[tokio::test]
async fn the_feed_counts_every_frame_received_without_a_status_event_per_frame() {
    // Counting a frame wakes no one: the feed reads the counts as it takes frames in, so the
    // header's count is exact once the frames are in, and a busy stream is not a storm of
    // status changes (each would be a clone of the status and a pass of the UI).
    const N: usize = 2000;
    let frames: Vec<String> = (0..N).map(frame).collect();
    let url = scripted_server(vec![(frames, false)]).await;
    let h = ws::start(config(&url), Delivery::Lossless, None)
        .await
        .unwrap();
    let source = SourceHandle::from_parts(h.frames, h.state, "test".into());
    let mut feed = Feed::live(Pipeline::new(N), source);
    let mut status_events = 0;
    while feed.pipeline.stats().frames < N as u64 {
        match tokio::time::timeout(Duration::from_secs(20), feed.next())
            .await
            .unwrap()
        {
            FeedEvent::Status => status_events += 1,
            FeedEvent::Ended => panic!("the source ended early"),
            _ => {}
        }
    }
    let status = feed.status.as_ref().unwrap();
    assert_eq!(status.received, N as u64);
    assert_eq!(status.dropped, 0);
    assert!(status.last_frame_at.is_some());
    // Connecting, then live: a handful of changes, not one per frame.
    assert!(status_events < 10, "{status_events} status events");
    h.task.abort();
}

#[tokio::test]
async fn record_then_replay_gives_the_same_summary_as_the_live_run() {
    let frames: Vec<String> = SAMPLE
        .lines()
        .filter_map(
            |l| match failwatch::capture::parse_line(l.as_bytes(), true, None) {
                Line::Frame { text, .. } => Some(text),
                _ => None,
            },
        )
        .collect();
    let n = frames.len();
    let url = scripted_server(vec![(frames, false)]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.jsonl");
    let rec = CaptureWriter::create(&path, &url, false, false).unwrap();
    let rec = std::sync::Arc::new(std::sync::Mutex::new(rec));
    let mut handle = ws::start(config(&url), Delivery::Lossy, Some(rec))
        .await
        .unwrap();
    let mut live = Pipeline::new(0);
    for _ in 0..n {
        let f = tokio::time::timeout(Duration::from_secs(20), handle.frames.recv())
            .await
            .unwrap()
            .unwrap();
        live.push_frame_of(f.workspace.as_ref(), f.received_at, &f.text, |_| {});
    }
    handle.task.abort();
    let (replayed, agg) = summarize(
        Capture::Stream(Box::new(BufReader::new(
            std::fs::File::open(&path).unwrap(),
        ))),
        &Filter::default(),
        chrono::Utc::now(),
        Pipeline::new(0),
    )
    .unwrap();
    let live_agg = live.take_aggregates();
    let mut a = serde_json::from_str::<serde_json::Value>(&summary_json(&live, &live_agg)).unwrap();
    let mut b = serde_json::from_str::<serde_json::Value>(&summary_json(&replayed, &agg)).unwrap();
    // Secrets were masked on the way into the capture: everything else is identical.
    for v in [&mut a, &mut b] {
        v["masked_secrets"] = 0.into();
    }
    assert_eq!(a, b);
    assert_eq!(b["failures"], 28);
}

#[tokio::test]
async fn auth_and_http_errors_exit_3_with_the_servers_message() {
    let server = demo::serve(0, 1, failwatch::routing::Family::Octo)
        .await
        .unwrap();
    let url = server.url();
    let run = |workspace: &'static str, token: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            failwatch()
                .args(["tail", "--url", &url, "--workspace", workspace])
                .env("FAILWATCH_TOKEN", token)
                .output()
                .unwrap()
        })
    };
    let out = run("demo", "wrong").await.unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid token") && err.contains("FAILWATCH_TOKEN"),
        "{err}"
    );
    assert!(!err.contains("wrong"), "the token is never printed: {err}");

    let out = run("no-such-workspace", demo::DEMO_TOKEN).await.unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("workspace not found"));

    assert!(matches!(
        ws::connect(&LiveConfig {
            url: "ws://127.0.0.1:9/ws".into(),
            ..config(&url)
        })
        .await,
        Err(SourceError::Transient(_))
    ));
    let out = failwatch()
        .args(["tail", "--url", "ws://127.0.0.1:9/ws", "--workspace", "w"])
        .env("FAILWATCH_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "connection refused");
    let out = failwatch()
        .args(["tail", "--url", &url, "--workspace", "demo"])
        .env_remove("FAILWATCH_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no token");
    // Our own words as written: the secret rules once read `token: set` as a credential.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "failwatch: no token: set FAILWATCH_TOKEN or pass --token-file FILE\n"
    );
    server.task.abort();
}

#[tokio::test]
async fn a_recorder_killed_with_sigkill_leaves_a_replayable_capture() {
    let server = demo::serve(0, 3, failwatch::routing::Family::Upstream)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.jsonl");
    let mut child = failwatch()
        .args([
            "tail",
            "--url",
            &server.url(),
            "--workspace",
            "demo",
            "--record",
        ])
        .arg(&path)
        .env("FAILWATCH_TOKEN", demo::DEMO_TOKEN)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a few recorded frames, then kill without warning.
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if std::fs::read_to_string(&path)
            .map(|s| s.lines().count())
            .unwrap_or(0)
            > 20
        {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read(&path).unwrap();
    let mut reader = CaptureReader::new(&text[..]);
    let (mut frames, mut bad) = (0, 0);
    while let Some(line) = reader.next_line().unwrap() {
        match line {
            Line::Frame { .. } => frames += 1,
            Line::Bad(_) => bad += 1,
            _ => {}
        }
    }
    assert!(frames >= 20, "{frames} frames recorded");
    assert!(bad <= 1, "at most the line in flight is lost");
    let out = failwatch()
        .args(["summary", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    server.task.abort();
}
