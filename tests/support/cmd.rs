//! The built binary, run so that the machine running the tests does not reach it: no user
//! config or state, no `FAILWATCH_*` setting (a token, a URL, a log level), no locale, zone or
//! colour choice. A test that needs one of them sets it on top.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_failwatch");

/// Read by the binary and often set in a developer's shell: the language, the colours.
const UNSET: [&str; 4] = ["LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR"];

/// `failwatch`, with nothing of the machine running the tests.
pub fn failwatch() -> Command {
    let mut cmd = Command::new(BIN);
    for name in unset() {
        cmd.env_remove(name);
    }
    cmd.envs(set());
    cmd
}

/// `failwatch ARGS` to its end; `stdin` is its standard input (`None`: an empty one).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = failwatch();
    cmd.args(args);
    match stdin {
        None => cmd.output().unwrap(),
        Some(bytes) => feed(cmd, bytes),
    }
}

fn feed(mut cmd: Command, bytes: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::scope(|s| {
        // Written from a thread: the child may fill its stdout before it read all its input.
        let writer = s.spawn(move || stdin.write_all(bytes));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        out
    })
}

/// A shell command line running `failwatch ARGS` as [`failwatch`] does, `extra` set on top
/// (for a terminal of its own, in tmux). `args` are shell words, as given.
pub fn shell(extra: &[(&str, &str)], args: &str) -> String {
    let mut words = vec!["env".to_owned()];
    for name in unset() {
        words.push(format!("-u {}", quote(&name.to_string_lossy())));
    }
    let own = set()
        .into_iter()
        .filter(|(name, _)| !extra.iter().any(|(e, _)| e == name))
        .map(|(name, value)| (name, value.to_string_lossy().into_owned()));
    let extra = extra.iter().map(|&(name, value)| (name, value.to_owned()));
    for (name, value) in own.chain(extra) {
        words.push(format!("{name}={}", quote(&value)));
    }
    words.push(quote(BIN));
    words.push(args.to_owned());
    words.join(" ")
}

/// Unset for every run: the fixed names, and each `FAILWATCH_*` this process has.
fn unset() -> Vec<OsString> {
    let own = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().starts_with("FAILWATCH_"));
    UNSET.iter().map(OsString::from).chain(own).collect()
}

/// Set for every run. The config directory never gets a file: a run reads only the config
/// its test passes.
fn set() -> Vec<(&'static str, OsString)> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("failwatch-run");
    vec![
        // Times people read follow the zone; the expected outputs are written in UTC.
        ("TZ", "UTC".into()),
        ("HOME", root.join("home").into()),
        ("XDG_CONFIG_HOME", root.join("config").into()),
        ("XDG_STATE_HOME", root.join("state").into()),
    ]
}

/// `s` as one shell word.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A state directory of a test's own, for a test that reads back what the binary kept there
/// (its log). Dropping it deletes the directory: hold it until the process has ended.
pub struct State(tempfile::TempDir);

impl State {
    pub fn fresh() -> State {
        State(tempfile::tempdir().unwrap())
    }

    /// [`failwatch`], keeping its state here.
    pub fn failwatch(&self) -> Command {
        let mut cmd = failwatch();
        cmd.env("XDG_STATE_HOME", self.0.path());
        cmd
    }

    /// What the binary logged here so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.0.path().join("failwatch/failwatch.log")).unwrap_or_default()
    }
}
