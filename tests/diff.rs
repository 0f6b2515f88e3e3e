//! `failwatch diff` on two generated captures with a known change: after the "deploy" one kind
//! of failure is gone, one is new, one doubled its rate over a capture half as long, and a
//! sweeper's failures lost their chat session.

use serde_json::{json, Value};
use support::cmd::failwatch;

mod support;

/// A fork capture of `(minute, reason, error, with_session)` failures.
fn capture(failures: &[(u32, &str, &str, bool)]) -> tempfile::NamedTempFile {
    let in_seconds: Vec<_> = failures
        .iter()
        .map(|&(m, r, e, s)| (m * 60, r, e, s))
        .collect();
    support::fork::capture(&in_seconds)
}

const CRASH: &str = "claude exited with status 1: open /srv/a/.git/index.lock: file exists";
const QUOTA: &str = "402 insufficient_balance: credit balance is too low";
const AUTH: &str = "401 invalid x-api-key";
const SWEPT: &str = "task timed out";

#[test]
fn diff_names_what_appeared_vanished_and_grew() {
    // Before: 40 minutes; 4 crashes, 4 quota failures, 2 sweeper timeouts with their session.
    let mut before = Vec::new();
    for m in 0..4 {
        before.push((m * 10, "agent_error", CRASH, true));
        before.push((m * 10 + 5, "agent_error.provider_quota_limit", QUOTA, true));
    }
    before.push((1, "timeout", SWEPT, true));
    before.push((39, "timeout", SWEPT, true));
    // After: 20 minutes; 4 crashes (twice the rate), no quota, 3 auth failures (new), and the
    // sweeper's timeouts arrive without their session.
    let mut after = Vec::new();
    for m in 0..4 {
        after.push((
            m * 5,
            "agent_error",
            CRASH.replace("/srv/a", "/srv/b").leak() as &str,
            true,
        ));
    }
    for m in [2, 9, 19] {
        after.push((m, "agent_error.provider_auth_or_access", AUTH, true));
    }
    after.push((3, "timeout", SWEPT, false));
    after.push((19, "timeout", SWEPT, false));
    let (b, a) = (capture(&before), capture(&after));
    let json = diff(&["--format", "json"], &b, &a);
    let d: Value = serde_json::from_str(&json).unwrap();
    let reason = |code: &str| {
        (
            d["reasons"][code]["before"].clone(),
            d["reasons"][code]["after"].clone(),
            d["reasons"][code]["change"].clone(),
        )
    };
    assert_eq!(
        reason("agent_error"),
        (json!(4), json!(4), json!("grew")),
        "same count, half the time"
    );
    assert_eq!(
        reason("agent_error.provider_quota_limit"),
        (json!(4), json!(0), json!("vanished"))
    );
    assert_eq!(
        reason("agent_error.provider_auth_or_access"),
        (json!(0), json!(3), json!("appeared"))
    );
    let groups = d["groups"].as_array().unwrap();
    let group = |reason: &str| {
        groups
            .iter()
            .find(|g| g["reason"] == reason)
            .unwrap_or_else(|| panic!("no group of {reason} in {groups:#?}"))
    };
    // The crash's path changed but its kind did not: one group, before and after.
    let crash = group("agent_error");
    assert_eq!(
        (crash["before"].clone(), crash["after"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(
        crash["template"],
        "claude exited with status <n>: open <path>: file exists"
    );
    assert_eq!(
        group("agent_error.provider_auth_or_access")["change"],
        "appeared"
    );
    assert_eq!(
        groups[0]["change"], "appeared",
        "appeared groups come first"
    );
    assert_eq!(d["lost"], json!({"before": 0, "after": 2}));
    assert_eq!(d["before"]["failures"], 10);
    assert_eq!(d["after"]["failures"], 9);
    assert_eq!(
        d["routing"]["octo"]["dropped"],
        json!({"before": 0, "after": 2})
    );

    let table = diff(&["--lang", "en"], &b, &a);
    assert!(
        table.contains("appeared") && table.contains("lost notifications: 0 → 2"),
        "{table}"
    );
}

#[test]
fn diff_names_a_missing_reason_none() {
    let before = capture(&[
        (0, "", SWEPT, true),
        (5, "", SWEPT, true),
        (9, "timeout", SWEPT, true),
    ]);
    let after = capture(&[(0, "timeout", SWEPT, true)]);
    let d: Value = serde_json::from_str(&diff(&["--format", "json"], &before, &after)).unwrap();
    assert_eq!(d["reasons"]["none"]["change"], "vanished", "{d:#}");
    let group = d["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["change"] == "vanished")
        .unwrap();
    assert!(group["reason"].is_null(), "a value stays null: {group:#}");
    let table = diff(&["--lang", "en"], &before, &after);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("vanished"))
        .collect();
    assert!(rows[0].ends_with(" none"), "{table}");
    assert!(rows[1].ends_with(" none: task timed out"), "{table}");
    assert!(
        !table.contains("(none)") && !table.contains(" -: "),
        "{table}"
    );
}

/// `failwatch diff ARGS BEFORE AFTER`, with no user config or state to change what it says.
fn diff(
    args: &[&str],
    before: &tempfile::NamedTempFile,
    after: &tempfile::NamedTempFile,
) -> String {
    let out = failwatch()
        .arg("diff")
        .args(args)
        .arg(before.path())
        .arg(after.path())
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
fn diff_says_when_the_captures_are_of_different_server_families() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let run = |before: &str, after: &str, format: &str| {
        let out = failwatch()
            .args(["diff", before, after, "--format", format, "--lang", "en"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let upstream = format!("{data}/upstream-incident.jsonl");
    let fork = format!("{data}/octo-pr33.jsonl");
    let table = run(&upstream, &fork, "table");
    assert!(
        table.contains("different server families") && table.contains("upstream → octo"),
        "{table}"
    );
    let json: Value = serde_json::from_str(&run(&upstream, &fork, "json")).unwrap();
    assert_eq!(json["families_differ"], true);
    // One family on both sides: nothing said.
    assert!(!run(&fork, &fork, "table").contains("different server families"));
    let json: Value = serde_json::from_str(&run(&fork, &fork, "json")).unwrap();
    assert_eq!(json["families_differ"], false);
}
