//! The workspace as a dimension: a capture whose records say which workspace carried each frame
//! gives every failure its workspace, in every output and through every door, and the
//! per-workspace counts of `summary` are those of the capture itself.

use std::collections::BTreeMap;

use serde_json::Value;
use support::cmd::run;
use support::fleet::failed_per_workspace;
use support::tmux::{dashboard, Tmux};

mod support;

const WORKSPACES: [&str; 3] = ["ws-eu", "ws-us", "ws-ap"];

/// The Octo fork's incident capture, each record given one of three workspaces by its place.
fn three_workspaces() -> String {
    support::fleet::capture(&WORKSPACES)
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rows(out: &std::process::Output) -> Vec<Value> {
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_failure_has_its_workspace_and_summary_counts_each() {
    let capture = three_workspaces();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("three.jsonl");
    std::fs::write(&file, &capture).unwrap();
    let file = file.to_str().unwrap();

    let expected = failed_per_workspace(&capture);
    assert_eq!(expected.len(), 3, "{expected:?}");
    let tailed = rows(&run(&["tail", file, "--format", "jsonl"], None));
    let mut from_rows: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for r in &tailed {
        let w = r["workspace"]
            .as_str()
            .expect("every record has its workspace");
        let e = from_rows.entry(w.to_owned()).or_default();
        e[0] += 1;
        e[1] += u64::from(!r["lost_chat_session_id"].is_null());
        e[2] += u64::from(r["told"] == "yes" || r["told"] == "generic");
        e[3] += u64::from(r["told"] == "no");
    }
    let failures: BTreeMap<String, u64> =
        from_rows.iter().map(|(w, c)| (w.clone(), c[0])).collect();
    assert_eq!(failures, expected);

    // The same frames through the file, standard input and a pipe: the same summary.
    let by_file = json(&run(&["summary", file, "--format", "json"], None));
    let by_stdin = json(&run(
        &["summary", "-", "--format", "json"],
        Some(capture.as_bytes()),
    ));
    assert_eq!(by_file, by_stdin);
    let listed = by_file["workspaces"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for w in listed {
        let id = w["workspace"].as_str().unwrap();
        let c = from_rows[id];
        assert_eq!(
            [&w["failures"], &w["lost"], &w["told"], &w["untold"]].map(|v| v.as_u64().unwrap()),
            c,
            "{id}"
        );
    }
    // A group counts the workspaces its failures came from.
    let mut touched: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for r in &tailed {
        touched
            .entry(r["group"].as_str().unwrap().to_owned())
            .or_default()
            .insert(r["workspace"].as_str().unwrap().to_owned());
    }
    let groups = by_file["groups"].as_array().unwrap();
    assert!(
        groups.iter().any(|g| g["workspaces"] == 3),
        "one group spans all three"
    );
    for g in groups {
        let id = g["id"].as_str().unwrap();
        assert_eq!(
            g["workspaces"].as_u64(),
            Some(touched[id].len() as u64),
            "{id}"
        );
    }
    // Most failures first.
    let counts: Vec<u64> = listed
        .iter()
        .map(|w| w["failures"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|p| p[0] >= p[1]), "{counts:?}");

    // `workspace:` keeps one workspace's failures, the same in tail and summary.
    let eu = rows(&run(
        &[
            "tail",
            file,
            "--format",
            "jsonl",
            "--filter",
            "workspace:ws-eu",
        ],
        None,
    ));
    assert_eq!(eu.len() as u64, expected["ws-eu"]);
    assert!(eu.iter().all(|r| r["workspace"] == "ws-eu"));
    let summary = json(&run(
        &[
            "summary",
            file,
            "--format",
            "json",
            "--filter",
            "workspace:ws-eu",
        ],
        None,
    ));
    assert_eq!(summary["failures"].as_u64(), Some(expected["ws-eu"]));

    // The report to paste has a section of them: each workspace's failures and never told.
    let report = run(&["summary", file, "--format", "markdown"], None);
    let report = String::from_utf8_lossy(&report.stdout);
    let section = report
        .split("### Workspaces")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("a Workspaces section");
    for w in listed {
        let id = w["workspace"].as_str().unwrap();
        let row = format!("| `{id}` | {} | {} |", w["failures"], w["untold"]);
        assert!(section.contains(&row), "{row} in {section}");
    }

    // The table says each workspace.
    let table = run(&["summary", file], None);
    let text = String::from_utf8_lossy(&table.stdout);
    for w in WORKSPACES {
        assert!(text.contains(w), "{text}");
    }
}

#[test]
fn a_hostile_workspace_id_is_made_safe_everywhere() {
    let secret = "sk-live-0123456789abcdefghijklmnop";
    let hostile = format!("w\u{1b}[31m\u{202e}{secret}");
    let frame = r#"{"type":"task:failed","payload":{"task_id":"t1","failure_reason":"timeout"}}"#;
    let line = serde_json::json!({"at": "2026-12-07T09:50:00.000Z", "workspace": hostile, "frame": serde_json::from_str::<Value>(frame).unwrap()});
    let capture = format!("{line}\n");
    for args in [
        &["tail", "-", "--format", "jsonl"][..],
        &["tail", "-", "--format", "text"][..],
        &["summary", "-"][..],
        &["summary", "-", "--format", "json"][..],
    ] {
        let out = run(args, Some(capture.as_bytes()));
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(secret), "{args:?}: {text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u202e"),
            "{args:?}: {text}"
        );
    }
}

/// A failure of task `task`.
fn failed(task: &str) -> String {
    format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"{task}","failure_reason":"timeout"}}}}"#
    )
}

