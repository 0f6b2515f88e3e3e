//! The incident task of an on-call engineer, "20 minutes ago Lark users started complaining
//! they got no reply: who was never told, why, since when", on the fork's recording with its
//! bindings: one filter and one report, checked against counts computed here from the `tail`
//! records (the documented meaning of `told:no`, `bound:` and `since:`), and the dashboard's
//! report key giving the same report as `summary --format markdown`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use support::cmd::run;
use support::tmux::{dashboard, Tmux};

mod support;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn capture() -> String {
    format!("{DATA}/octo-pr33.jsonl")
}

fn bindings() -> String {
    format!("{DATA}/octo-pr33.bindings.toml")
}

/// The dashboard on the fork's recording with its bindings, at 160×45, with `extra` flags.
fn fork_dashboard(extra: &str) -> Tmux {
    Tmux::sized(
        &dashboard(&format!(
            "replay {} --bindings {} --speed max --lang en --tz utc {extra}",
            capture(),
            bindings()
        )),
        160,
        45,
    )
}

/// `summary --format markdown` of the fork's recording with its bindings and this filter.
fn report_of(filter: &str) -> String {
    stdout(&[
        "summary",
        &capture(),
        "--bindings",
        &bindings(),
        "--lang",
        "en",
        "--tz",
        "utc",
        "--format",
        "markdown",
        "--filter",
        filter,
    ])
}

fn stdout(args: &[&str]) -> String {
    let out = run(args, None);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// Every failure `tail` gives for the capture, no filter.
fn records() -> Vec<Value> {
    stdout(&[
        "tail",
        &capture(),
        "--bindings",
        &bindings(),
        "--format",
        "jsonl",
    ])
    .lines()
    .map(|l| serde_json::from_str::<Value>(l).unwrap())
    .filter(|r| r.get("task_id").is_some())
    .collect()
}

/// The newest event of the capture: where `since:` is measured from.
fn capture_end() -> DateTime<Utc> {
    std::fs::read_to_string(capture())
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["at"].is_string())
        .map(|r| at(&r["at"]))
        .max()
        .unwrap()
}

/// `told:no` as the README defines it: the session was lost, or every relay serving it (those
/// it is bound to; where the bindings do not say, every relay) stayed silent, with no retry to
/// come and the turn not typed in Multica's own app.
fn never_told(r: &Value) -> bool {
    let routes = r["routes"].as_array().unwrap();
    if !r["lost_chat_session_id"].is_null() || routes.iter().any(|x| x["outcome"] == "dropped") {
        return true;
    }
    let chat: Vec<&Value> = routes
        .iter()
        .filter(|x| x["outcome"] != "not_chat")
        .collect();
    if chat.is_empty() {
        return false;
    }
    let bound: Vec<&Value> = chat
        .iter()
        .copied()
        .filter(|x| x["bound"] == true)
        .collect();
    let serving = if bound.is_empty() {
        chat.iter()
            .copied()
            .filter(|x| x["bound"].is_null())
            .collect()
    } else {
        bound
    };
    !serving.is_empty()
        && serving.iter().all(|x| {
            !x["outcome"].as_str().unwrap().starts_with("notified")
                && x["why"] != "retry_pending"
                && x["why"] != "typed_in_multica"
        })
}

fn bound_to(r: &Value, relay: &str) -> bool {
    r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["relay"] == relay && x["bound"] == true)
}

fn binding_unknown(r: &Value) -> bool {
    let routes: Vec<&Value> = r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["outcome"] != "not_chat")
        .collect();
    !routes.is_empty() && routes.iter().all(|x| x["bound"].is_null())
}

/// What the report must hold for these failures: counts by reason, and per session the count
/// and first and last time.
struct Expected {
    failures: usize,
    by_reason: BTreeMap<String, usize>,
    sessions: BTreeMap<String, (usize, DateTime<Utc>, DateTime<Utc>)>,
}

