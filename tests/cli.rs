//! The built binary's headless commands on the sample capture: counts, routing, lost sessions,
//! unknown reasons, bad lines, and that nothing secret or control-like reaches the output.

use std::process::{Command, Output};

use serde_json::Value;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);
const FRAMES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/frames.jsonl");

fn failwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_failwatch"))
        .args(args)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("failwatch-test-state"),
        )
        .output()
        .expect("run failwatch")
}

/// Run with `base` then `extra` arguments; the command must succeed; its standard output.
fn stdout_of(base: &[&str], extra: &[&str]) -> String {
    let args: Vec<&str> = base.iter().chain(extra).copied().collect();
    let out = failwatch(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn summary(extra: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(&["summary", SAMPLE, "--format", "json"], extra)).unwrap()
}

#[test]
fn summary_counts_the_sample_capture() {
    let s = summary(&[]);
    assert_eq!(s["frames"], 171);
    assert_eq!(
        s["bad_lines"], 4,
        "binary, not JSON, array, truncated last line"
    );
    assert_eq!(s["rejected_frames"]["payload_not_object"], 1);
    assert_eq!(s["failures"], 28);
    assert_eq!(s["by_type"]["task:failed"], 28);
    assert_eq!(s["by_type"]["task:queued"], 40);
    assert_eq!(s["by_type"]["issue:updated"], 3);
    let by_reason = &s["by_reason"];
    for (code, n) in [
        ("agent_error.provider_quota_limit", 3),
        ("agent_error.provider_auth_or_access", 3),
        ("runtime_recovery", 3),
        ("agent_error.empty_or_unparseable_output", 2),
        ("iteration_limit", 1),
        ("sandbox_evicted", 1),
        ("agent_error.quantum_flux", 1),
    ] {
        assert_eq!(by_reason[code], n, "{code}");
    }
    let total: u64 = by_reason
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 28);
    assert_eq!(
        s["unknown_reasons"],
        serde_json::json!(["agent_error.quantum_flux", "sandbox_evicted"])
    );
    assert_eq!(
        s["dropped_sessions"],
        serde_json::json!([
            "31162427-3bfd-4d33-8d00-38ec42650644",
            "795b929e-9a9a-40fd-aa7b-5bf55eb561a4"
        ])
    );
    assert_eq!(s["dropped"], 3);
}

#[test]
fn summary_routing_per_relay() {
    let r = &summary(&[])["routing"];
    let expect = |relay: &str, pairs: &[(&str, u64)]| {
        for (outcome, n) in pairs {
            assert_eq!(r[relay][outcome], *n, "{relay} {outcome}");
        }
        let total: u64 = r[relay]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(total, 28, "{relay}");
    };
    expect(
        "octo",
        &[
            ("notified_detail", 10),
            ("notified_reason", 3),
            ("notified_generic", 1),
            ("dropped", 3),
            ("not_chat", 11),
        ],
    );
    expect(
        "lark",
        &[
            ("notified_detail", 10),
            ("notified_generic", 4),
            ("dropped", 3),
            ("not_chat", 11),
        ],
    );
    expect(
        "dingtalk",
        &[
            ("notified_detail", 8),
            ("silent", 6),
            ("dropped", 3),
            ("not_chat", 11),
        ],
    );
}

#[test]
fn summary_honours_the_filter() {
    let s = summary(&["--filter", "reason:provider_*"]);
    assert_eq!(
        s["failures"], 8,
        "quota 3, auth 3, capacity 1, server error 1"
    );
    let s = summary(&["--filter", "outcome:dropped"]);
    assert_eq!(s["failures"], 3);
    assert_eq!(s["frames"], 171, "frame counters are not filtered");
}

#[test]
fn summary_table_is_sorted_and_localized() {
    for (lang, label) in [("en", "reason"), ("zh", "原因代码")] {
        let out = failwatch(&["summary", SAMPLE, "--format", "table", "--lang", lang]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(label), "{text}");
        let counts: Vec<u64> = text
            .lines()
            .skip_while(|l| !l.contains(label))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(counts.len(), 21, "{text}");
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "sorted by count: {counts:?}"
        );
        assert!(text.contains("31162427-3bfd-4d33-8d00-38ec42650644"));
    }
}

