//! Headless use as on-call engineers script it: `since:` meaning what it means in the dashboard,
//! inputs that are not captures, standard input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use failwatch::filter::Filter;
use failwatch::pipeline::Pipeline;
use serde_json::Value;

const INCIDENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/upstream-incident.jsonl"
);

fn failwatch(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_failwatch"))
        .args(args)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("failwatch-test-state"),
        )
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("failwatch-test-config"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// How many failures the dashboard shows for `filter` once the whole capture is in.
fn dashboard_count(filter: &str) -> usize {
    let text = std::fs::read(INCIDENT).unwrap();
    let mut p = Pipeline::new(1_000_000);
    failwatch::headless::ingest_capture(&text[..], &mut p, |_| {}).unwrap();
    p.store.set_filter(Filter::parse(filter).unwrap());
    p.store.view_len()
}

#[test]
fn since_means_the_same_headless_as_in_the_dashboard() {
    let all = dashboard_count("");
    let recent = dashboard_count("since:2m");
    assert!(recent > 0 && recent < all, "{recent} of {all}");
    let out = failwatch(
        &[
            "summary", INCIDENT, "--format", "json", "--filter", "since:2m",
        ],
        None,
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failures"], recent as u64);
    let out = failwatch(&["tail", INCIDENT, "--filter", "since:2m"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), recent);
    // Standard input too: spooled, then measured from its own end.
    let text = std::fs::read(INCIDENT).unwrap();
    let out = failwatch(
        &["summary", "-", "--format", "json", "--filter", "since:2m"],
        Some(&text),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failures"], recent as u64);
    assert_eq!(v["server"], "upstream", "and its family sniffed");
}

#[test]
fn a_file_that_is_not_a_capture_is_an_error() {
    let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    for args in [
        vec!["summary", readme],
        vec!["tail", readme],
        vec!["summary", "-"],
    ] {
        let out = failwatch(&args, Some(b""));
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a capture"), "{args:?}: {err}");
    }
}
