//! A running `failwatch tail`, its standard output read line by line as it comes.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::cmd::State;

/// A running `failwatch tail --url`, its output read as it comes.
pub struct Tail {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    pub failures: usize,
    /// Its own: the log is read back at the end.
    pub state: State,
}

impl Tail {
    /// `failwatch ARGS`, the token in `$FAILWATCH_TOKEN`.
    pub fn spawn(args: &[&str], token: &str) -> Tail {
        let state = State::fresh();
        let mut child = state
            .failwatch()
            .args(args)
            .env("FAILWATCH_TOKEN", token)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Tail {
            child,
            lines,
            seen: Vec::new(),
            failures: 0,
            state,
        }
    }

    pub fn push(&mut self, line: String) {
        self.failures += usize::from(!is_gap(&line));
        self.seen.push(line);
    }

    /// Read until `n` failure lines were printed (gap lines are kept too).
    pub fn wait_failures(&mut self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.failures < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.push(l),
                Err(_) => panic!(
                    "only {} of {n} failures: {:?}",
                    self.failures,
                    self.tail_of_seen()
                ),
            }
        }
    }

    pub fn tail_of_seen(&self) -> &[String] {
        &self.seen[self.seen.len().saturating_sub(5)..]
    }

    /// Read lines for a while (gap lines arrive with status changes).
    pub fn drain_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Ok(l) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.push(l);
        }
    }

    pub fn still_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Ctrl-C, then wait for the end.
    pub fn interrupt(self) -> Ended {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.finish()
    }

    /// Wait for the end: exit code, stderr, every stdout line, the log.
    pub fn finish(mut self) -> Ended {
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.push(l);
        }
        let log = self.state.log();
        Ended {
            code: status.code(),
            stderr,
            lines: self.seen,
            log,
        }
    }
}

pub struct Ended {
    pub code: Option<i32>,
    pub stderr: String,
    pub lines: Vec<String>,
    pub log: String,
}

/// A `{"gap": …}` line.
pub fn is_gap(line: &str) -> bool {
    line.starts_with(r#"{"gap""#)
}
