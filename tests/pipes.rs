//! A capture that is not a regular file: a named pipe, `/dev/stdin`, a process substitution
//! (`<(zcat x.gz)`, a `/dev/fd/N`). Each is read once, as standard input is, and gives what the
//! file gives, byte for byte; a named pipe with one writer ends when the writer closes.
//!
//! Every run is bounded: a run that does not end within [`LIMIT`] is killed and fails its test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cmd;

mod support;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);
const INCIDENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/upstream-incident.jsonl"
);
const OCTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/octo-pr33.jsonl");

/// How long any run here may take (each takes well under a second).
const LIMIT: Duration = Duration::from_secs(30);

/// Run `cmd` to its end, killed (and the test failed) past [`LIMIT`].
fn within_limit(mut cmd: Command, what: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = drain(&mut child);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {LIMIT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = out.join().unwrap();
    Output {
        status,
        stdout,
        stderr,
    }
}

/// The child's stdout and stderr, read on a thread so a full pipe never stalls it.
fn drain(child: &mut Child) -> std::thread::JoinHandle<(Vec<u8>, Vec<u8>)> {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let err = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            buf
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        (out, err.join().unwrap())
    })
}

/// `failwatch ARGS` on regular files.
fn on_files(args: &[&str]) -> Output {
    let mut c = cmd::failwatch();
    c.args(args);
    within_limit(c, &format!("failwatch {args:?}"))
}

/// The same command line in bash, each capture given as `<(cat FILE)`.
fn on_substitutions(args: &[&str], captures: &[&str]) -> Output {
    let words: Vec<String> = args
        .iter()
        .map(|a| match captures.contains(a) {
            true => format!("<(cat '{a}')"),
            false => format!("'{a}'"),
        })
        .collect();
    let line = cmd::shell(&[], &words.join(" "));
    let mut c = Command::new("bash");
    c.args(["-c", &line]);
    within_limit(c, &line)
}

/// A named pipe in a directory of its own, and a `cat FILE > FIFO` writing into it.
struct Fifo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    writer: Child,
}

impl Fifo {
    fn of(file: &str) -> Fifo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.fifo");
        let made = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(made.success(), "mkfifo");
        let writer = Command::new("sh")
            .args(["-c", "cat \"$1\" > \"$2\"", "sh", file])
            .arg(&path)
            .spawn()
            .unwrap();
        Fifo {
            _dir: dir,
            path,
            writer,
        }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        // A writer still blocked on a pipe nobody opened.
        let _ = self.writer.kill();
        let _ = self.writer.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Two runs printed the same, ended the same.
fn assert_same(what: &str, file: &Output, other: &Output) {
    assert_eq!(
        file.status.code(),
        other.status.code(),
        "{what}: exit codes; stderr: {}",
        text(&other.stderr)
    );
    assert!(
        file.stdout == other.stdout,
        "{what}: stdout differs\n--- file\n{}\n--- other\n{}\n--- other's stderr\n{}",
        text(&file.stdout),
        text(&other.stdout),
        text(&other.stderr)
    );
}

#[test]
fn summary_of_a_process_substitution_is_the_files_summary() {
    for capture in [SAMPLE, INCIDENT, OCTO] {
        let args = ["summary", capture, "--format", "json"];
        let file = on_files(&args);
        assert!(file.status.success(), "{}", text(&file.stderr));
        let piped = on_substitutions(&args, &[capture]);
        assert_same(&format!("summary <({capture})"), &file, &piped);
        let v: Value = serde_json::from_slice(&piped.stdout).unwrap();
        assert!(v["failures"].as_u64() > Some(0), "{v}");
    }
}

#[test]
fn tail_of_a_process_substitution_prints_every_row() {
    for format in ["jsonl", "text"] {
        let args = ["tail", SAMPLE, "--format", format];
        let file = on_files(&args);
        let piped = on_substitutions(&args, &[SAMPLE]);
        assert_same(&format!("tail --format {format}"), &file, &piped);
        assert!(text(&piped.stdout).lines().count() >= 28, "every failure");
    }
}

#[test]
fn diff_of_two_process_substitutions_is_the_files_diff() {
    let args = ["diff", SAMPLE, INCIDENT, "--format", "json"];
    let file = on_files(&args);
    assert!(file.status.success(), "{}", text(&file.stderr));
    let piped = on_substitutions(&args, &[SAMPLE, INCIDENT]);
    assert_eq!(file.status.code(), piped.status.code());
    // The names differ (a path, a /dev/fd/N); everything else is the same.
    let unnamed = |out: &Output| {
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for side in ["before", "after"] {
            v[side]["file"] = Value::Null;
        }
        v
    };
    assert_eq!(unnamed(&file), unnamed(&piped));
}

/// A config whose one rule fires on every timeout.
fn alert_config(dir: &Path) -> String {
    let path = dir.join("alerts.toml");
    std::fs::write(
        &path,
        "[[alerts]]\nname = \"any failure\"\nfilter = \"\"\ncount = 3\nwindow = \"30d\"\n",
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn watch_of_a_process_substitution_fires_as_on_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = alert_config(dir.path());
    let args = ["watch", INCIDENT, "--config", &config];
    let file = on_files(&args);
    assert_eq!(file.status.code(), Some(5), "{}", text(&file.stderr));
    let piped = on_substitutions(&args, &[INCIDENT]);
    assert_same("watch <(…)", &file, &piped);
}

#[test]
fn a_named_pipe_with_one_writer_ends_and_counts_what_the_file_counts() {
    let args = |capture: &str| -> Vec<String> {
        ["summary", capture, "--format", "json"]
            .map(str::to_owned)
            .to_vec()
    };
    let file = on_files(&["summary", SAMPLE, "--format", "json"]);
    let fifo = Fifo::of(SAMPLE);
    let mut c = cmd::failwatch();
    c.args(args(fifo.path()));
    let piped = within_limit(c, "summary FIFO");
    assert_same("summary FIFO", &file, &piped);
}

#[test]
fn every_command_reads_a_named_pipe_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = alert_config(dir.path());
    let runs: [&[&str]; 3] = [
        &["tail", "--format", "jsonl"],
        &["tail", "--format", "jsonl", "--filter", "since:2m"],
        &["watch", "--config", &config],
    ];
    for args in runs {
        let with = |capture: &str| {
            let mut a = vec![args[0], capture];
            a.extend(&args[1..]);
            a.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let file = {
            let mut c = cmd::failwatch();
            c.args(with(INCIDENT));
            within_limit(c, "file")
        };
        let fifo = Fifo::of(INCIDENT);
        let mut c = cmd::failwatch();
        c.args(with(fifo.path()));
        let piped = within_limit(c, &format!("{args:?} on a FIFO"));
        assert_same(&format!("{args:?} on a FIFO"), &file, &piped);
    }
}

#[test]
fn dev_stdin_is_standard_input() {
    let bytes = std::fs::read(SAMPLE).unwrap();
    let file = on_files(&["summary", SAMPLE, "--format", "json"]);
    let named = cmd::run(&["summary", "/dev/stdin", "--format", "json"], Some(&bytes));
    assert_same("summary /dev/stdin", &file, &named);
}

#[test]
fn a_directory_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = on_files(&["summary", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("directory"),
        "{}",
        text(&out.stderr)
    );
}
