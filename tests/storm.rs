//! A storm of distinct chat sessions and reason codes: `summary` lists sessions and codes up to
//! its limits and says how many failures it left out of the lists, every total stays exact, and
//! the sessions that lost a notification keep their place.

use failwatch::catalog::Lang;
use failwatch::feed::{Feed, FeedEvent};
use failwatch::ingest::replay::Replay;
use failwatch::ingest::Pipeline;
use failwatch::store::{MAX_REASONS, MAX_SESSIONS};
use failwatch::ui::app::App;
use failwatch::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use serde_json::Value;
use support::cmd::failwatch;

mod support;

/// Failures each in a session of its own, the last `lost` of them lost notifications (queued
/// with their session, failed without), the first `codes` each with a code of its own.
fn storm(failures: usize, lost: usize, codes: usize) -> String {
    let mut out = String::from(
        "{\"failwatch_capture\":1,\"source\":\"test\",\"started_at\":\"2026-12-01T00:00:00Z\"}\n",
    );
    for i in 0..failures {
        let reason = if i < codes {
            format!("code_{i}")
        } else {
            "timeout".to_owned()
        };
        if i >= failures - lost {
            out += &format!(
                "{{\"type\":\"task:queued\",\"payload\":{{\"task_id\":\"t{i}\",\"agent_id\":\"a\",\"issue_id\":\"\",\"chat_session_id\":\"lost{i}\"}}}}\n"
            );
            out += &format!(
                "{{\"type\":\"task:failed\",\"payload\":{{\"task_id\":\"t{i}\",\"agent_id\":\"a\",\"issue_id\":\"\",\"failure_reason\":\"{reason}\"}}}}\n"
            );
        } else {
            out += &format!(
                "{{\"type\":\"task:failed\",\"payload\":{{\"task_id\":\"t{i}\",\"agent_id\":\"a\",\"issue_id\":\"\",\"chat_session_id\":\"s{i}\",\"failure_reason\":\"{reason}\"}}}}\n"
            );
        }
    }
    out
}

fn summary(path: &std::path::Path, format: &str) -> String {
    let out = failwatch()
        .args(["summary", "--format", format, "--lang", "en"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn summary_says_the_sessions_and_reasons_it_did_not_list() {
    // Past the half of the table any session may take, then sessions that lost a notification.
    let open = MAX_SESSIONS - MAX_SESSIONS / 2;
    let (lost, codes) = (2_000, MAX_REASONS + 2_000);
    let failures = open + 5_000 + lost;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storm.jsonl");
    std::fs::write(&path, storm(failures, lost, codes)).unwrap();

    let s: Value = serde_json::from_str(&summary(&path, "json")).unwrap();
    let n = |v: &Value| v.as_u64().unwrap();
    assert_eq!(n(&s["failures"]), failures as u64, "every failure counted");
    assert_eq!(n(&s["dropped"]), lost as u64);
    // Half the table for any session, the rest for sessions that lost a notification: every
    // lost one is named.
    let sessions = s["sessions"].as_object().unwrap();
    assert_eq!(sessions.len(), open + lost);
    assert_eq!(s["dropped_sessions"].as_array().unwrap().len(), lost);
    assert_eq!(n(&s["dropped_beyond"]), 0);
    let listed: u64 = sessions.values().map(|r| n(&r["failures"])).sum();
    assert_eq!(n(&s["sessions_beyond"]), failures as u64 - listed);
    assert_eq!(n(&s["sessions_beyond"]), (failures - open - lost) as u64);
    // Codes: the catalogue's always, up to the limit of others; the rest counted apart.
    let by_reason = s["by_reason"].as_object().unwrap();
    assert_eq!(
        by_reason.len(),
        MAX_REASONS + 1,
        "the listed codes and timeout"
    );
    assert_eq!(n(&s["reasons_beyond"]), 2_000);
    let counted: u64 = by_reason.values().map(n).sum();
    assert_eq!(counted + 2_000, failures as u64);
    assert_eq!(s["unknown_reasons"].as_array().unwrap().len(), MAX_REASONS);

    let table = summary(&path, "table");
    let said = |what: &str| table.lines().any(|l| l.contains(what));
    assert!(
        said(&format!(
            "(+{} failures of chat sessions past the {MAX_SESSIONS} listed, 0 of them lost",
            failures - open - lost
        )),
        "{table}"
    );
    assert!(said(&format!(
        "(+2000 failures of reason codes past the {MAX_REASONS} counted one by one)"
    )));

    // `diff` says them too: a code missing from a side may be among them.
    let out = failwatch()
        .args(["diff", "--format", "json"])
        .args([&path, &path])
        .output()
        .unwrap();
    assert!(out.status.success());
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        d["reasons_beyond"],
        serde_json::json!({"after": 2_000, "before": 2_000})
    );
}

/// The dashboard's screen on a whole capture, loaded at full speed.
fn dashboard(capture: &str, width: u16, height: u16) -> String {
    let mut replay = Replay::load(capture.as_bytes()).unwrap();
    replay.set_speed(None);
    let mut feed = Feed::replay(Pipeline::new(1000), replay, "storm.jsonl".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    while !feed.replay_state().unwrap().at_end() {
        assert!(matches!(rt.block_on(feed.next()), FeedEvent::Ingested(_)));
    }
    let mut app = App::new(Lang::En);
    app.size = Rect::new(0, 0, width, height);
    app.sync(&feed);
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| failwatch::ui::render(f, &app, &feed, &Theme::plain()))
        .unwrap();
    let buf = term.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn the_panels_say_the_failures_of_sessions_and_reasons_not_listed() {
    let open = MAX_SESSIONS - MAX_SESSIONS / 2;
    let (lost, codes) = (300, MAX_REASONS + 200);
    let failures = open + 700 + lost;
    let screen = dashboard(&storm(failures, lost, codes), 200, 40);
    let title = |panel: &str| {
        screen
            .lines()
            .find_map(|l| l.split('┌').find(|t| t.starts_with(&format!(" {panel} "))))
            .unwrap_or_else(|| panic!("no {panel} panel in\n{screen}"))
            .to_owned()
    };
    assert!(
        title("Chat sessions").starts_with(&format!(
            " Chat sessions · {} · {lost} ✗ · +700 unlisted (0 ✗) ",
            open + lost
        )),
        "{screen}"
    );
    assert!(
        title("Reasons").starts_with(&format!(" Reasons · {} · +200 unlisted ", MAX_REASONS + 1)),
        "{screen}"
    );
}
