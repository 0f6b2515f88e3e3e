//! Real faults against the real binary: a proxy's 503 during a restart, an auth refusal on a
//! reconnect, hostile server texts, credentials in URLs, a frame storm through `tail`, a hub
//! killed and restarted while recording, `watch` across a disconnect, and the demo hub behaving
//! like Multica's (its limits, a node restart that re-delivers).

use std::path::Path;
use std::time::{Duration, Instant};

use failwatch::source::demo::{self, HubLimits};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use support::cmd::failwatch;
use support::hub::{scripted, After, Conn};
use support::secrets::forbidden;
use support::tail::{is_gap, Ended, Tail};
use tokio_tungstenite::tungstenite::Message;

mod support;

fn failed(task: &str) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"{task}","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"timeout","retry_pending":false}}}}"#
    )
}

fn failures(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| failed(&format!("t{i}"))).collect()
}

const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
const TOKEN: &str = "ghp_R4nd0mR4nd0mR4nd0mR4nd0mR4nd0m012345";
const MUL: &str = "mul_0123456789abcdef0123456789abcdef01234567";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.chars().any(forbidden),
        "{what} has a control or format character: {text:?}"
    );
    for secret in [TOKEN, MUL, "R4nd0mR4nd0m", "0123456789abcdef0123456789"] {
        assert!(!text.contains(secret), "{what} shows a secret: {text:?}");
    }
}

/// `failwatch tail --url URL` with the demo's workspace and token.
fn start(url: &str, extra: &[&str]) -> Tail {
    let mut args = vec!["tail", "--url", url, "--workspace", demo::DEMO_WORKSPACE];
    // These servers speak WebSocket only; the REST API has its own tests.
    args.push("--no-api");
    args.extend(extra);
    Tail::spawn(&args, demo::DEMO_TOKEN)
}

