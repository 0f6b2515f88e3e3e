//! Alert rules from the config file, as the README documents them: a count rule fires once when
//! its window holds enough matching failures and again only after the count fell below it; a
//! new-group rule once per group; a lost rule for each failure that lost its chat session.
//! `watch` prints each and exits 5 (0 when a capture ends with nothing fired); the dashboard
//! shows a banner until `a`.

use std::io::Write;

use serde_json::Value;

use support::cmd::failwatch;
use support::fork::capture;
use support::tmux::{dashboard, Tmux};

mod support;

fn config(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn watch(
    config: &tempfile::NamedTempFile,
    capture: &tempfile::NamedTempFile,
) -> (i32, Vec<Value>, String) {
    let out = failwatch()
        .args(["watch", "--format", "jsonl", "--config"])
        .arg(config.path())
        .arg(capture.path())
        .output()
        .unwrap();
    let alerts = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        alerts,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TIMEOUT: &str = "claude timed out after 30m0s";
const CRASH: &str = "claude exited with status 1";

#[test]
fn a_count_rule_fires_once_per_episode_and_watch_exits_5() {
    let rules = config(
        "[[alerts]]\nname = \"timeouts\"\nfilter = \"reason:timeout\"\ncount = 3\nwindow = \"1m\"\n",
    );
    // Seconds 0, 10, 20: three within a minute, fires. 25: still an episode, no second alert.
    // Then quiet past a minute (the window empties), and three again at 200–220: fires again.
    let mut failures = vec![
        (0, "timeout", TIMEOUT, true),
        (10, "timeout", TIMEOUT, true),
    ];
    failures.push((15, "agent_error", CRASH, true));
    failures.extend([
        (20, "timeout", TIMEOUT, true),
        (25, "timeout", TIMEOUT, true),
    ]);
    failures.extend([
        (200, "timeout", TIMEOUT, true),
        (210, "timeout", TIMEOUT, true),
    ]);
    failures.push((220, "timeout", TIMEOUT, true));
    let (code, alerts, stderr) = watch(&rules, &capture(&failures));
    assert_eq!(code, 5, "{stderr}");
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert_eq!(alerts[0]["alert"], "timeouts");
    assert_eq!(alerts[0]["at"], "2026-11-25T08:00:20.200Z");
    assert!(alerts[0]["what"]
        .as_str()
        .unwrap()
        .starts_with("3 matching failures within 1m"));
    // The failure that made it fire, whole, as `tail` names it: the fourth of the capture.
    assert_eq!(alerts[0]["task_id"], "00000000-0000-4000-8000-000000000003");
    assert_eq!(
        alerts[0]["chat_session_id"],
        "5e550000-0000-4000-8000-000000000003"
    );
    assert_eq!(alerts[0]["reason"], "timeout");
    assert_eq!(alerts[1]["at"], "2026-11-25T08:03:40.200Z");
    assert!(stderr.contains("2 alerts fired"), "{stderr}");

    // Two within the window are not three: nothing fires, and the exit code is 0.
    let quiet = capture(&[
        (0, "timeout", TIMEOUT, true),
        (50, "timeout", TIMEOUT, true),
        (200, "timeout", TIMEOUT, true),
    ]);
    let (code, alerts, stderr) = watch(&rules, &quiet);
    assert_eq!((code, alerts.len()), (0, 0), "{stderr}");
    assert!(stderr.contains("no alert fired"), "{stderr}");
}

#[test]
fn new_group_and_lost_rules() {
    let rules = config(
        "[[alerts]]\nname = \"new kind\"\nnew_group = true\nfilter = \"reason:agent_error\"\n\
         [[alerts]]\nname = \"never told\"\nlost = true\n",
    );
    let failures = [
        (0, "agent_error", CRASH, true),
        (1, "agent_error", "claude exited with status 2", true), // same group: no alert
        (2, "agent_error", "401 invalid x-api-key", true),       // a new group
        (3, "timeout", TIMEOUT, true),                           // not matched by the filter
        (4, "timeout", "task timed out", false),                 // lost its session
    ];
    let (code, alerts, _) = watch(&rules, &capture(&failures));
    assert_eq!(code, 5);
    let names: Vec<&str> = alerts
        .iter()
        .map(|a| a["alert"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["new kind", "new kind", "never told"], "{alerts:#?}");
    assert!(alerts[2]["what"]
        .as_str()
        .unwrap()
        .starts_with("lost notification: timeout"));
}

#[test]
fn a_cooldown_holds_back_what_watch_prints_and_the_next_alert_and_the_end_say_how_many() {
    let rules = config(
        "[[alerts]]\nname = \"never told\"\nlost = true\ncooldown = \"1m\"\n\
         [[alerts]]\nname = \"every crash\"\nfilter = \"reason:agent_error\"\ncount = 1\nwindow = \"1s\"\n",
    );
    let lost = |second| (second, "timeout", "task timed out", false);
    let failures = [
        lost(0),                          // printed; the cooldown runs to 1:00
        lost(10),                         // held back
        (15, "agent_error", CRASH, true), // another rule: printed
        lost(20),                         // held back
        lost(70), // printed, saying 2 were held back; the cooldown runs to 2:10
        lost(80), // held back, and no alert after it tells
    ];
    let (code, alerts, stderr) = watch(&rules, &capture(&failures));
    assert_eq!(code, 5, "{stderr}");
    let said: Vec<(&str, &str)> = alerts
        .iter()
        .map(|a| (a["alert"].as_str().unwrap(), a["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        said,
        [
            ("never told", "2026-11-25T08:00:00.200Z"),
            ("every crash", "2026-11-25T08:00:15.200Z"),
            ("never told", "2026-11-25T08:01:10.200Z"),
        ]
    );
    assert_eq!(alerts[0].get("held_back"), None, "{alerts:#?}");
    assert_eq!(alerts[2]["held_back"], 2);
    let what = alerts[2]["what"].as_str().unwrap();
    assert!(
        what.ends_with("(2 more held back by the 1m cooldown)"),
        "{what}"
    );
    assert!(
        stderr.contains("never told: 1 more held back by the 1m cooldown after its last alert"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 alerts fired (3 more held back by cooldowns)"),
        "{stderr}"
    );
}

#[test]
fn a_rule_without_a_condition_is_a_usage_error_naming_it() {
    let rules = config("[[alerts]]\nname = \"vague\"\nfilter = \"reason:timeout\"\n");
    let (code, _, stderr) = watch(&rules, &capture(&[(0, "timeout", TIMEOUT, true)]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("alert `vague`") && stderr.contains("say when it fires"),
        "{stderr}"
    );
}

#[test]
fn a_cooldown_that_is_not_a_duration_is_refused_in_the_words_of_the_file() {
    let cap = capture(&[(0, "timeout", TIMEOUT, true)]);
    for (cooldown, says) in [
        (
            "\"soon\"",
            "alert `quiet`: bad cooldown `soon` (e.g. \"15m\", \"1h\"; at most 30d)",
        ),
        ("\"0s\"", "bad cooldown `0s`"),
        ("\"31d\"", "at most 30d"),
        (
            "15",
            "alert `quiet`: bad cooldown `15`: a duration in quotes",
        ),
        // An escape in the value is said without it.
        (
            "\"\\u001b]0;PWNED\\u0007\"",
            "alert `quiet`: bad cooldown `",
        ),
    ] {
        let rules = config(&format!(
            "[[alerts]]\nname = \"quiet\"\nlost = true\ncooldown = {cooldown}\n"
        ));
        let (code, _, stderr) = watch(&rules, &cap);
        assert_eq!(code, 2, "{cooldown}: {stderr}");
        assert!(stderr.contains(says), "{cooldown}: {stderr}");
        let check = failwatch()
            .args(["config", "check", "--config"])
            .arg(rules.path())
            .output()
            .unwrap();
        let check_err = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(2), "{check_err}");
        assert!(check_err.contains(says), "{cooldown}: {check_err}");
        for out in [&stderr, &check_err.into_owned()] {
            assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        }
    }
}

#[test]
fn config_check_lists_each_rule_with_its_cooldown() {
    let rules = config(
        "[[alerts]]\nname = \"timeouts\"\nfilter = \"reason:timeout\"\ncount = 5\nwindow = \"10m\"\n\
         cooldown = \"15m\"\n[[alerts]]\nname = \"never told\"\nlost = true\n",
    );
    let out = failwatch()
        .args(["config", "check", "--config"])
        .arg(rules.path())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    for line in [
        "  alert      timeouts: 5 within 10m (reason:timeout), cooldown 15m\n",
        "  alert      never told: a lost session (every failure), no cooldown\n",
    ] {
        assert!(shown.contains(line), "{line}: {shown}");
    }
}

#[test]
fn the_dashboard_shows_a_banner_until_it_is_acknowledged() {
    let rules = config("[[alerts]]\nname = \"never told\"\nlost = true\n");
    let cap = capture(&[
        (0, "timeout", TIMEOUT, true),
        (5, "timeout", "task timed out", false),
    ]);
    let t = Tmux::start(&dashboard(&format!(
        "replay --speed max --lang en --config {} {}",
        rules.path().display(),
        cap.path().display()
    )));
    let screen = t.wait_for("ALERT");
    assert!(
        screen.contains("never told: lost notification: timeout"),
        "{screen}"
    );
    assert!(screen.contains("1 new alerts"), "{screen}");
    t.send(&["a"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while t.screen().contains("ALERT") {
        assert!(std::time::Instant::now() < deadline, "{}", t.screen());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    t.send(&["q"]);
    t.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn the_dashboard_lists_every_alert_of_the_session_with_those_its_cooldown_held_back() {
    let rules = config("[[alerts]]\nname = \"never told\"\nlost = true\ncooldown = \"1m\"\n");
    let lost = |second| (second, "timeout", "task timed out", false);
    let cap = capture(&[lost(0), lost(10), lost(20), lost(70)]);
    let cmd = dashboard(&format!(
        "replay --speed max --lang en --tz utc --config {} {}",
        rules.path().display(),
        cap.path().display()
    ));
    // Wide enough for the banner to say what the last alert says.
    let t = Tmux::sized(&cmd, 200, 40);
    // Two announced (0:00, and 1:10 saying two were held back): the banner counts those.
    let screen = t.wait_for("2 new alerts");
    assert!(
        screen.contains("(2 more held back by the 1m cooldown)"),
        "{screen}"
    );
    t.send(&["!"]);
    // The oldest is drawn last: once it is on screen, the whole list is.
    t.wait_for("08:00:00.200 UTC  never told");
    let list = t.screen();
    assert!(
        list.contains("4 alerts · 2 held back by cooldowns"),
        "{list}"
    );
    assert_eq!(
        list.matches("held back by the 1m cooldown · received")
            .count(),
        2,
        "{list}"
    );
    assert_eq!(list.matches("notified · received").count(), 2, "{list}");
    // Newest first.
    let newest = list.find("08:01:10.200 UTC  never told").expect(&list);
    let oldest = list.find("08:00:00.200 UTC  never told").expect(&list);
    assert!(newest < oldest, "{list}");
    // q closes the list (not failwatch), and the alerts were acknowledged by opening it.
    t.send(&["q"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while t.screen().contains("Alerts this session") {
        assert!(std::time::Instant::now() < deadline, "{}", t.screen());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let after = t.screen();
    assert!(
        !after.contains("ALERT") && !after.contains("FAILWATCH-EXITED"),
        "{after}"
    );
    t.send(&["q"]);
    t.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn watch_without_rules_names_the_command_that_shows_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "lang = \"en\"\n").unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/octo-pr33.jsonl");
    let out = failwatch()
        .args(["watch", data, "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("failwatch config path shows where it is"),
        "{err}"
    );
    // The command it names exists and says where the file is.
    let out = failwatch()
        .args(["config", "path", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
