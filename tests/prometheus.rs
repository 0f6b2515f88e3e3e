//! The shipped Prometheus rules and Grafana dashboard against Prometheus's own `promtool` and the
//! series the binary really serves: the rules check and pass their unit tests, fire on series
//! scraped from a running dashboard, and every dashboard query parses and names series and labels
//! the exposition has.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use failwatch::source::demo;
use support::scrape::{free_port, samples, scrape_until, sum};
use support::tmux::{dashboard, dashboard_with, Tmux};

mod support;

const RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/prometheus/failwatch.rules.yml"
);
const RULE_TESTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/prometheus/failwatch.rules.test.yml"
);
const DASHBOARD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/grafana/failwatch.json");

/// `promtool ARGS`: (success, what it printed). It must be installed (Debian's `prometheus`).
fn promtool(args: &[&str]) -> (bool, String) {
    let out = Command::new("promtool")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("promtool is needed ({e}): apt-get install prometheus"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_shipped_rules_check_and_pass_their_unit_tests() {
    let (ok, out) = promtool(&["check", "rules", RULES]);
    assert!(ok, "{out}");
    assert!(out.contains("SUCCESS: 7 rules found"), "{out}");
    let (ok, out) = promtool(&["test", "rules", RULE_TESTS]);
    assert!(ok, "{out}");
}

/// A demo dashboard's exposition, scraped twice: once its first lost notification is counted,
/// and again once more were lost.
fn scraped_twice() -> (String, String, u16) {
    let port = free_port();
    let tmux = Tmux::start(&dashboard(&format!(
        "demo --lang en --metrics 127.0.0.1:{port}"
    )));
    let lost = |s: &BTreeMap<String, f64>| sum(s, "failwatch_lost_notifications_total");
    let first = scrape_until(port, "a lost notification", |s| lost(s) > 0.0);
    let before = lost(&samples(&first));
    let later = scrape_until(port, "another lost notification", |s| lost(s) > before);
    tmux.send(&["q"]);
    (first, later, port)
}

/// `name{labels}` with the labels a scrape adds (`job`, `instance`), quoted for YAML.
fn scraped_series(series: &str, instance: &str) -> String {
    let added = format!(r#"job="failwatch",instance="{instance}""#);
    let with = match series.split_once('{') {
        Some((name, labels)) => format!("{name}{{{added},{labels}"),
        None => format!("{series}{{{added}}}"),
    };
    format!("'{}'", with.replace('\'', "''"))
}

#[test]
fn the_rules_fire_on_series_scraped_from_the_binary() {
    let (first, later, port) = scraped_twice();
    let instance = format!("127.0.0.1:{port}");
    let (a, b) = (samples(&first), samples(&later));
    // Minutes 0–2 hold the first scrape, 3–10 the second: at 5 minutes, a counter that grew
    // between them has increased within the last 10.
    let mut series = String::new();
    for (name, after) in &b {
        let before = a.get(name).copied().unwrap_or(0.0);
        series += &format!(
            "      - series: {}\n        values: '{before}x2 {after}x7'\n",
            scraped_series(name, &instance)
        );
    }
    let grew = |family: &str| sum(&b, family) > sum(&a, family);
    assert!(grew("failwatch_lost_notifications_total"));
    let live = b.get(r#"failwatch_connection_state{state="live"}"#) == Some(&1.0);
    assert!(live, "the demo's source is live");
    let fires = |alert: &str, yes: bool, labels: &str, summary: &str, description: &str| {
        let expected = match yes {
            false => " []".to_owned(),
            true => format!(
                "\n          - exp_labels: {{{labels}job: failwatch, instance: \"{instance}\"}}\n            exp_annotations:\n              summary: \"{summary}\"\n              description: \"{description}\"\n"
            ),
        };
        format!(
            "      - eval_time: 5m\n        alertname: {alert}\n        exp_alerts:{expected}\n"
        )
    };
    let mut alerts = String::new();
    alerts += &fires(
        "FailwatchLostNotifications",
        true,
        "severity: page, ",
        "Chat users were never told of failed tasks",
        &format!("failwatch at {instance} counted failures whose chat session was lost, so no relay replied to the chat that started them. Open the dashboard and filter `told:no`."),
    );
    alerts += &fires(
        "FailwatchChatLeak",
        grew("failwatch_chat_leaks_total"),
        "severity: page, ",
        "A failure notification sent a secret to a chat user",
        &format!("failwatch at {instance} saw failures in the last 10 minutes whose relay text held a secret. Rotate the credential; the detail view names the relay."),
    );
    alerts += &fires(
        "FailwatchDropsFrames",
        grew("failwatch_frames_dropped_total"),
        "severity: warn, ",
        "failwatch dropped frames: its counts are short",
        &format!("failwatch at {instance} was behind its source. Use `failwatch tail` (lossless) for exact counts, or run it on a machine with more room."),
    );
    // Live and frames seconds old: neither source alert; an escalation waits 5 minutes first.
    for quiet in [
        "FailwatchSourceDisconnected",
        "FailwatchSourceSilent",
        "FailwatchReasonEscalating",
    ] {
        alerts += &fires(quiet, false, "", "", "");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(RULES, dir.path().join("failwatch.rules.yml")).unwrap();
    let test = dir.path().join("scraped.test.yml");
    std::fs::write(
        &test,
        format!(
            "rule_files:\n  - failwatch.rules.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{series}    alert_rule_test:\n{alerts}"
        ),
    )
    .unwrap();
    let (ok, out) = promtool(&["test", "rules", &test.display().to_string()]);
    let text = std::fs::read_to_string(&test).unwrap();
    assert!(ok, "{out}\n{text}");
}

/// Every query of the dashboard, with Grafana's variables given values Prometheus takes.
fn dashboard_queries() -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DASHBOARD).unwrap()).unwrap();
    let mut out = Vec::new();
    for panel in json["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            out.push(
                expr.replace("$__rate_interval", "5m")
                    .replace("$__range", "1h")
                    .replace("$instance", ".*"),
            );
        }
    }
    out
}

