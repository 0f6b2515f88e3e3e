//! One capture read through every door the binary has: a capture file, standard input, a live
//! WebSocket and the Redis relay streams. What `tail` prints of a failure must not depend on the
//! door it came in by, and no door may let a secret or a control character through.
//!
//! Only the command line is driven here: the library's ingestion is free to change shape.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use support::cmd;
use support::hub::{scripted, After, Conn};
use support::redis::{xadd, Server as Redis};
use support::secrets::{hostile, leaks, Leak, SECRETS};
use support::sim::{self, Server};
use support::tail::Tail;

mod support;

const TOKEN: &str = "t";
/// Tasks per generated capture: about a hundred of them fail.
const TASKS: usize = 170;
/// How long a live door may take to print what the file printed.
const ROW_WAIT: Duration = Duration::from_secs(10);
/// How long a live door may take to end after an interrupt (it takes milliseconds).
const EXIT_WAIT: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    File,
    /// The file again, read line by line from its map rather than in bulk (a header asking
    /// for the recorded REST answers makes the reader take each line in order).
    FileLines,
    Stdin,
    WebSocket,
    Redis,
}

impl Door {
    const ALL: [Door; 4] = [Door::File, Door::Stdin, Door::WebSocket, Door::Redis];
}

/// What one run printed.
struct Run {
    code: Option<i32>,
    lines: Vec<String>,
    stderr: String,
}

impl Run {
    fn stdout(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The failure rows, the gap lines aside (a live source says when events may be missing).
    fn rows(&self) -> Vec<&String> {
        self.lines.iter().filter(|l| !is_gap(l)).collect()
    }
}

/// A gap line, in JSON Lines or in text.
fn is_gap(line: &str) -> bool {
    line.starts_with(r#"{"gap""#) || line.starts_with("--- ")
}

/// What every door of a test shares: a runtime for the WebSocket hubs, a Redis server, a
/// directory for the captures.
struct World {
    rt: tokio::runtime::Runtime,
    redis: Redis,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
            redis: Redis::start(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Lay a capture at every door: its file, its frames for a hub, its frames XADDed into
    /// the workspace's stream as a server's relay writes them (two nodes).
    fn lay(&self, name: &str, capture: &str, workspace: &'static str) -> Doors<'_> {
        let path = self.dir.path().join(format!("{name}.jsonl"));
        // As a recording of that workspace has it: each frame's record names it.
        std::fs::write(&path, recorded_in(capture, workspace)).unwrap();
        let frames = frames_of(capture);
        let key = format!("ws:scope:workspace:{workspace}:stream");
        let mut c = self.redis.conn();
        for (i, f) in frames.iter().enumerate() {
            let node = ["node-a", "node-b"][i % 2];
            xadd(&mut c, &key, "*", &event_id_of(f), node, workspace, f);
        }
        Doors {
            world: self,
            path,
            frames,
            workspace,
        }
    }
}

/// `capture` as failwatch records it from a workspace's connection: every frame (a record's, or
/// a bare one, put in a record without a time of its own) with the workspace beside it.
fn recorded_in(capture: &str, workspace: &str) -> String {
    let mut out = String::new();
    for line in capture.lines() {
        let line = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(mut record)) if record.contains_key("frame") => {
                record.insert("workspace".into(), workspace.into());
                Value::Object(record).to_string()
            }
            Ok(frame @ Value::Object(_)) if frame.get("type").is_some() => {
                serde_json::json!({ "frame": frame, "workspace": workspace }).to_string()
            }
            _ => line.to_owned(),
        };
        out += &line;
        out.push('\n');
    }
    out
}

/// One capture at every door.
struct Doors<'w> {
    world: &'w World,
    path: PathBuf,
    frames: Vec<String>,
    workspace: &'static str,
}

impl Doors<'_> {
    /// `failwatch ARGS` reading by `door`; a live door is read until it printed `rows` rows
    /// (or `ROW_WAIT` passed), then stopped.
    fn read(&self, door: Door, args: &[&str], rows: usize) -> Run {
        match door {
            Door::File => self.file(args),
            Door::FileLines => self.file_lines(args),
            Door::Stdin => self.stdin(args),
            Door::WebSocket => {
                let url = self.world.rt.block_on(scripted(vec![Conn::Serve(
                    self.frames.clone(),
                    After::Stay,
                )]));
                let source = ["--url", &url, "--workspace", self.workspace, "--no-api"];
                live(&[args, &source].concat(), rows)
            }
            Door::Redis => {
                let url = self.world.redis.url();
                let source = ["--redis", &url, "--workspace", self.workspace];
                live(&[args, &source].concat(), rows)
            }
        }
    }

    fn file(&self, args: &[&str]) -> Run {
        let path = self.path.to_str().unwrap();
        ended(cmd::run(&[args, &[path]].concat(), None))
    }

