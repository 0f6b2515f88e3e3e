//! The real binary on a terminal of its own, for the benchmarks that time what a person sees.

use std::process::Command;

/// `tmux ARGS`: what it printed.
pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new detached session `session`, 160x48, running the shell command `cmd` (any session of
/// that name is ended first).
pub fn start(session: &str, cmd: &str) {
    let _ = tmux(&["kill-session", "-t", session]);
    tmux(&[
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "160",
        "-y",
        "48",
        cmd,
    ]);
}
