//! Keys and doors as a person meets them: the real binary in tmux. A capture piped into
//! `replay -` with keys from the terminal, `ctrl-z` and `fg` from a shell, a key that does
//! nothing, the filter history kept when the terminal is killed, and a `[keys]` entry shown in
//! the footer.

use std::thread::sleep;
use std::time::{Duration, Instant};

use support::tmux::{dashboard, dashboard_with, Tmux};

mod support;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);

#[test]
fn a_capture_piped_into_replay_dash_is_shown_and_keys_come_from_the_terminal() {
    let tmux = Tmux::start(&format!(
        "cat {SAMPLE} | {}",
        dashboard("replay - --lang en")
    ));
    tmux.wait_for("Failures");
    tmux.send(&["?"]);
    tmux.wait_for("Keys");
    tmux.send(&["q"]);
    tmux.wait_for_without("Failures", "Keys ·");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn ctrl_z_stops_the_dashboard_and_fg_brings_it_back() {
    let tmux = Tmux::start("bash --norc --noprofile -i");
    sleep(Duration::from_millis(300));
    // The shell's own line: the dashboard as a job of an interactive shell.
    let line = dashboard(&format!("replay {SAMPLE} --lang en"));
    let line = line.split("; echo").next().unwrap().to_owned();
    tmux.type_line(&line);
    tmux.wait_for("Failures ·");
    tmux.send(&["C-z"]);
    let stopped = tmux.wait_for("Stopped");
    assert!(!stopped.contains("Failures ·"), "{stopped}");
    tmux.type_line("fg; echo BACK-$?");
    tmux.wait_for("Failures ·");
    tmux.send(&["q"]);
    tmux.wait_for("BACK-0");
}

#[test]
fn a_key_that_does_nothing_says_so() {
    let tmux = Tmux::start(&dashboard(&format!("replay {SAMPLE} --lang en")));
    tmux.wait_for("Failures");
    tmux.send(&["Z"]);
    tmux.wait_for("Z does nothing here · ? lists the keys");
}

#[test]
fn the_filter_history_is_kept_when_the_terminal_is_killed() {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().to_str().unwrap();
    let tmux = Tmux::start(&dashboard_with(
        &[("XDG_STATE_HOME", dir)],
        &format!("replay {SAMPLE} --lang en"),
    ));
    tmux.wait_for("Failures");
    tmux.send(&["/"]);
    tmux.type_line("reason:timeout");
    tmux.wait_for("shown of");
    // Killed as a closed terminal would be: no clean quit.
    drop(tmux);
    let file = state.path().join("failwatch/filter-history");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !file.exists() && Instant::now() < deadline {
        sleep(Duration::from_millis(50));
    }
    let history = std::fs::read_to_string(&file).unwrap();
    assert!(history.lines().any(|l| l == "reason:timeout"), "{history}");
}

#[test]
fn a_config_key_takes_its_place_in_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[keys]\nhelp = \"q\"\nquit = \"x\"\n").unwrap();
    let tmux = Tmux::sized(
        &dashboard(&format!(
            "replay {SAMPLE} --lang en --config {}",
            config.display()
        )),
        160,
        30,
    );
    let screen = tmux.wait_for("x quit");
    assert!(screen.contains("q help · x quit"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("Keys ·");
    tmux.send(&["Escape"]);
    tmux.wait_for_without("Failures", "Keys ·");
    tmux.send(&["x"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}
