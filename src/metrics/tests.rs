//! The exposition of hand-made snapshots: every value below follows from what the snapshot says,
//! by the meaning of each metric.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::totals::{MAX_LABELS, OTHER};
use super::{encode, Metrics, MetricsSnapshot, Totals};
use crate::routing::{Outcome, Relay, OUTCOME_COUNT, RELAY_COUNT};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

fn render(s: &MetricsSnapshot, now: DateTime<Utc>) -> String {
    let mut t = Totals::default();
    t.fold(s);
    encode(t, now)
}

fn samples(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

fn snapshot() -> MetricsSnapshot {
    let mut routing = [[0; OUTCOME_COUNT]; RELAY_COUNT];
    routing[Relay::Octo.index()][Outcome::NotifiedDetail.index()] = 4;
    routing[Relay::Lark.index()][Outcome::Dropped.index()] = 1;
    MetricsSnapshot {
        failures_by_reason: vec![(Arc::from("provider_quota"), 3), (Arc::from(""), 2)],
        routing,
        relays: vec![Relay::Octo, Relay::Lark],
        lost: 1,
        failures_by_workspace: vec![(Arc::from("acme"), 4), (Arc::from("globex"), 1)],
        lost_by_workspace: vec![(Arc::from("acme"), 1), (Arc::from("globex"), 0)],
        inbox: [0; 2],
        chat_leaks: 2,
        frames_by_type: vec![("task:failed".into(), 5), ("task:queued".into(), 7)],
        rejected: vec![("not_json", 6)],
        frames_dropped: 0,
        duplicates: 1,
        gaps: 1,
        reconnects: 2,
        state: Some("live"),
        last_frame_at: Some(at(0)),
    }
}

#[test]
fn a_snapshot_is_shown_by_family_with_help_and_type() {
    let text = render(&snapshot(), at(0) + Duration::milliseconds(1500));
    let s = samples(&text);
    for line in [
        r#"failwatch_failures_total{reason="provider_quota"} 3"#,
        r#"failwatch_failures_total{reason="none"} 2"#,
        r#"failwatch_notifications_total{relay="octo",outcome="notified_detail"} 4"#,
        r#"failwatch_notifications_total{relay="octo",outcome="dropped"} 0"#,
        r#"failwatch_notifications_total{relay="lark",outcome="dropped"} 1"#,
        "failwatch_lost_notifications_total 1",
        r#"failwatch_workspace_failures_total{workspace="acme"} 4"#,
        r#"failwatch_workspace_failures_total{workspace="globex"} 1"#,
        r#"failwatch_workspace_lost_notifications_total{workspace="acme"} 1"#,
        "failwatch_chat_leaks_total 2",
        r#"failwatch_frames_total{type="task:failed"} 5"#,
        r#"failwatch_frames_total{type="task:queued"} 7"#,
        r#"failwatch_frames_rejected_total{kind="not_json"} 6"#,
        "failwatch_duplicate_frames_total 1",
        "failwatch_gaps_total 1",
        "failwatch_reconnects_total 2",
        r#"failwatch_connection_state{state="live"} 1"#,
        r#"failwatch_connection_state{state="reconnecting"} 0"#,
        "failwatch_last_frame_age_seconds 1.5",
    ] {
        assert!(s.contains(&line), "{line} missing from:\n{text}");
    }
    // Two relays of seven outcomes each; no other relay's series.
    let notifications = s
        .iter()
        .filter(|l| l.starts_with("failwatch_notifications_total"));
    assert_eq!(notifications.count(), 2 * OUTCOME_COUNT);
    assert!(!text.contains("telegram"));
    // One state at 1 among all six.
    let states: Vec<_> = s
        .iter()
        .filter(|l| l.starts_with("failwatch_connection_state"))
        .collect();
    assert_eq!(states.len(), 6);
    assert_eq!(states.iter().filter(|l| l.ends_with(" 1")).count(), 1);
    for family in [
        "failwatch_failures_total counter",
        "failwatch_notifications_total counter",
        "failwatch_connection_state gauge",
        "failwatch_last_frame_age_seconds gauge",
    ] {
        assert!(text.contains(&format!("# TYPE {family}\n")), "{family}");
    }
    let help = text.lines().filter(|l| l.starts_with("# HELP ")).count();
    let types = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
    assert_eq!(help, types);
    assert!(
        !text.contains("failwatch_inbox_pushes"),
        "the fork has no WeCom"
    );
}

#[test]
fn wecom_inbox_pushes_are_counted_apart_from_the_chat_routes() {
    let s = MetricsSnapshot {
        relays: Relay::ALL[1..].to_vec(),
        inbox: [3, 1],
        ..snapshot()
    };
    let text = render(&s, at(0));
    let lines = samples(&text);
    for line in [
        r#"failwatch_inbox_pushes_total{relay="wecom",to="issue_subscribers"} 3"#,
        r#"failwatch_inbox_pushes_total{relay="wecom",to="quick_create_requester"} 1"#,
    ] {
        assert!(lines.contains(&line), "{line} missing from:\n{text}");
    }
}

#[test]
fn without_a_live_source_or_a_frame_the_gauges_are_left_out() {
    let s = MetricsSnapshot {
        state: None,
        last_frame_at: None,
        ..snapshot()
    };
    let text = render(&s, at(0));
    assert!(!text.contains("failwatch_connection_state"));
    assert!(!text.contains("failwatch_last_frame_age_seconds"));
    assert!(text.contains("failwatch_failures_total"));
}

#[test]
fn hostile_label_values_are_escaped_and_cannot_add_lines() {
    let s = MetricsSnapshot {
        failures_by_reason: vec![(Arc::from("a\"b\\c\nfailwatch_fake 1"), 1)],
        frames_by_type: vec![("x\"}\n# EOF".into(), 1)],
        ..MetricsSnapshot::default()
    };
    let text = render(&s, at(0));
    assert!(
        text.contains(r#"failwatch_failures_total{reason="a\"b\\c\nfailwatch_fake 1"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"failwatch_frames_total{type="x\"}\n# EOF"} 1"#),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            line.starts_with("# HELP failwatch_")
                || line.starts_with("# TYPE failwatch_")
                || line.starts_with("failwatch_"),
            "{line}"
        );
    }
    assert!(!text.lines().any(|l| l.starts_with("failwatch_fake")));
}

#[test]
fn counters_never_go_down_when_the_pipeline_starts_over() {
    let metrics = Metrics::default();
    let count = || {
        let text = metrics.render();
        let line = text
            .lines()
            .find(|l| l.starts_with("failwatch_failures_total{reason=\"timeout\"}"))
            .map(str::to_owned);
        line.and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
    };
    let with = |n| MetricsSnapshot {
        failures_by_reason: vec![(Arc::from("timeout"), n)],
        ..MetricsSnapshot::default()
    };
    metrics.publish(&with(5));
    assert_eq!(count(), Some(5));
    // Started over: counted from zero again; what comes after adds to what was shown.
    metrics.publish(&with(0));
    assert_eq!(count(), Some(5));
    metrics.publish(&with(4));
    assert_eq!(count(), Some(9));
}

#[test]
fn reasons_past_the_cap_are_counted_under_other() {
    let codes: Vec<String> = (0..MAX_LABELS + 20)
        .map(|i| format!("code_{i:04}"))
        .collect();
    let s = MetricsSnapshot {
        failures_by_reason: codes.iter().map(|c| (Arc::from(c.as_str()), 2)).collect(),
        ..MetricsSnapshot::default()
    };
    let text = render(&s, at(0));
    let failures: Vec<_> = samples(&text)
        .into_iter()
        .filter(|l| l.starts_with("failwatch_failures_total"))
        .collect();
    assert_eq!(failures.len(), MAX_LABELS + 1);
    assert!(
        failures.contains(&format!(r#"failwatch_failures_total{{reason="{OTHER}"}} 40"#).as_str())
    );
}