fn tail(file: &str, extra: &[&str]) -> Vec<Value> {
    stdout_of(&["tail", file, "--format", "jsonl"], extra)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn tail_prints_one_object_per_failure_with_the_contract_keys() {
    let rows = tail(SAMPLE, &[]);
    assert_eq!(rows.len(), 28);
    for row in &rows {
        for key in [
            "at",
            "task_id",
            "chat_session_id",
            "reason",
            "reason_known",
            "reason_text",
            "error",
            "retry_pending",
            "routes",
        ] {
            assert!(row.get(key).is_some(), "missing {key} in {row}");
        }
        let routes = row["routes"].as_array().unwrap();
        assert_eq!(routes.len(), 3);
        for r in routes {
            let outcome = r["outcome"].as_str().unwrap();
            assert!([
                "notified_detail",
                "notified_reason",
                "notified_generic",
                "silent",
                "dropped",
                "not_chat"
            ]
            .contains(&outcome));
            assert_eq!(r["text"].is_null(), !outcome.starts_with("notified"), "{r}");
        }
    }
    let unknown: Vec<_> = rows.iter().filter(|r| r["reason_known"] == false).collect();
    assert_eq!(unknown.len(), 2);
    assert!(unknown
        .iter()
        .all(|r| r["reason_text"].as_str().unwrap() != r["reason"].as_str().unwrap()));
}

#[test]
fn tail_filter_and_language() {
    let rows = tail(SAMPLE, &["--filter", "outcome:dropped", "--lang", "zh"]);
    assert_eq!(rows.len(), 3);
    assert!(rows
        .iter()
        .all(|r| r["chat_session_id"].is_null() && r["lost_chat_session_id"].is_string()));
    assert!(rows.iter().all(|r| r["reason_text"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    let octo: Vec<_> = tail(SAMPLE, &["--filter", "relay:octo outcome:reason"]);
    assert_eq!(octo.len(), 3);
    assert!(octo
        .iter()
        .all(|r| r["routes"][0]["text"].as_str().unwrap().starts_with("⚠️ ")));
}

#[test]
fn tail_on_bare_frames_joins_error_text() {
    let rows = tail(FRAMES, &[]);
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0]["routes"][0]["text"],
        "⚠️ 401 Unauthorized: invalid x-api-key [REDACTED API KEY]"
    );
    assert_eq!(rows[1]["retry_pending"], true);
    assert_eq!(rows[1]["routes"][2]["outcome"], "silent");
}

#[test]
fn no_planted_secret_reaches_any_output() {
    let mut outputs = Vec::new();
    for args in [
        vec!["tail", SAMPLE, "--format", "jsonl"],
        vec!["tail", SAMPLE, "--format", "text"],
        vec!["summary", SAMPLE, "--format", "json"],
        vec!["summary", SAMPLE, "--format", "table"],
    ] {
        let out = failwatch(&args);
        assert!(out.status.success());
        outputs.push(String::from_utf8(out.stdout).unwrap());
    }
    for text in &outputs {
        for secret in [
            "pwe5856cfa",
            "toka6482fe6abcdefghijKLMNOP",
            "tok61326cc0abcdefghijKLMNOP",
        ] {
            assert!(!text.contains(secret), "{secret} leaked");
        }
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control character in output"
        );
    }
}

#[test]
fn exit_codes() {
    assert_eq!(
        failwatch(&["summary", "/nonexistent/capture.jsonl"])
            .status
            .code(),
        Some(4)
    );
    assert_eq!(
        failwatch(&["summary", SAMPLE, "--filter", "colour:red"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(failwatch(&["summary"]).status.code(), Some(2));
    assert_eq!(failwatch(&["no-such-command"]).status.code(), Some(2));
}