fn expected(selected: &[&Value]) -> Expected {
    let mut by_reason = BTreeMap::new();
    let mut sessions: BTreeMap<String, (usize, DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for r in selected {
        let reason = r["reason"].as_str().unwrap_or("none").to_owned();
        *by_reason.entry(reason).or_default() += 1;
        let session = r["chat_session_id"]
            .as_str()
            .or(r["lost_chat_session_id"].as_str())
            .unwrap()
            .to_owned();
        let t = at(&r["at"]);
        let e = sessions.entry(session).or_insert((0, t, t));
        e.0 += 1;
        e.1 = e.1.min(t);
        e.2 = e.2.max(t);
    }
    Expected {
        failures: selected.len(),
        by_reason,
        sessions,
    }
}

/// The rows of a Markdown table under `heading`, as cells.
fn table(report: &str, heading: &str) -> Vec<Vec<String>> {
    report
        .split(&format!("### {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading} in:\n{report}"))
        .lines()
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

fn check_report(report: &str, want: &Expected) {
    assert!(
        report.contains(&format!("· {} of 95 failures", want.failures)),
        "{report}"
    );
    let reasons: BTreeMap<String, usize> = table(report, "Reasons")
        .iter()
        .map(|row| (row[0].clone(), row[2].parse().unwrap()))
        .collect();
    assert_eq!(reasons, want.by_reason, "{report}");
    let sessions = table(report, "Chat sessions");
    let listed: BTreeSet<&str> = sessions.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        listed,
        want.sessions.keys().map(String::as_str).collect(),
        "{report}"
    );
    for row in &sessions {
        let (n, first, last) = want.sessions[&row[0]];
        assert_eq!(row[2], n.to_string(), "{row:?}");
        // `n × first–last` (or one time) of the never told: every one of them was.
        let times = if first.format("%H:%M:%S").to_string() == last.format("%H:%M:%S").to_string() {
            format!("{n} × {}", first.format("%H:%M:%S"))
        } else {
            format!(
                "{n} × {}–{}",
                first.format("%H:%M:%S"),
                last.format("%H:%M:%S")
            )
        };
        assert_eq!(row[3], times, "{row:?}");
        assert_eq!(row[5], "nothing", "a user never told saw nothing: {row:?}");
    }
}

#[test]
fn who_was_never_told_is_one_filter_and_the_report_holds_it() {
    let records = records();
    assert_eq!(records.len(), 95);
    let since = capture_end() - Duration::minutes(20);
    for (filter, bound) in [
        (
            "bound:lark told:no since:20m",
            &(|r: &Value| bound_to(r, "lark")) as &dyn Fn(&Value) -> bool,
        ),
        ("bound:lark,unknown told:no since:20m", &|r: &Value| {
            bound_to(r, "lark") || binding_unknown(r)
        }),
        ("told:no", &|_: &Value| true),
    ] {
        let selected: Vec<&Value> = records
            .iter()
            .filter(|r| bound(r) && never_told(r) && at(&r["at"]) >= since)
            .collect();
        assert!(!selected.is_empty(), "{filter}");
        let want = expected(&selected);
        // `tail` with the filter gives those records, no more.
        let tailed = stdout(&[
            "tail",
            &capture(),
            "--bindings",
            &bindings(),
            "--format",
            "jsonl",
            "--filter",
            filter,
        ]);
        let tasks: BTreeSet<String> = tailed
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|r| r["task_id"].as_str().map(str::to_owned))
            .collect();
        let wanted: BTreeSet<String> = selected
            .iter()
            .map(|r| r["task_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(tasks, wanted, "{filter}");
        let report = report_of(filter);
        check_report(&report, &want);
    }
}

#[test]
fn the_report_says_where_the_server_changed_and_where_users_stopped_being_told() {
    let records = records();
    // The first failure of the fork since its PR #33, from the records.
    let first_fixed = records
        .iter()
        .filter(|r| r["era"] == "octo_after_fix")
        .map(|r| at(&r["at"]))
        .min()
        .unwrap();
    let first_untold = records
        .iter()
        .filter(|r| never_told(r))
        .map(|r| at(&r["at"]))
        .min()
        .unwrap();
    let report = report_of("bound:lark,unknown told:no");
    // The change is a fact of the stream, said even though no failure shown is of the new era.
    assert!(
        report.contains(&format!(
            "- {}: Octo fork before PR #33 → Octo fork since PR #33",
            first_fixed.format("%H:%M:%S")
        )),
        "{report}"
    );
    let _ = first_untold;
    assert!(report.contains("users stopped being told"), "{report}");
    assert!(
        report.contains("gaps (events may be missing): 0"),
        "{report}"
    );
}

#[test]
fn the_dashboard_report_key_gives_what_summary_gives() {
    let dir = tempfile::tempdir().unwrap();
    let filter = "bound:lark told:no since:20m";
    let tmux = fork_dashboard(&format!("--export {}", dir.path().display()));
    tmux.wait_for("end of capture");
    tmux.send(&["/"]);
    tmux.type_line(filter);
    let screen = tmux.wait_for("filtered 1/95");
    // The panels follow the filter and say so; the breadcrumb shows the level.
    assert!(screen.contains("filtered 1/95"), "{screen}");
    assert!(screen.contains(&format!("all › {filter}")), "{screen}");
    tmux.send(&["R"]);
    tmux.wait_for("report written to");
    let summary = report_of(filter);
    assert_eq!(tmux.buffer().trim_end(), summary.trim_end());
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("failwatch-report-"));
    assert_eq!(
        std::fs::read_to_string(&written[0]).unwrap().trim_end(),
        summary.trim_end()
    );
    // `y l`: the sessions never told among those shown, with their times and reasons.
    tmux.send(&["y", "l"]);
    tmux.wait_for("tmux buffer");
    let lost = tmux.buffer();
    assert!(
        lost.starts_with("c9513620-c6a3-7f98-89e5-1e0e48d79065\tOL\t1\t09:47:45–09:47:45\t"),
        "{lost}"
    );
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn drill_down_goes_one_level_at_a_time_and_q_closes_before_it_quits() {
    let tmux = fork_dashboard("");
    tmux.wait_for("end of capture");
    // The reasons panel: enter narrows to the top reason.
    tmux.send(&["r"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("all › reason:");
    assert!(screen.contains("filtered "), "{screen}");
    // The sessions panel now lists that reason's sessions: enter narrows again.
    tmux.send(&["s"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for(" › session:");
    assert!(screen.contains("(esc back)"), "{screen}");
    // esc pops one level, then the other.
    tmux.send(&["Escape"]);
    tmux.wait_for_without("all › reason:", "session:");
    tmux.send(&["Escape"]);
    tmux.wait_for_without("Failures · 95", "all › ");
    // q closes the help, and quits only from the top.
    tmux.send(&["?"]);
    tmux.wait_for("Keys · ");
    tmux.send(&["q"]);
    let screen = tmux.wait_for_without("Failures · 95", "Keys · ");
    assert!(!screen.contains("FAILWATCH-EXITED"), "{screen}");
    // A filter that hides the selected failure: nothing is copied or opened.
    tmux.send(&["/"]);
    tmux.type_line("task:no-such-task");
    tmux.wait_for("(0 shown of 95)");
    tmux.send(&["c"]);
    tmux.wait_for("nothing selected");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn filter_means_the_same_to_diff_and_is_refused_where_it_means_nothing() {
    // `diff` compares what the filter shows of each capture: the same capture on both sides
    // counts the filtered failures on both.
    let out = stdout(&[
        "diff",
        &capture(),
        &capture(),
        "--bindings",
        &bindings(),
        "--format",
        "json",
        "--filter",
        "told:no",
    ]);
    let d: Value = serde_json::from_str(&out).unwrap();
    let untold = records().iter().filter(|r| never_told(r)).count() as u64;
    assert_eq!(d["before"]["failures"], untold, "{out}");
    assert_eq!(d["after"]["failures"], untold, "{out}");
    for args in [
        &["config", "path"][..],
        &["man"],
        &["completions", "bash"],
        &["demo", "--serve-only"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--filter", "told:no"]);
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--filter means nothing"), "{args:?}: {err}");
    }
}

#[test]
fn watch_sees_only_the_failures_the_filter_shows() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[[alerts]]\nname = \"never told\"\nlost = true\n").unwrap();
    let records = records();
    let (capture, bindings) = (capture(), bindings());
    let alerts = |filter: Option<&str>| {
        let mut args = vec![
            "watch",
            &capture,
            "--bindings",
            &bindings,
            "--config",
            config.to_str().unwrap(),
            "--format",
            "jsonl",
        ];
        if let Some(f) = filter {
            args.extend(["--filter", f]);
        }
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(5), "{filter:?}");
        String::from_utf8(out.stdout).unwrap().lines().count()
    };
    let lost = |pick: &dyn Fn(&Value) -> bool| {
        records
            .iter()
            .filter(|r| !r["lost_chat_session_id"].is_null() && pick(r))
            .count()
    };
    assert_eq!(alerts(None), lost(&|_| true));
    assert_eq!(alerts(Some("bound:lark")), lost(&|r| bound_to(r, "lark")));
}

#[test]
fn the_timeline_goes_to_a_time() {
    let tmux = fork_dashboard("");
    tmux.wait_for("end of capture");
    // The histogram spans the capture's minutes, with the server's change marked.
    let screen = tmux.wait_for("1 cell = 1 min");
    assert!(
        screen.contains("09:46 ") && screen.contains("→ 10:03"),
        "{screen}"
    );
    assert!(screen.contains('▲'), "{screen}");
    tmux.send(&["t"]);
    tmux.wait_for("go to:");
    tmux.type_line("09:52");
    // The first failure at or after 09:52 is selected (the records say which).
    let first = records()
        .iter()
        .map(|r| at(&r["at"]))
        .filter(|t| t.format("%H:%M").to_string().as_str() >= "09:52")
        .min()
        .unwrap();
    let screen = tmux.wait_for(&format!("at {}", first.format("%Y-%m-%d %H:%M:%S")));
    assert!(screen.contains("SCROLLED"), "{screen}");
    // Not a time: said, nothing moves.
    tmux.send(&["t"]);
    tmux.type_line("9h52");
    tmux.wait_for("not a time");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn panels_sort_by_key_and_the_filter_line_opens_empty_with_its_history() {
    let tmux = fork_dashboard("");
    tmux.wait_for("end of capture");
    tmux.send(&["s"]);
    tmux.send(&["o"]);
    tmux.wait_for("by failures ↓");
    tmux.send(&["O"]);
    tmux.wait_for("by failures ↑");
    tmux.send(&["Escape"]);
    // A filter, then `/` again: an empty prompt, ↑ brings the filter in effect back.
    tmux.send(&["/"]);
    tmux.type_line("told:no");
    tmux.wait_for("all › told:no");
    tmux.send(&["/"]);
    let screen = tmux.wait_for("/ ▏");
    assert!(!screen.contains("/ told:no"), "{screen}");
    tmux.send(&["Up"]);
    tmux.wait_for("/ told:no▏");
    tmux.send(&["Escape"]);
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}