    fn file_lines(&self, args: &[&str]) -> Run {
        let path = self.path.with_extension("lines.jsonl");
        let mut bytes = b"{\"failwatch_capture\":1,\"source\":\"doors\",\"api\":true}\n".to_vec();
        bytes.extend(std::fs::read(&self.path).unwrap());
        std::fs::write(&path, bytes).unwrap();
        ended(cmd::run(&[args, &[path.to_str().unwrap()]].concat(), None))
    }

    /// `cat FILE | failwatch ARGS -`.
    fn stdin(&self, args: &[&str]) -> Run {
        let bytes = std::fs::read(&self.path).unwrap();
        ended(cmd::run(&[args, &["-"]].concat(), Some(&bytes)))
    }
}

fn ended(out: std::process::Output) -> Run {
    Run {
        code: out.status.code(),
        lines: String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A live `failwatch ARGS` read until it printed `rows` rows or `ROW_WAIT` passed, then
/// stopped.
fn live(args: &[&str], rows: usize) -> Run {
    let mut tail = Tail::spawn(args, TOKEN);
    let deadline = Instant::now() + ROW_WAIT;
    while tail.seen.iter().filter(|l| !is_gap(l)).count() < rows {
        let left = deadline.saturating_duration_since(Instant::now());
        match tail.lines.recv_timeout(left) {
            Ok(line) => tail.push(line),
            Err(_) => break,
        }
    }
    stop(tail, args)
}

/// Ctrl-C, as a person would. A tail still running a moment later is killed, and said on the
/// test's output: today an interrupt that lands while it is busy is missed. Its rows are out
/// already (each is flushed), so nothing it printed is lost.
fn stop(mut tail: Tail, args: &[&str]) -> Run {
    let pid = tail.child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let deadline = Instant::now() + EXIT_WAIT;
    while tail.still_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if tail.still_running() {
        eprintln!("note: {args:?} outlived its interrupt by {EXIT_WAIT:?}: killed");
        tail.child.kill().unwrap();
    }
    let end = tail.finish();
    Run {
        code: end.code,
        lines: end.lines,
        stderr: end.stderr,
    }
}

/// The frames of a capture, as a server sends them.
fn frames_of(capture: &str) -> Vec<String> {
    capture
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|record| record.get("frame").map(Value::to_string))
        .collect()
}

/// A frame's `event_id`: the relay entry carries the same one.
fn event_id_of(frame: &str) -> String {
    let v: Value = serde_json::from_str(frame).unwrap();
    v["event_id"].as_str().unwrap_or_default().to_owned()
}

/// A ULID of `at` (Crockford base32: 10 characters of milliseconds, 16 of `random`).
fn ulid(at: DateTime<Utc>, random: u128) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let ms = u128::try_from(at.timestamp_millis()).unwrap();
    let v = (ms << 80) | (random & ((1 << 80) - 1));
    (0..26)
        .rev()
        .map(|i| ALPHABET[((v >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// A generated capture of `server` whose every frame carries an `event_id`, so that a failure's
/// time is its event's at every door (a live door would otherwise stamp it on arrival). The
/// fork sends none: each of its frames gets one of its record's time, unique by its place.
fn stamped(server: Server, seed: u64) -> String {
    let capture = sim::generate(server, seed, TASKS);
    let mut lines = capture.text.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for (i, line) in lines.enumerate() {
        let mut record: Value = serde_json::from_str(line).unwrap();
        let at: DateTime<Utc> = record["at"].as_str().unwrap().parse().unwrap();
        let frame = record["frame"].as_object_mut().unwrap();
        frame
            .entry("event_id")
            .or_insert_with(|| ulid(at, i as u128 + 1).into());
        text += &format!("{record}\n");
    }
    text
}

/// The failure records of a JSON Lines run.
fn records(run: &Run) -> Vec<Value> {
    run.rows()
        .into_iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// How the records read through a door differ from the file's: the count, then each field that
/// differs, in how many records, and where first.
fn differences(door: &str, want: &[Value], have: &[Value]) -> Vec<String> {
    let mut found = Vec::new();
    if want.len() != have.len() {
        found.push(format!(
            "{door}: {} records, the file gave {}",
            have.len(),
            want.len()
        ));
    }
    let mut fields: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, (w, h)) in want.iter().zip(have).enumerate() {
        for field in differing_fields(w, h) {
            let first = || (0, first_difference(door, i, w, h, &field));
            fields.entry(field.clone()).or_insert_with(first).0 += 1;
        }
    }
    let compared = want.len().min(have.len());
    found.extend(fields.into_iter().map(|(field, (n, first))| {
        format!("{door}: `{field}` differs in {n} of {compared} records; first {first}")
    }));
    found
}

/// The top-level fields in which two records differ (one missing counts).
fn differing_fields(w: &Value, h: &Value) -> Vec<String> {
    let (Some(w), Some(h)) = (w.as_object(), h.as_object()) else {
        return vec!["(the record itself)".into()];
    };
    let mut keys: Vec<&String> = w.keys().chain(h.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| w.get(*k) != h.get(*k))
        .cloned()
        .collect()
}

/// Record `i`'s `field` as the file and the door gave it (long values cut).
fn first_difference(door: &str, i: usize, w: &Value, h: &Value, field: &str) -> String {
    let cut = |v: Option<&Value>| {
        let s = v.map_or("(missing)".into(), Value::to_string);
        s.chars().take(240).collect::<String>()
    };
    format!(
        "at record {i} (task {}): file {} / {door} {}",
        w["task_id"],
        cut(w.get(field)),
        cut(h.get(field))
    )
}

#[test]
fn the_same_capture_gives_the_same_records_through_every_door() {
    // No field is taken out of the comparison: with an `event_id` on every frame a record's time
    // is its event's whatever the door, the REST API is off at the live door and unknown to the
    // others, and every other field follows from the frames alone. Gap lines are not records:
    // the Redis door says its stream keeps less history than --since asks, which no other door
    // can know.
    let world = World::new();
    let mut found = Vec::new();
    let families = [
        (Server::Upstream, 11, "5b1c2d3e-0000-4000-8000-0000000000a1"),
        (Server::Octo, 12, "5b1c2d3e-0000-4000-8000-0000000000a2"),
    ];
    for (server, seed, workspace) in families {
        let doors = world.lay(server.name(), &stamped(server, seed), workspace);
        // Learnt from the frames first; then said with --server, where no door has to learn.
        for flag in [None, Some(server.name())] {
            let mut args = vec!["tail", "--format", "jsonl"];
            args.extend(flag.into_iter().flat_map(|name| ["--server", name]));
            let file = doors.read(Door::File, &args, 0);
            assert_eq!(file.code, Some(0), "{args:?} FILE: {}", file.stderr);
            let want = records(&file);
            assert!(want.len() >= 90, "{} failures only", want.len());
            for door in [Door::Stdin, Door::WebSocket, Door::Redis] {
                let run = doors.read(door, &args, want.len());
                let said = flag.map_or("learnt".into(), |name| format!("--server {name}"));
                let label = format!("{} ({said}) {door:?}", server.name());
                found.extend(differences(&label, &want, &records(&run)));
            }
        }
    }
    assert!(
        found.is_empty(),
        "records differ by door (family (how it is known) door):\n{}",
        found.join("\n")
    );
}

/// The planted secrets: a Multica token, a GitHub token, API keys (one split by an invisible
/// space), a bearer token.
fn planted() -> Vec<&'static str> {
    let kinds = ["mul_", "ghp_", "sk-", "Bearer "];
    SECRETS
        .iter()
        .map(|(secret, _)| *secret)
        .filter(|s| kinds.iter().any(|k| s.starts_with(k)))
        .collect()
}

/// Characters a server's text may hold right before a secret: BEL, an ESC sequence, a C1
/// control, right-to-left override, a zero-width space.
const GLUES: [&str; 5] = ["\u{7}", "\u{1b}[0m", "\u{85}", "\u{202e}", "\u{200b}"];

/// A field's planted value: its name (to find it in a message), control and invisible
/// characters, a line feed, the secret; then the secret again right after each of `GLUES`,
/// glued to the word before once they are removed.
fn plant(field: &str, i: usize, secret: &str) -> String {
    let glued: Vec<String> = GLUES.iter().map(|g| format!("x{g}{secret}")).collect();
    format!("{field}{i} {}{secret} {}", hostile(i), glued.join(" "))
}

/// Per secret, an issue task whose error only its system comment tells (upstream's shape), and
/// a task with every string field of a `task:failed` planted (the fork's shape, `error` and
/// `error_message` on the wire).
fn hostile_frames() -> Vec<Value> {
    let mut frames = Vec::new();
    for (i, secret) in planted().into_iter().enumerate() {
        let p = |field: &str| plant(field, i, secret);
        let (task, issue) = (p("task_id-issue"), p("issue_id-issue"));
        frames.push(json!({"type": "comment:created", "actor_type": "agent", "event_id": p("event_id-comment"),
            "payload": {"comment": {"type": "system", "author_type": "agent", "source_task_id": task,
            "issue_id": issue, "content": p("content")}}}));
        frames.push(
            json!({"type": "task:failed", "actor_type": "system", "event_id": p("event_id-issue"),
            "payload": {"task_id": task, "agent_id": p("agent_id-issue"), "issue_id": issue,
            "chat_session_id": "", "status": "failed", "failure_reason": p("failure_reason-issue"),
            "retry_pending": false}}),
        );
        frames.push(json!({"type": "task:failed", "actor_type": "system", "event_id": p("event_id"),
            "payload": {"task_id": p("task_id"), "agent_id": p("agent_id"), "issue_id": p("issue_id"),
            "chat_session_id": p("chat_session_id"), "status": "failed",
            "failure_reason": p("failure_reason"), "error": p("error"),
            "error_message": p("error_message")}}));
    }
    frames
}

/// The hostile frames as a capture, a second apart.
fn hostile_capture() -> String {
    let start = Utc.timestamp_opt(1_795_600_000, 0).unwrap();
    let mut text = json!({"failwatch_capture": 1, "source": "hostile", "started_at": start})
        .to_string()
        + "\n";
    for (i, frame) in hostile_frames().into_iter().enumerate() {
        let at = start + chrono::Duration::seconds(i as i64);
        text += &format!("{}\n", json!({"at": at, "frame": frame}));
    }
    text
}

/// What got out, said once per command, place and kind, with the runs it got out in; and
/// each run that did not count every planted failure (one that read nothing would hide nothing).
#[derive(Default)]
struct Findings {
    leaks: BTreeMap<(String, String, &'static str), (Vec<String>, String)>,
    counts: Vec<String>,
}

impl Findings {
    /// A run of `command` (its door, language and --server in `run_name`).
    fn check(&mut self, command: &str, run_name: &str, run: &Run, format: &str, failures: usize) {
        let json = matches!(format, "jsonl" | "json");
        self.add(command, run_name, leaks(&run.stdout(), json));
        self.add(
            &format!("{command} stderr"),
            run_name,
            leaks(&run.stderr, false),
        );
        let counted = match format {
            "json" => serde_json::from_str::<Value>(&run.stdout())
                .ok()
                .and_then(|v| v["failures"].as_u64())
                .map_or(0, |n| n as usize),
            // A table says its count among others: its safety is what is checked.
            "table" => failures,
            _ => run.rows().len(),
        };
        if counted != failures {
            let what = format!("{run_name} {command}: {counted} failures, not {failures}");
            self.counts.push(what);
        }
    }

    fn add(&mut self, command: &str, run_name: &str, leaks: Vec<Leak>) {
        for leak in leaks {
            let key = (command.to_owned(), general(&leak.place), leak.kind);
            let example = || (Vec::new(), format!("{run_name}: {}", leak.detail));
            let (runs, _) = self.leaks.entry(key).or_insert_with(example);
            if runs.last().is_none_or(|r| r != run_name) {
                runs.push(run_name.to_owned());
            }
        }
    }

    fn report(&self) -> String {
        let leaks = self
            .leaks
            .iter()
            .map(|((command, place, kind), (runs, e))| {
                format!(
                    "{command}: {kind} in {place}, in {} runs; e.g. {e}",
                    runs.len()
                )
            });
        leaks
            .chain(self.counts.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A place without its line and array indices: the same field in every record.
fn general(place: &str) -> String {
    let place = place
        .split_once(" $")
        .map_or(place.to_owned(), |(_, p)| format!("${p}"));
    let mut out = String::new();
    let mut in_index = false;
    for c in place.chars() {
        match c {
            '[' => in_index = true,
            ']' if in_index => {
                in_index = false;
                out.push_str("[*]");
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn secrets_and_controls_in_every_field_are_masked_through_every_door() {
    let world = World::new();
    let doors = world.lay(
        "hostile",
        &hostile_capture(),
        "5b1c2d3e-0000-4000-8000-0000000000a3",
    );
    let failures = 2 * planted().len();
    let mut found = Findings::default();
    let every_door = [Door::FileLines]
        .iter()
        .chain(&Door::ALL)
        .copied()
        .collect::<Vec<_>>();
    // Learnt from the frames (the first says upstream), then the fork's relays with --server.
    for server in [&[][..], &["--server", "octo"]] {
        for lang in ["en", "zh"] {
            // summary reads captures only.
            let captures = &[Door::File, Door::FileLines, Door::Stdin][..];
            for (cmd, format, doors_of) in [
                ("tail", "jsonl", &every_door[..]),
                ("tail", "text", &every_door[..]),
                ("summary", "json", captures),
                ("summary", "table", captures),
            ] {
                let command = format!("{cmd} --format {format}");
                let args = [&[cmd, "--format", format, "--lang", lang][..], server].concat();
                for &door in doors_of {
                    let run = doors.read(door, &args, failures);
                    let run_name = format!("{door:?} --lang {lang} {}", server.join(" "));
                    found.check(&command, run_name.trim_end(), &run, format, failures);
                }
            }
        }
    }
    let report = found.report();
    assert!(report.is_empty(), "planted texts got out:\n{report}");
}