fn task_ids(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !is_gap(l))
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["task_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_503_during_a_restart_is_ridden_out_and_the_gap_is_a_line() {
    let url = scripted(vec![
        Conn::Serve(failures(0..3), After::Drop),
        Conn::Http(503, "Service Unavailable", String::new()),
        Conn::Http(
            502,
            "Bad Gateway",
            r#"{"error":"upstream restarting"}"#.into(),
        ),
        Conn::Serve(failures(3..6), After::Stay),
    ])
    .await;
    let mut tail = start(&url, &[]);
    tail.wait_failures(6);
    tail.drain_for(Duration::from_millis(300));
    assert!(tail.still_running(), "a 503 is not the end");
    let Ended {
        code,
        stderr,
        lines,
        ..
    } = tail.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(task_ids(&lines), ["t0", "t1", "t2", "t3", "t4", "t5"]);
    // The disconnect is said where it happened: opened after t2, closed before t3.
    let t2 = lines
        .iter()
        .position(|l| l.contains(r#""task_id":"t2""#))
        .unwrap();
    let t3 = lines
        .iter()
        .position(|l| l.contains(r#""task_id":"t3""#))
        .unwrap();
    let gaps: Vec<Value> = lines[t2..t3]
        .iter()
        .filter(|l| is_gap(l))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!gaps.is_empty(), "{lines:?}");
    let closed = gaps.last().unwrap();
    assert!(
        closed["gap"]["to"].is_string(),
        "closed once back: {closed}"
    );
    assert!(closed["gap"]["why"]
        .as_str()
        .unwrap()
        .contains("disconnected"));
    assert!(
        stderr.contains("6 failures") && stderr.contains("1 gaps"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auth_refusal_on_reconnect_ends_tail_with_exit_3_and_the_cleaned_message() {
    let url = scripted(vec![
        Conn::Serve(failures(0..2), After::Drop),
        Conn::AuthError(format!("token revoked {HOSTILE} {TOKEN} {MUL}")),
    ])
    .await;
    let Ended {
        code,
        stderr,
        lines,
        log,
    } = start(&url, &[]).finish();
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(task_ids(&lines), ["t0", "t1"]);
    assert!(
        lines.iter().any(|l| is_gap(l)),
        "the open gap is said: {lines:?}"
    );
    assert!(stderr.contains("token revoked"), "{stderr}");
    assert_clean("stderr", &stderr);
    assert_clean("stdout", &lines.join("\n"));
    assert!(log.contains("refused"), "{log}");
    assert_clean("the log", &log);
}

/// A token of no shape any rule knows, with characters that percent-encoding and JSON escape.
const OPAQUE: &str = "sess.9Zq4/Lm+Xr7=Tp2Wv";

/// The token as a server could give it back: as is, percent-encoded, JSON-escaped.
fn echoed(token: &str) -> String {
    let pct: String = token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect();
    format!(
        "invalid token {token}; sent {pct}; as JSON {}",
        token.replace('/', "\\/")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_a_server_echoes_is_never_shown() {
    let url = scripted(vec![Conn::AuthEcho(echoed)]).await;
    let mut args = vec!["tail", "--url", &url, "--workspace", "w", "--no-api"];
    args.extend(["--server", "upstream"]);
    let Ended {
        code, stderr, log, ..
    } = Tail::spawn(&args, OPAQUE).finish();
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("invalid token [REDACTED FAILWATCH TOKEN]"),
        "{stderr}"
    );
    for (what, text) in [("stderr", &stderr), ("the log", &log)] {
        for form in [
            OPAQUE,
            "sess.9Zq4%2FLm%2BXr7%3DTp2Wv",
            "sess.9Zq4\\/Lm+Xr7=Tp2Wv",
        ] {
            assert!(!text.contains(form), "{what} shows {form}: {text}");
        }
        assert!(!text.contains("9Zq4"), "{what}: {text}");
    }

    // A refusal of the upgrade, its body repeating the token.
    let body = serde_json::json!({ "error": echoed(OPAQUE) }).to_string();
    let url = scripted(vec![Conn::Http(401, "Unauthorized", body)]).await;
    let mut args = vec!["tail", "--url", &url, "--workspace", "w", "--no-api"];
    args.extend(["--server", "upstream"]);
    let Ended { code, stderr, .. } = Tail::spawn(&args, OPAQUE).finish();
    assert_eq!(code, Some(3));
    assert!(stderr.contains("[REDACTED FAILWATCH TOKEN]"), "{stderr}");
    assert!(!stderr.contains("9Zq4"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_texts_at_startup_and_in_close_reasons_reach_no_output_raw() {
    // At startup: the auth error goes to stderr.
    let url = scripted(vec![Conn::AuthError(format!("denied {HOSTILE} {TOKEN}"))]).await;
    let Ended { code, stderr, .. } = start(&url, &[]).finish();
    assert_eq!(code, Some(3));
    assert!(stderr.contains("denied"), "{stderr}");
    assert_clean("stderr", &stderr);

    // An HTTP body at startup.
    let body = serde_json::json!({ "error": format!("boom {HOSTILE} {MUL}") }).to_string();
    let url = scripted(vec![Conn::Http(401, "Unauthorized", body)]).await;
    let Ended { code, stderr, .. } = start(&url, &[]).finish();
    assert_eq!(code, Some(3), "401 is a refusal");
    assert_clean("stderr", &stderr);

    // A close reason goes to the log and into the gap's why.
    let url = scripted(vec![
        Conn::Serve(
            failures(0..1),
            After::Close(format!("bye {HOSTILE} {TOKEN}")),
        ),
        Conn::Serve(failures(1..2), After::Stay),
    ])
    .await;
    let mut tail = start(&url, &[]);
    tail.wait_failures(2);
    tail.drain_for(Duration::from_millis(300));
    let Ended {
        stderr, lines, log, ..
    } = tail.interrupt();
    assert!(log.contains("connection lost"), "{log}");
    assert_clean("the log", &log);
    assert_clean("stdout", &lines.join("\n"));
    assert_clean("stderr", &stderr);
    let gap = lines.iter().find(|l| is_gap(l)).expect("a gap line");
    assert!(gap.contains("bye"), "the reason is kept, cleaned: {gap}");
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_in_the_url_never_show_in_messages() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("ws://bob:UrlPw999@127.0.0.1:{port}/ws?access_token={MUL}");
    let Ended { code, stderr, .. } = start(&url, &[]).finish();
    assert_eq!(code, Some(3));
    assert!(stderr.contains("127.0.0.1"), "says where: {stderr}");
    assert!(!stderr.contains("UrlPw999"), "{stderr}");
    assert_clean("stderr", &stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_of_500k_frames_through_tail_loses_none() {
    const N: usize = 500_000;
    let url = scripted(vec![Conn::Serve(failures(0..N), After::Stay)]).await;
    let mut tail = start(&url, &[]);
    tail.wait_failures(N);
    let Ended {
        code,
        stderr,
        lines,
        ..
    } = tail.interrupt();
    assert_eq!(code, Some(0));
    let ids = task_ids(&lines);
    assert_eq!(ids.len(), N);
    assert!(
        ids.iter().enumerate().all(|(i, id)| *id == format!("t{i}")),
        "in order"
    );
    assert!(
        stderr.contains(&format!("{N} frames, {N} failures; 0 dropped, 0 gaps")),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_and_restarted_is_a_gap_in_tail_in_the_recording_and_in_its_replay() {
    let url = scripted(vec![
        Conn::Serve(failures(0..15), After::Drop),
        Conn::Serve(failures(1000..1002), After::Stay),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let mut tail = start(&url, &["--record", rec.to_str().unwrap()]);
    tail.wait_failures(17);
    tail.drain_for(Duration::from_millis(300));
    let lines = tail.interrupt().lines;
    let t14 = lines
        .iter()
        .position(|l| l.contains(r#""task_id":"t14""#))
        .unwrap();
    let t1000 = lines
        .iter()
        .position(|l| l.contains(r#""task_id":"t1000""#))
        .unwrap();
    assert!(lines[t14..t1000].iter().any(|l| is_gap(l)), "{lines:?}");

    let recording = std::fs::read_to_string(&rec).unwrap();
    assert_eq!(
        recording.lines().filter(|l| l.contains(r#""gap""#)).count(),
        1,
        "{recording}"
    );
    let summary = run(&["summary", "--format", "json"], &rec);
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["gaps"].as_array().unwrap().len(), 1, "{summary}");
    assert_eq!(summary["failures"], 17);
    let text = run(&["tail", "--format", "text", "--lang", "en"], &rec);
    let text: Vec<&str> = text.lines().collect();
    assert_eq!(text.len(), 18, "17 failures and the gap: {text:?}");
    assert!(text[15].starts_with("--- gap") && text[15].contains("events may be missing"));
}

/// A config file holding one count rule: `count` failures within 30 days.
fn count_rule(dir: &Path, count: u32) -> String {
    let path = dir.join("watch.toml");
    std::fs::write(
        &path,
        format!(
            "[[alerts]]\nname = \"piling up\"\nfilter = \"\"\ncount = {count}\nwindow = \"30d\"\n"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

/// `failwatch watch --url URL --config CONFIG`, its standard error read line by line as it
/// comes (stdout holds the alerts).
struct Watch {
    child: std::process::Child,
    errors: std::sync::mpsc::Receiver<String>,
    said: Vec<String>,
}

impl Watch {
    fn start(url: &str, config: &str) -> Watch {
        let mut child = failwatch()
            .args(["watch", "--url", url, "--workspace", demo::DEMO_WORKSPACE])
            .args(["--config", config, "--lang", "en"])
            .env("FAILWATCH_TOKEN", demo::DEMO_TOKEN)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, errors) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Watch {
            child,
            errors,
            said: Vec::new(),
        }
    }

    /// Read standard error until `enough` holds of what was said (at most a minute).
    fn wait_for(&mut self, enough: impl Fn(&[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !enough(&self.said) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.errors.recv_timeout(left) {
                Ok(line) => self.said.push(line),
                Err(_) => panic!("not said in time: {:?}", self.said),
            }
        }
    }

    /// Wait for the end (after an interrupt when `interrupt`): exit code, stdout, all stderr.
    fn end(mut self, interrupt: bool) -> (Option<i32>, String, String) {
        if interrupt {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("watch did not end: {:?}", self.said);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.errors.recv_timeout(Duration::from_millis(500)) {
            self.said.push(line);
        }
        let mut stdout = String::new();
        use std::io::Read;
        let _ = self
            .child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout);
        (status.code(), stdout, self.said.join("\n"))
    }
}

impl Drop for Watch {
    /// A test that failed midway leaves no process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gap lines said on standard error.
fn gap_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("failwatch: --- gap"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_watch_says_a_disconnect_as_it_opens_and_closes_and_counts_it_at_the_end() {
    let url = scripted(vec![
        Conn::Serve(failures(0..3), After::Drop),
        Conn::Serve(failures(3..6), After::Stay),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut watch = Watch::start(&url, &count_rule(dir.path(), 100));
    // Opened when the hub went away, closed once back.
    watch.wait_for(|said| said.iter().filter(|l| l.contains("--- gap")).count() >= 2);
    let (code, stdout, stderr) = watch.end(true);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "", "stdout stays alerts only");
    let gaps = gap_lines(&stderr);
    assert_eq!(gaps.len(), 2, "{stderr}");
    assert!(gaps[0].contains("–now: disconnected"), "{stderr}");
    assert!(!gaps[1].contains("–now"), "closed once back: {stderr}");
    assert!(gaps.iter().all(|g| g.contains("events may be missing")));
    let end = stderr.lines().last().unwrap();
    assert!(
        end.starts_with("failwatch: no alert fired;") && end.contains(" 1 gaps"),
        "{stderr}"
    );
    assert_clean("watch's stderr", &stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_watch_ended_by_an_alert_says_the_gap_before_it() {
    let url = scripted(vec![
        Conn::Serve(failures(0..3), After::Drop),
        Conn::Serve(failures(3..6), After::Stay),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    // Fires at the sixth failure: after the reconnect.
    let (code, stdout, stderr) = Watch::start(&url, &count_rule(dir.path(), 6)).end(false);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stdout.starts_with("ALERT "), "{stdout}");
    assert_eq!(gap_lines(&stderr).len(), 2, "{stderr}");
    assert!(
        stderr.contains("6 failures; 0 dropped, 1 gaps"),
        "the losses line: {stderr}"
    );
    assert!(stderr.ends_with("failwatch: 1 alert fired"), "{stderr}");
}

fn run(args: &[&str], file: &Path) -> String {
    let out = failwatch().args(args).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn quick_limits() -> HubLimits {
    HubLimits {
        read_deadline: Duration::from_millis(600),
        ping_every: Duration::from_millis(100),
        ..HubLimits::default()
    }
}

async fn connect_raw(
    url: &str,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{url}?workspace_slug=demo"))
        .await
        .unwrap();
    let auth = serde_json::json!({"type": "auth", "payload": {"token": token}}).to_string();
    ws.send(Message::text(auth)).await.unwrap();
    ws
}

#[tokio::test]
async fn the_demo_hub_drops_a_client_that_never_answers_pings() {
    let hub = demo::serve_with(0, false, quick_limits()).await.unwrap();
    let mut ws = connect_raw(&hub.url(), demo::DEMO_TOKEN).await;
    // Not reading means not answering pings: past the deadline the hub lets go.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut ended = false;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(2), ws.next()).await {
        if msg.is_err() {
            ended = true;
            break;
        }
    }
    assert!(
        ended || ws.next().await.is_none(),
        "the connection was dropped"
    );

    // A client that reads answers pings (tungstenite does) and stays.
    let mut ws = connect_raw(&hub.url(), demo::DEMO_TOKEN).await;
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
            Ok(Some(Ok(_))) | Err(_) => {}
            other => panic!("a reading client was dropped: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_demo_hub_closes_1009_past_64_kib_and_drops_auth_failures_without_a_close_frame() {
    let hub = demo::serve_with(0, false, HubLimits::default())
        .await
        .unwrap();
    let mut ws = connect_raw(&hub.url(), demo::DEMO_TOKEN).await;
    assert_eq!(
        ws.next().await.unwrap().unwrap().to_text().unwrap(),
        r#"{"type":"auth_ack"}"#
    );
    ws.send(Message::text("x".repeat(65 * 1024))).await.unwrap();
    let close = loop {
        match ws.next().await {
            Some(Ok(Message::Close(c))) => break c,
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    };
    assert_eq!(u16::from(close.unwrap().code), 1009);

    let mut ws = connect_raw(&hub.url(), "wrong").await;
    let first = ws.next().await.unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("invalid token"));
    assert!(
        !matches!(ws.next().await, Some(Ok(Message::Close(_)))),
        "the hub sends no close frame after an auth failure"
    );
}

#[tokio::test]
async fn the_demo_hub_evicts_a_client_256_frames_behind() {
    let hub = demo::serve_with(0, false, HubLimits::default())
        .await
        .unwrap();
    let mut ws = connect_raw(&hub.url(), demo::DEMO_TOKEN).await;
    ws.next().await.unwrap().unwrap(); // auth_ack
                                       // Big frames fill the socket buffers, so the client's queue at the hub backs up.
    let pad = "p".repeat(32 * 1024);
    for i in 0..2000 {
        hub.publish(format!(r#"{{"type":"pong","i":{i},"pad":"{pad}"}}"#));
        if i % 100 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let mut got = 0;
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => got += 1,
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => break true,
            Ok(Some(Ok(_))) => {}
            Err(_) => break false,
        }
    };
    assert!(closed, "evicted");
    assert!(got < 2000, "{got} frames before eviction");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_restart_re_delivers_and_tail_counts_each_event_once() {
    let hub = demo::serve_with(0, true, HubLimits::default())
        .await
        .unwrap();
    let mut tail = start(&hub.url(), &[]);
    // The tail connects; then five failures are published, stamped with event_ids.
    tokio::time::sleep(Duration::from_millis(800)).await;
    for f in failures(0..5) {
        hub.publish(f);
    }
    tail.wait_failures(5);
    hub.restart_node();
    // Back within the replay window: the five are re-delivered (same event_ids), then one more.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    hub.publish(failed("t5"));
    tail.wait_failures(6);
    tail.drain_for(Duration::from_millis(500));
    let Ended { stderr, lines, .. } = tail.interrupt();
    assert_eq!(task_ids(&lines), ["t0", "t1", "t2", "t3", "t4", "t5"]);
    assert!(lines.iter().any(|l| is_gap(l)), "{lines:?}");
    assert!(stderr.contains("5 duplicates counted once"), "{stderr}");
}
