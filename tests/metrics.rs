//! `--metrics ADDR` end to end: the real binary on a terminal (tmux), scraped over HTTP, its
//! exposition checked by Prometheus's own `promtool`.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};

use failwatch::source::demo;
use support::cmd::failwatch;
use support::scrape::{free_port, get, samples, scrape_until, sum};
use support::tmux::{dashboard, dashboard_with, Tmux};

mod support;

/// Every family a live source's exposition has once frames came in.
const FAMILIES: [&str; 12] = [
    "failwatch_failures_total",
    "failwatch_notifications_total",
    "failwatch_lost_notifications_total",
    "failwatch_chat_leaks_total",
    "failwatch_frames_total",
    "failwatch_frames_rejected_total",
    "failwatch_frames_dropped_total",
    "failwatch_duplicate_frames_total",
    "failwatch_gaps_total",
    "failwatch_reconnects_total",
    "failwatch_connection_state",
    "failwatch_last_frame_age_seconds",
];

/// `promtool check metrics` on the text: it must be installed (Debian's `prometheus` package,
/// which .ci/run installs) and find nothing wrong.
fn promtool_accepts(text: &str) {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.unwrap_or_else(|e| {
        panic!("promtool is needed to check the exposition ({e}): apt-get install prometheus")
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool rejected the exposition:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_demo_serves_metrics_that_promtool_accepts_and_failures_grow_per_reason() {
    let port = free_port();
    let tmux = Tmux::start(&dashboard(&format!(
        "demo --lang en --metrics 127.0.0.1:{port}"
    )));
    let first = scrape_until(port, "failures of two reasons", |s| {
        s.keys()
            .filter(|k| k.starts_with("failwatch_failures_total{reason="))
            .count()
            >= 2
    });
    for family in FAMILIES {
        assert!(
            first.contains(&format!("# TYPE {family} ")),
            "{family} missing:\n{first}"
        );
        assert!(first.contains(&format!("# HELP {family} ")), "{family}");
    }
    let before = sum(&samples(&first), "failwatch_failures_total");
    let s = samples(&first);
    assert_eq!(s[r#"failwatch_connection_state{state="live"}"#], 1.0);
    assert_eq!(sum(&s, "failwatch_connection_state"), 1.0);
    assert!(sum(&s, "failwatch_frames_total") >= before);
    promtool_accepts(&first);
    // The demo's incident goes on: more failures, and no series ever goes down.
    let later = scrape_until(port, "more failures", |s| {
        sum(s, "failwatch_failures_total") > before
    });
    for (series, v) in samples(&first) {
        if series.starts_with("failwatch_") && series.contains("_total") {
            let now = samples(&later).get(&series).copied().unwrap_or(0.0);
            assert!(now >= v, "{series} went down: {v} → {now}");
        }
    }
    promtool_accepts(&later);
    let (status, _) = get(port, "/").unwrap();
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let (status, _) = get(port, "/metrics/x").unwrap();
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
    assert!(
        get(port, "/metrics").is_none(),
        "the server stops with the dashboard"
    );
}

#[test]
fn a_taken_metrics_address_exits_2_before_the_dashboard_starts() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let tmux = Tmux::start(&dashboard(&format!("demo --metrics 127.0.0.1:{port}")));
    let screen = tmux.wait_for("FAILWATCH-EXITED-");
    assert!(screen.contains("FAILWATCH-EXITED-2"), "{screen}");
    assert!(
        screen.contains(&format!("cannot serve metrics on 127.0.0.1:{port}")),
        "{screen}"
    );
    assert!(
        screen.contains("give --metrics another address"),
        "{screen}"
    );
    assert!(!screen.contains("panicked"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_metrics_count_a_reconnect_and_its_gap_and_no_replayed_failure_twice() {
    let server = demo::serve_with(0, true, demo::HubLimits::default())
        .await
        .unwrap();
    let port = free_port();
    let _tmux = Tmux::start(&dashboard_with(
        &[("FAILWATCH_TOKEN", demo::DEMO_TOKEN)],
        &format!(
            "live --url {} --workspace {} --no-api --metrics 127.0.0.1:{port}",
            server.url(),
            demo::DEMO_WORKSPACE
        ),
    ));
    let scrape = move |what: &'static str, done: fn(&BTreeMap<String, f64>) -> bool| {
        tokio::task::spawn_blocking(move || scrape_until(port, what, done))
    };
    scrape("the live state", is_live).await.unwrap();
    server.publish(failed("t1", "timeout"));
    server.publish(failed("t2", "timeout"));
    server.publish(failed("t3", ""));
    scrape("three failures", |s| {
        s.get(r#"failwatch_failures_total{reason="timeout"}"#) == Some(&2.0)
            && s.get(r#"failwatch_failures_total{reason="none"}"#) == Some(&1.0)
    })
    .await
    .unwrap();
    // Every client is cut off; the source reconnects and the node delivers its recent frames
    // again, which are counted once.
    server.restart_node();
    scrape("a reconnect and its gap", |s| {
        s.get("failwatch_reconnects_total") >= Some(&1.0)
            && s.get("failwatch_gaps_total") >= Some(&1.0)
            && s.get(r#"failwatch_connection_state{state="live"}"#) == Some(&1.0)
    })
    .await
    .unwrap();
    server.publish(failed("t4", "timeout"));
    let body = scrape("the failure after the reconnect", |s| {
        s.get(r#"failwatch_failures_total{reason="timeout"}"#) == Some(&3.0)
    })
    .await
    .unwrap();
    let s = samples(&body);
    assert_eq!(sum(&s, "failwatch_failures_total"), 4.0, "{body}");
    assert_eq!(
        s["failwatch_duplicate_frames_total"], 3.0,
        "the three frames delivered again: {body}"
    );
    promtool_accepts(&body);
}

/// A fork-shaped failure frame.
fn failed(task: &str, reason: &str) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"{task}","failure_reason":"{reason}"}}}}"#
    )
}

/// The source says it is live.
fn is_live(s: &BTreeMap<String, f64>) -> bool {
    s.get(r#"failwatch_connection_state{state="live"}"#) == Some(&1.0)
}

/// `watch` on a live server: metrics served while it waits, the first alert printed, exit 5.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_serves_metrics_until_a_rule_fires_then_exits_5() {
    let server = demo::serve_with(0, true, demo::HubLimits::default())
        .await
        .unwrap();
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("config.toml");
    std::fs::write(
        &rules,
        "[[alerts]]\nname = \"timeouts\"\nfilter = \"reason:timeout\"\ncount = 2\nwindow = \"10m\"\n",
    )
    .unwrap();
    let child = failwatch()
        .args([
            "watch",
            "--url",
            &server.url(),
            "--workspace",
            demo::DEMO_WORKSPACE,
        ])
        .arg("--config")
        .arg(&rules)
        .args(["--metrics", &format!("127.0.0.1:{port}")])
        .env("FAILWATCH_TOKEN", demo::DEMO_TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::task::spawn_blocking(move || scrape_until(port, "the live state", is_live))
        .await
        .unwrap();
    server.publish(failed("t1", "timeout"));
    let body = tokio::task::spawn_blocking(move || {
        scrape_until(port, "one failure", |s| {
            s.get(r#"failwatch_failures_total{reason="timeout"}"#) == Some(&1.0)
        })
    })
    .await
    .unwrap();
    promtool_accepts(&body);
    server.publish(failed("t2", "agent_error"));
    server.publish(failed("t3", "timeout"));
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("ALERT ")
            && stdout.contains(" timeouts: 2 matching failures within 10m"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

/// A flood of slow clients holds at most the metrics' own connection slots: the process keeps
/// its file descriptors for the live source. Scraping works again once they are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_clients_holds_a_bounded_number_of_descriptors() {
    let server = demo::serve_with(0, true, demo::HubLimits::default())
        .await
        .unwrap();
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch_forever(&server.url(), &format!("127.0.0.1:{port}"), dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::task::spawn_blocking(move || scrape_until(port, "the live state", is_live))
        .await
        .unwrap();
    let descriptors = |pid: u32| {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap()
            .count()
    };
    let before = descriptors(child.id());
    // 300 clients that send half a request and wait.
    let mut slow = Vec::new();
    for _ in 0..300 {
        use std::io::Write;
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = c.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n");
        slow.push(c);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let during = descriptors(child.id());
    assert!(
        during <= before + failwatch::metrics::MAX_CONNECTIONS + 4,
        "{before} descriptors before, {during} during the flood"
    );
    drop(slow);
    tokio::task::spawn_blocking(move || scrape_until(port, "a scrape after", is_live))
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
}

/// Metrics bound to every interface are said on stderr: anyone on the network can read them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_every_interface_are_said() {
    let server = demo::serve_with(0, true, demo::HubLimits::default())
        .await
        .unwrap();
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch_forever(&server.url(), &format!("0.0.0.0:{port}"), dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(stderr)
            .read_line(&mut line)
            .map(|_| line)
    });
    let line = tokio::time::timeout(std::time::Duration::from_secs(10), first)
        .await
        .expect("a line on stderr")
        .unwrap()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("every network interface"), "{line}");
}

/// `watch` of a live server with a rule that never fires, serving metrics at `addr` until it is
/// killed (its rules written in `dir`).
fn watch_forever(url: &str, addr: &str, dir: &std::path::Path) -> std::process::Command {
    let rules = dir.join("config.toml");
    let never =
        "[[alerts]]\nname = \"never\"\nfilter = \"reason:none_such\"\ncount = 1\nwindow = \"1m\"\n";
    std::fs::write(&rules, never).unwrap();
    let mut cmd = failwatch();
    cmd.args(["watch", "--url", url, "--workspace", demo::DEMO_WORKSPACE])
        .arg("--config")
        .arg(&rules)
        .args(["--metrics", addr])
        .env("FAILWATCH_TOKEN", demo::DEMO_TOKEN)
        .stdout(Stdio::null());
    cmd
}