#[tokio::test]
async fn two_workspaces_over_websocket_one_drops_the_other_keeps_flowing() {
    use failwatch::source::fleet;
    use failwatch::source::status::Phase;
    use failwatch::source::ws::{LiveConfig, Token};
    use failwatch::source::Delivery;
    use support::hub::{scripted, After, Conn};
    // Connections in the order they are made: A, then B; A's drops and A connects again.
    let url = scripted(vec![
        Conn::Serve(vec![failed("a1")], After::Drop),
        Conn::Serve(vec![failed("b1"), failed("b2")], After::Stay),
        Conn::Serve(vec![failed("a2")], After::Stay),
    ])
    .await;
    let config = |workspace: &str| LiveConfig {
        url: url.clone(),
        workspace: workspace.into(),
        token: Token::new("t"),
    };
    let mut h = fleet::open(
        vec![config("acme"), config("globex")],
        Delivery::Lossless,
        None,
    )
    .await
    .unwrap();
    let mut got: Vec<(String, String)> = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while got.len() < 4 {
        let f = tokio::time::timeout_at(deadline, h.frames.recv())
            .await
            .expect("every frame arrives")
            .unwrap();
        let task = serde_json::from_str::<Value>(&f.text).unwrap()["payload"]["task_id"]
            .as_str()
            .unwrap()
            .to_owned();
        got.push((f.workspace.as_deref().unwrap().to_owned(), task));
    }
    got.sort();
    assert_eq!(
        got,
        [
            ("acme", "a1"),
            ("acme", "a2"),
            ("globex", "b1"),
            ("globex", "b2")
        ]
        .map(|(w, t)| (w.to_owned(), t.to_owned()))
    );
    // The one status: both live again, acme's disconnect a gap of its own (closed), none of
    // globex's.
    loop {
        let s = h.status.borrow().clone();
        let both_live = s.parts.len() == 2
            && s.parts
                .iter()
                .all(|(_, p)| matches!(p.phase, Phase::Live { .. }));
        if both_live && s.gaps.iter().all(|g| g.to.is_some()) && !s.gaps.is_empty() {
            assert!(
                s.gaps.iter().all(|g| g.why.starts_with("workspace acme: ")),
                "{:?}",
                s.gaps
            );
            assert_eq!(s.reconnects, 1);
            assert!(matches!(s.phase, Phase::Live { .. }));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn tail_of_two_workspaces_over_websocket_says_each_rows_workspace() {
    use std::io::BufRead;
    use support::hub::{scripted, After, Conn};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(scripted(vec![
        Conn::Serve(vec![failed("a1"), failed("a2")], After::Stay),
        Conn::Serve(vec![failed("b1")], After::Stay),
    ]));
    let mut child = support::cmd::failwatch()
        .args([
            "tail",
            "--url",
            &url,
            "--workspace",
            "acme,globex",
            "--server",
            "octo",
        ])
        .args(["--no-api", "--format", "jsonl"])
        .env("FAILWATCH_TOKEN", "t")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<Value> = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .take(3)
        .map(|l| serde_json::from_str(&l).unwrap())
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    let mut got: Vec<(String, String)> = lines
        .iter()
        .map(|r| {
            (
                r["workspace"].as_str().unwrap().to_owned(),
                r["task_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [("acme", "a1"), ("acme", "a2"), ("globex", "b1")]
            .map(|(w, t)| (w.to_owned(), t.to_owned()))
    );
}

#[test]
fn diff_says_which_workspaces_appeared_vanished_or_held() {
    let before = three_workspaces();
    // The same failures, ws-ap's now reported as a new workspace's.
    let after = before.replace("\"ws-ap\"", "\"ws-new\"");
    let dir = tempfile::tempdir().unwrap();
    let (b, a) = (
        dir.path().join("before.jsonl"),
        dir.path().join("after.jsonl"),
    );
    std::fs::write(&b, &before).unwrap();
    std::fs::write(&a, &after).unwrap();
    let out = json(&run(
        &[
            "diff",
            b.to_str().unwrap(),
            a.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    ));
    let w = &out["workspaces"];
    let counts = failed_per_workspace(&before);
    assert_eq!(w["ws-ap"]["change"], "vanished");
    assert_eq!(w["ws-new"]["change"], "appeared");
    assert_eq!(w["ws-new"]["after"].as_u64(), Some(counts["ws-ap"]));
    for same in ["ws-eu", "ws-us"] {
        assert_eq!(w[same]["change"], "same", "{same}");
        assert_eq!(w[same]["before"].as_u64(), Some(counts[same]));
    }
    let table = run(&["diff", b.to_str().unwrap(), a.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&table.stdout).contains("ws-new"));
}

/// The real binary in tmux: `w` shows the workspaces panel with each workspace's failures as the
/// capture holds them, enter narrows the failures to the one under the cursor, esc goes back.
#[test]
fn the_workspaces_panel_in_the_dashboard_narrows_to_a_workspace() {
    let capture = three_workspaces();
    let expected = failed_per_workspace(&capture);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("three.jsonl");
    std::fs::write(&file, &capture).unwrap();
    let tmux = Tmux::sized(
        &dashboard(&format!(
            "replay {} --speed max --lang en --tz utc",
            file.display()
        )),
        160,
        45,
    );
    tmux.wait_for("end of capture");
    tmux.send(&["w"]);
    let screen = tmux.wait_for("Workspaces · 3");
    for (ws, n) in &expected {
        let row = screen
            .lines()
            .find(|l| l.contains(&format!("│{ws} ")))
            .unwrap_or_else(|| panic!("no row of {ws}\n{screen}"));
        let after = &row[row.find(ws.as_str()).unwrap() + ws.len()..];
        assert_eq!(
            after.split_whitespace().next(),
            Some(n.to_string().as_str()),
            "{row}"
        );
    }
    // The panel's usual order puts the most untold first; the cursor is on it.
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("all › workspace:");
    let ws = WORKSPACES
        .iter()
        .find(|w| screen.contains(&format!("all › workspace:{w}")))
        .expect("the breadcrumb names a workspace");
    // The panels count the failures the filter shows: that workspace's.
    assert!(
        screen.contains(&format!("filtered {}/", expected[*ws])),
        "{screen}"
    );
    tmux.send(&["Escape"]);
    tmux.wait_for_without("Failures · ", "all › workspace:");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

/// The demo deployment in tmux: three workspaces over WebSocket, their names from the demo's
/// `GET /api/workspaces` (the server's shape), shown in the workspaces panel and, on enter, the
/// filter narrowed by the named workspace's id.
#[test]
fn a_deployment_names_its_workspaces_from_the_api() {
    let tmux = Tmux::sized(&dashboard("demo --workspaces 3 --lang en"), 160, 45);
    tmux.wait_for("[3/3 live]");
    tmux.send(&["w"]);
    // The first workspace's incident starts at once (the others' 20 s apart).
    tmux.wait_for("│Acme EU ");
    // Enter narrows by the id behind the name.
    tmux.send(&["Enter"]);
    tmux.wait_for("all › workspace:de0");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}
