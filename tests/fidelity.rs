//! What each chat user was told, per failure, against a simulator of the server and its relays
//! (`tests/support/sim.rs`): the binary's `tail` and `summary` on generated captures of both
//! server families must list the family's relays and give each one's outcome, why, exact text
//! and binding as the server's own rules give them, and upstream's WeCom inbox card; on
//! captures that carry the REST API's answers too.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::cmd::run;
use support::sim::{self, Capture, Server};

struct Files {
    _dir: tempfile::TempDir,
    capture: PathBuf,
    bindings: PathBuf,
}

fn write(c: &Capture) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture.jsonl");
    let bindings = dir.path().join("bindings.toml");
    std::fs::write(&capture, &c.text).unwrap();
    std::fs::write(&bindings, &c.bindings).unwrap();
    Files {
        _dir: dir,
        capture,
        bindings,
    }
}

fn tail(capture: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["tail", capture.to_str().unwrap(), "--format", "jsonl"];
    args.extend(extra);
    let out = run(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `shown` is `truth` with every planted secret the server let through masked, and nothing else
/// changed: the text around each secret is kept, something (a `[REDACTED …]` placeholder, a
/// masked home directory) stands in its place, and no secret is left.
fn masked_equal(shown: Option<&str>, truth: Option<&str>) -> bool {
    let (Some(shown), Some(truth)) = (shown, truth) else {
        return shown == truth;
    };
    let secrets = sim::gap_secrets();
    if secrets.iter().any(|s| shown.contains(s)) {
        return false;
    }
    let mut fragments = vec![truth.to_owned()];
    for secret in &secrets {
        fragments = fragments
            .iter()
            .flat_map(|f| f.split(secret).map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    if fragments.len() == 1 {
        return shown == truth;
    }
    let mut rest = shown;
    let last = fragments.len() - 1;
    for (i, f) in fragments.iter().enumerate() {
        let found = match i {
            0 => rest.starts_with(f.as_str()).then_some(0),
            _ if i == last => rest.ends_with(f.as_str()).then(|| rest.len() - f.len()),
            _ => rest.find(f.as_str()),
        };
        match found {
            // Each secret was replaced by something.
            Some(at) if i > 0 && at == 0 => return false,
            Some(at) => rest = &rest[at + f.len()..],
            None => return false,
        }
    }
    true
}

fn check_against_truth(c: &Capture, rows: &[Value], with_bindings: bool) {
    assert_eq!(rows.len(), c.truths.len(), "one row per task:failed");
    let by_task: HashMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["task_id"].as_str().unwrap(), r))
        .collect();
    for truth in &c.truths {
        let row = by_task[truth.task_id.as_str()];
        let ctx = format!("task {} ({row})", truth.task_id);
        assert_eq!(row["server"], truth.server.name(), "{ctx}");
        let routes = row["routes"].as_array().unwrap();
        let relays: Vec<&str> = routes
            .iter()
            .map(|r| r["relay"].as_str().unwrap())
            .collect();
        assert_eq!(relays, truth.server.relays(), "{ctx}");
        for (route, t) in routes.iter().zip(&truth.relays) {
            assert_eq!(route["outcome"], t.outcome, "{ctx}: {}", t.relay);
            assert_eq!(route["why"], t.why, "{ctx}: {}", t.relay);
            assert!(
                masked_equal(route["text"].as_str(), t.text.as_deref()),
                "{ctx}: {} sent {:?}",
                t.relay,
                t.text
            );
            let bound = if with_bindings { t.bound } else { None };
            assert_eq!(route["bound"].as_bool(), bound, "{ctx}: {}", t.relay);
        }
        assert!(
            masked_equal(row["error"].as_str(), truth.visible_error.as_deref()),
            "{ctx}: {:?}",
            truth.visible_error
        );
        assert_eq!(row["error_origin"].as_str(), truth.error_origin, "{ctx}");
        assert_eq!(row["error_canned"], truth.canned, "{ctx}");
        assert_eq!(
            row["lost_chat_session_id"].as_str(),
            truth.lost_session.as_deref(),
            "{ctx}"
        );
        assert_eq!(row["retry_of"].as_str(), truth.retry_of.as_deref(), "{ctx}");
        if with_bindings {
            assert_eq!(row["leaked_to_chat"], truth.leaked, "{ctx}");
        }
        let recovered_from = truth.recovered.then_some("agent_tasks");
        assert_eq!(row["recovered_from"].as_str(), recovered_from, "{ctx}");
        check_inbox(&row["inbox"], truth.inbox.as_ref(), &ctx);
    }
}

/// The WeCom inbox card of a failure: none, or to whom and its exact text.
fn check_inbox(shown: &Value, truth: Option<&sim::InboxTruth>, ctx: &str) {
    let Some(truth) = truth else {
        return assert!(shown.is_null(), "{ctx}: inbox {shown}");
    };
    assert_eq!(shown["relay"], "wecom", "{ctx}: inbox");
    assert_eq!(shown["to"], truth.to, "{ctx}: inbox");
    assert!(
        masked_equal(shown["text"].as_str(), Some(&truth.text)),
        "{ctx}: inbox {:?}",
        truth.text
    );
}

fn both_families() -> Vec<Capture> {
    vec![
        sim::generate(Server::Upstream, 11, 160),
        sim::generate(Server::Octo, 12, 160),
    ]
}

#[test]
fn every_failure_is_routed_as_the_servers_relays_did_with_bindings() {
    let more = (20..40).flat_map(|seed| {
        [
            sim::generate(Server::Upstream, seed, 60),
            sim::generate(Server::Octo, seed, 60),
        ]
    });
    for c in both_families().into_iter().chain(more) {
        let f = write(&c);
        let rows = tail(&f.capture, &["--bindings", f.bindings.to_str().unwrap()]);
        check_against_truth(&c, &rows, true);
    }
}

#[test]
fn without_bindings_every_relay_says_what_it_would_do() {
    for c in both_families() {
        let f = write(&c);
        let rows = tail(&f.capture, &[]);
        assert_eq!(rows.len(), c.truths.len());
        for row in &rows {
            for r in row["routes"].as_array().unwrap() {
                assert!(r["bound"].is_null(), "{row}");
                assert_ne!(r["why"], "not_bound", "{row}");
            }
        }
    }
}

#[test]
fn the_family_is_told_by_the_frames_or_by_the_flag() {
    let c = sim::generate(Server::Octo, 12, 160);
    let f = write(&c);
    let summary = |extra: &[&str]| -> Value {
        let mut args = vec!["summary", f.capture.to_str().unwrap(), "--format", "json"];
        args.extend(extra);
        let out = run(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let s = summary(&[]);
    assert_eq!(s["server"], "octo");
    assert_eq!(s["server_source"], "detected");
    assert_eq!(
        s["routing"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["lark", "octo", "slack"]
    );
    let forced = summary(&["--server", "upstream"]);
    assert_eq!(forced["server"], "upstream");
    assert_eq!(forced["server_source"], "flag");
    assert!(forced["server_conflicts"].as_u64().unwrap() > 0);
    assert_eq!(forced["routing"].as_object().unwrap().len(), 5);
}

#[test]
fn summary_counts_match_the_truth_per_relay_and_outcome() {
    for c in both_families() {
        check_summary(&c);
    }
}

/// `summary --format json` with bindings counts each relay's outcomes, the canned, leaking and
/// lost failures, and the inbox cards as the truth has them.
fn check_summary(c: &Capture) {
    let f = write(c);
    let out = run(
        &[
            "summary",
            f.capture.to_str().unwrap(),
            "--format",
            "json",
            "--bindings",
            f.bindings.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut expected: HashMap<(&str, &str), u64> = HashMap::new();
    for t in &c.truths {
        for r in &t.relays {
            *expected.entry((r.relay, r.outcome)).or_default() += 1;
        }
    }
    for (relay, outcomes) in s["routing"].as_object().unwrap() {
        for (outcome, n) in outcomes.as_object().unwrap() {
            let want = expected
                .get(&(relay.as_str(), outcome.as_str()))
                .copied()
                .unwrap_or(0);
            assert_eq!(
                n.as_u64().unwrap(),
                want,
                "{} {relay} {outcome}",
                c.server.name()
            );
        }
    }
    let canned = c.truths.iter().filter(|t| t.canned).count() as u64;
    assert_eq!(s["canned"], canned);
    let leaking = c.truths.iter().filter(|t| t.leaked > 0).count() as u64;
    assert_eq!(s["leaked_to_chat"]["failures"], leaking);
    let lost: u64 = c.truths.iter().filter(|t| t.lost_session.is_some()).count() as u64;
    assert_eq!(s["dropped"], lost);
    for to in ["issue_subscribers", "quick_create_requester"] {
        let cards = c
            .truths
            .iter()
            .filter(|t| t.inbox.as_ref().is_some_and(|i| i.to == to))
            .count() as u64;
        assert_eq!(s["inbox"][to], cards, "{} inbox {to}", c.server.name());
    }
}

/// Captures recorded while asking the REST API: the task row's raw error comes back for a
/// share of the texts upstream withheld. An empty one is the daemon's silence (Lark's bare
/// `Run failed.`, DingTalk silent), a words-bearing one sets the relays' text and whether it
/// was canned. The fork withholds nothing, so its records stay as without the API.
#[test]
fn the_rest_apis_answers_route_as_the_words_they_give() {
    let options = sim::Options { api: true };
    let captures = (50..58).flat_map(|seed| {
        [
            sim::generate_with(Server::Upstream, seed, 120, options),
            sim::generate_with(Server::Octo, seed, 60, options),
        ]
    });
    for c in captures {
        let f = write(&c);
        let rows = tail(&f.capture, &["--bindings", f.bindings.to_str().unwrap()]);
        check_against_truth(&c, &rows, true);
        check_summary(&c);
    }
}

/// The API's answers are recorded beside the same frames: a capture with them differs from
/// one without only by its recovered records and the header's `api`.
#[test]
fn an_api_capture_is_the_plain_capture_plus_the_apis_answers() {
    for server in [Server::Upstream, Server::Octo] {
        let plain = sim::generate(server, 7, 160);
        let api = sim::generate_with(server, 7, 160, sim::Options { api: true });
        let frames = |c: &Capture| -> Vec<String> {
            c.text
                .lines()
                .skip(1)
                .filter(|l| !l.contains(r#""recovered":"#))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(frames(&plain), frames(&api), "{}", server.name());
        assert!(api
            .text
            .lines()
            .next()
            .unwrap()
            .ends_with(r#","api":true}"#));
        let recovered = api.truths.iter().filter(|t| t.recovered).count();
        let records = api.text.matches(r#""recovered":"#).count();
        assert_eq!(recovered, records, "{}", server.name());
        if server == Server::Octo {
            assert_eq!(records, 0, "the fork withholds nothing");
        }
    }
}

/// The generated captures reach every rule the oracle knows, so a test above cannot pass by
/// never meeting one.
#[test]
fn the_generated_captures_exercise_every_rule() {
    let upstream: Vec<Capture> = (20..40)
        .map(|seed| sim::generate(Server::Upstream, seed, 60))
        .chain((50..58).map(|seed| {
            sim::generate_with(Server::Upstream, seed, 120, sim::Options { api: true })
        }))
        .collect();
    let octo: Vec<Capture> = (20..40)
        .map(|seed| sim::generate(Server::Octo, seed, 60))
        .collect();
    let whys = |cs: &[Capture]| -> HashMap<(&'static str, &'static str), usize> {
        let mut seen = HashMap::new();
        for t in cs.iter().flat_map(|c| &c.truths) {
            for r in &t.relays {
                *seen.entry((r.relay, r.why)).or_default() += 1;
            }
        }
        seen
    };
    let (up, fork) = (whys(&upstream), whys(&octo));
    for key in [
        ("lark", "typed_in_multica"),
        ("dingtalk", "typed_in_multica"),
        ("telegram", "typed_in_multica"),
        ("lark", "canned_or_detail"),
        ("dingtalk", "canned_or_detail"),
        ("lark", "bare_run_failed"),
        ("dingtalk", "no_error_text"),
        ("lark", "canned_text"),
        ("dingtalk", "error_text"),
    ] {
        assert!(up.contains_key(&key), "upstream never has {key:?}");
    }
    for key in [("slack", "replies_only"), ("slack", "predates_relay")] {
        assert!(fork.contains_key(&key), "the fork never has {key:?}");
    }
    let truths = || upstream.iter().flat_map(|c| &c.truths);
    for to in ["issue_subscribers", "quick_create_requester"] {
        assert!(truths().any(|t| t.inbox.as_ref().is_some_and(|i| i.to == to)));
    }
    assert!(truths().any(|t| t
        .inbox
        .as_ref()
        .is_some_and(|i| i.text.contains("[issue title not seen]"))));
    assert!(truths().any(|t| t.recovered && t.visible_error.is_none()));
    assert!(truths().any(|t| t.recovered && t.leaked > 0));
    let octo_truths = || octo.iter().flat_map(|c| &c.truths);
    assert!(octo_truths().any(|t| t.leaked > 0
        && t.visible_error
            .as_deref()
            .is_some_and(|e| e.contains("xoxe-"))));
}

/// The generated captures kept in `tests/data` (the README's examples, the dashboard's snapshots
/// and the end-to-end test use them) are exactly what the simulator makes; regenerate them with
/// `FAILWATCH_REGEN=1 cargo test --release --test fidelity`.
#[test]
fn committed_captures_are_the_simulators() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (c, name) in [
        (
            sim::generate(Server::Upstream, 11, 160),
            "upstream-incident",
        ),
        (sim::generate(Server::Octo, 12, 160), "octo-pr33"),
    ] {
        let capture = data.join(format!("{name}.jsonl"));
        let bindings = data.join(format!("{name}.bindings.toml"));
        if std::env::var_os("FAILWATCH_REGEN").is_some() {
            std::fs::write(&capture, &c.text).unwrap();
            std::fs::write(&bindings, &c.bindings).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&capture).unwrap(),
            c.text,
            "{name}: regenerate"
        );
        assert_eq!(
            std::fs::read_to_string(&bindings).unwrap(),
            c.bindings,
            "{name}: regenerate"
        );
    }
}
