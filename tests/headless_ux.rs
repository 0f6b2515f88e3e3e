//! Headless use as on-call engineers script it: `since:` meaning what it means in the dashboard,
//! inputs that are not captures, standard input.

use failwatch::filter::Filter;
use failwatch::ingest::Pipeline;
use serde_json::Value;
use support::cmd::run;

mod support;

const INCIDENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/upstream-incident.jsonl"
);

/// How many failures the dashboard shows for `filter` once its replay of the whole capture is
/// in (the dashboard's own path: the replay loads the capture and plays it into the pipeline).
fn dashboard_count(filter: &str) -> usize {
    let text = std::fs::read(INCIDENT).unwrap();
    let mut replay = failwatch::ingest::replay::Replay::load(&text[..]).unwrap();
    let mut p = Pipeline::new(1_000_000);
    replay.seek(&mut p, chrono::DateTime::<chrono::Utc>::MAX_UTC);
    assert!(replay.at_end());
    p.store_mut().set_filter(Filter::parse(filter).unwrap());
    p.store().view_len()
}

#[test]
fn since_means_the_same_headless_as_in_the_dashboard() {
    let all = dashboard_count("");
    let recent = dashboard_count("since:2m");
    assert!(recent > 0 && recent < all, "{recent} of {all}");
    let out = run(
        &[
            "summary", INCIDENT, "--format", "json", "--filter", "since:2m",
        ],
        None,
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failures"], recent as u64);
    let out = run(&["tail", INCIDENT, "--filter", "since:2m"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), recent);
    // Standard input too: spooled, then measured from its own end.
    let text = std::fs::read(INCIDENT).unwrap();
    let out = run(
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
        let out = run(&args, Some(b""));
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a capture"), "{args:?}: {err}");
    }
}

#[test]
fn the_dashboard_without_a_terminal_says_so_and_points_at_tail() {
    for args in [
        vec!["replay", INCIDENT],
        vec![],
        vec!["--lang", "zh", "--tz", "utc"],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("needs a terminal") && err.contains("failwatch tail"),
            "{err}"
        );
    }
}

#[test]
fn completions_man_page_and_config_check() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], None);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("summary") && text.contains("filter"),
            "{shell}"
        );
    }
    let man = run(&["man"], None);
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH failwatch"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("tail"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "server = \"octo\"\ntz = \"Asia/Shanghai\"\nurl = \"wss://u:pw@h/ws\"\n[filters]\nlost = \"outcome:dropped\"\n[keys]\nquit = \"x\"\n",
    )
    .unwrap();
    let config = path.to_str().unwrap();
    let out = run(&["config", "check", "--config", config], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("ok") && text.contains("@lost") && text.contains("Asia/Shanghai"),
        "{text}"
    );
    assert!(
        !text.contains(":pw@"),
        "credentials in a config URL are not printed: {text}"
    );
    // Names and values of the file are outside text: cleaned and masked when listed.
    let hostile = dir.path().join("hostile.toml");
    std::fs::write(
        &hostile,
        "workspace = \"\\u001b]0;PWNED\\u0007acme\"\n[filters]\n\"\\u001b]0;PWNED\\u0007\" = \"word\"\n\
         x = \"\\u001b[2Jtoken=mul_efefefefefefefefefefefefefef\"\n",
    )
    .unwrap();
    let out = run(
        &["config", "check", "--config", hostile.to_str().unwrap()],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("acme") && text.contains("@x"), "{text}");
    assert!(!text.contains("efefefef"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    // A saved filter works headless too.
    let out = run(
        &[
            "summary", INCIDENT, "--config", config, "--filter", "@lost", "--format", "json",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (bad, says) in [
        ("colour = \"red\"\n", "colour"),
        ("[keys]\nfly = \"f\"\n", "fly"),
        ("[filters]\nx = \"reason:[\"\n", "[filters] x"),
    ] {
        std::fs::write(&path, bad).unwrap();
        let out = run(&["config", "check", "--config", config], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{bad}");
    }
    let out = run(&["config", "path", "--config", config], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("config.toml (exists)"));
}

#[test]
fn text_times_follow_the_zone_and_json_stays_utc() {
    let text = run(
        &[
            "tail",
            INCIDENT,
            "--format",
            "text",
            "--tz",
            "Asia/Shanghai",
        ],
        None,
    );
    let first = String::from_utf8_lossy(&text.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(first.contains("+08:00"), "{first}");
    let json = run(&["tail", INCIDENT, "--tz", "Asia/Shanghai"], None);
    let v: Value = serde_json::from_str(
        String::from_utf8_lossy(&json.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(v["at"].as_str().unwrap().ends_with('Z'));
    let bad = run(&["tail", INCIDENT, "--tz", "Mars/Base"], None);
    assert_eq!(bad.status.code(), Some(2));
}