/// The metric names a query reads, each with the labels it groups by.
fn names_and_labels(expr: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("failwatch_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[i + name.len()..];
        out.push((name, Vec::new()));
    }
    let grouped: Vec<String> = expr
        .split("by (")
        .skip(1)
        .flat_map(|g| g.split(')').next().unwrap_or("").split(','))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    for (_, labels) in &mut out {
        labels.clone_from(&grouped);
    }
    out
}

/// The exposition of `failwatch live` on the demo hub once it took in two failures and a frame
/// that is not JSON.
async fn live_exposition() -> String {
    let server = demo::serve_with(0, true, demo::HubLimits::default())
        .await
        .unwrap();
    let port = free_port();
    let tmux = Tmux::start(&dashboard_with(
        &[("FAILWATCH_TOKEN", demo::DEMO_TOKEN)],
        &format!(
            "live --url {} --workspace {} --no-api --metrics 127.0.0.1:{port}",
            server.url(),
            demo::DEMO_WORKSPACE
        ),
    ));
    let live = |s: &BTreeMap<String, f64>| {
        s.get(r#"failwatch_connection_state{state="live"}"#) == Some(&1.0)
    };
    tokio::task::spawn_blocking(move || scrape_until(port, "the live state", live))
        .await
        .unwrap();
    for frame in [
        r#"{"type":"task:failed","payload":{"task_id":"t1","failure_reason":"timeout"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t2","failure_reason":""}}"#,
        "not json",
    ] {
        server.publish(frame.to_owned());
    }
    let body = tokio::task::spawn_blocking(move || {
        scrape_until(port, "two failures and a rejected frame", |s| {
            sum(s, "failwatch_failures_total") == 2.0
                && sum(s, "failwatch_frames_rejected_total") == 1.0
        })
    })
    .await
    .unwrap();
    tmux.send(&["q"]);
    body
}

#[tokio::test]
async fn every_dashboard_query_parses_and_reads_series_the_binary_serves() {
    let queries = dashboard_queries();
    assert!(queries.len() >= 10, "{queries:?}");
    // promtool parses each as a recording rule's expression.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("dashboard.rules.yml");
    let mut text = "groups:\n  - name: dashboard\n    rules:\n".to_owned();
    for (i, q) in queries.iter().enumerate() {
        text += &format!(
            "      - record: dashboard:query_{i}\n        expr: '{}'\n",
            q.replace('\'', "''")
        );
    }
    std::fs::write(&rules, &text).unwrap();
    let (ok, out) = promtool(&["check", "rules", &rules.display().to_string()]);
    assert!(ok, "{out}\n{text}");

    // Every name a query reads is a series of the exposition, with every label it groups by
    // (`instance` is the scrape's own): a live dashboard that took in failures and a frame it
    // could not decode.
    let later = live_exposition().await;
    let served: BTreeMap<String, BTreeSet<String>> =
        samples(&later)
            .keys()
            .fold(BTreeMap::new(), |mut m, series| {
                let (name, labels) = series.split_once('{').unwrap_or((series, ""));
                let keys = labels
                    .trim_end_matches('}')
                    .split(',')
                    .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_owned()));
                m.entry(name.to_owned()).or_default().extend(keys);
                m
            });
    for q in &queries {
        for (name, labels) in names_and_labels(q) {
            let have = served
                .get(&name)
                .unwrap_or_else(|| panic!("{name} (in {q}) is not served: {served:?}"));
            for label in labels.iter().filter(|l| *l != "instance") {
                assert!(have.contains(label), "{name} has no label {label} (in {q})");
            }
        }
    }
}
