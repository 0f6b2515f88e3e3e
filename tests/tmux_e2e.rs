//! End to end, as a person would: the real binary in tmux, keys sent, the screen read back.

use std::os::unix::fs::FileTypeExt;
use std::thread::sleep;
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);

use support::tmux::{dashboard, Tmux};

mod support;

#[test]
fn filter_by_reason_open_detail_and_quit() {
    let log = std::env::temp_dir().join(format!("failwatch-e2e-{}.log", std::process::id()));
    let tmux = Tmux::start(&dashboard(&format!(
        "replay {SAMPLE} --speed max --lang en --log {}",
        log.display()
    )));
    tmux.wait_for("end of capture");
    let screen = tmux.wait_for("Failures · 28");
    assert!(screen.contains("lost notifications"), "{screen}");

    tmux.send(&["/"]);
    tmux.type_line("reason:provider_quota_limit");
    let screen = tmux.wait_for("Failures · 3 shown of 28");
    assert!(
        screen.contains("all › reason:provider_quota_limit"),
        "{screen}"
    );

    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("Failure detail");
    assert!(
        screen.contains("agent_error.provider_quota_limit"),
        "{screen}"
    );
    assert!(screen.contains("What each relay sent"), "{screen}");
    assert!(
        !screen.contains("toka6482fe6abcdefghijKLMNOP"),
        "secret on screen:\n{screen}"
    );

    tmux.send(&["Escape"]);
    tmux.send(&["q"]);
    let screen = tmux.wait_for("FAILWATCH-EXITED-0");
    // Back on the normal screen: the dashboard is gone.
    assert!(!screen.contains("Failure detail"), "{screen}");
    let _ = std::fs::remove_file(log);
}

#[test]
fn replaying_the_fork_shows_its_relays_the_old_text_and_the_bindings() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let log = std::env::temp_dir().join(format!("failwatch-e2e-octo-{}.log", std::process::id()));
    let tmux = Tmux::start(&dashboard(&format!(
        "replay {data}/octo-pr33.jsonl --bindings {data}/octo-pr33.bindings.toml --lang en --log {}",
        log.display()
    )));
    let screen = tmux.wait_for("end of capture");
    assert!(
        screen.contains("· octo"),
        "the family in the header:\n{screen}"
    );
    assert!(screen.contains(" OL "), "Octo and Lark columns:\n{screen}");
    assert!(screen.contains("leaked to chat"), "{screen}");

    tmux.send(&["/"]);
    tmux.type_line("relay:octo outcome:generic");
    tmux.wait_for("shown of 95");
    tmux.send(&["g", "Enter"]);
    let screen = tmux.wait_for("Failure detail");
    assert!(screen.contains("Octo fork before PR #33"), "{screen}");
    // tmux pads the emoji's second cell: match the words.
    assert!(screen.contains("The agent run failed.”"), "{screen}");

    // q closes the overlay, then quits.
    tmux.send(&["q"]);
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
    let _ = std::fs::remove_file(log);
}

/// The number after `label` on the screen, e.g. the rate before " ev/s".
fn number_before(screen: &str, label: &str) -> f64 {
    let at = screen
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{screen}"));
    let head = screen[..at].trim_end();
    let start = head
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    head[start..]
        .parse()
        .unwrap_or_else(|_| panic!("no number before {label:?}:\n{screen}"))
}

#[test]
fn two_reasons_toggled_show_the_failures_of_either() {
    let tmux = Tmux::start(&dashboard(&format!("replay {SAMPLE} --lang en")));
    tmux.wait_for("end of capture");
    tmux.send(&["r", "Space", "j", "Space"]);
    // The two most frequent reasons have 3 failures each: 6 shown, not 0.
    let screen = tmux.wait_for("Failures · 6 shown of 28");
    assert!(screen.contains("reason:agent_error."), "{screen}");
    assert_eq!(screen.matches("● ").count(), 2, "both marked:\n{screen}");
}

#[test]
fn seeking_back_and_looping_keep_the_rate_sane_and_speed_is_exact() {
    let tmux = Tmux::start(&dashboard(&format!(
        "replay {SAMPLE} --lang en --speed 3 --loop"
    )));
    let screen = tmux.wait_for("playing 3x");
    assert!(!screen.contains("5x"), "not rounded to a preset:\n{screen}");
    // At 3x, 2 s of wall time are about 6 s of capture.
    let time = |s: &str| {
        let at = s.find("UTC (").unwrap();
        let t = &s[at - 13..at - 1];
        chrono::NaiveTime::parse_from_str(t, "%H:%M:%S%.3f").unwrap()
    };
    sleep(Duration::from_millis(500));
    let t0 = time(&tmux.screen());
    sleep(Duration::from_secs(2));
    let t1 = time(&tmux.screen());
    let advanced = (t1 - t0).num_milliseconds() as f64 / 1000.0;
    assert!(
        (3.0..=9.0).contains(&advanced),
        "capture advanced {advanced} s in 2 s at 3x"
    );
    tmux.send(&["["]);
    sleep(Duration::from_millis(1500));
    let rate = number_before(&tmux.screen(), " ev/s");
    assert!(rate < 10_000.0, "after a seek back the rate is {rate}");
    // Faster, to the end and round again.
    tmux.send(&["p", "+", "+", "+", "+", "p"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = tmux.screen();
        let rate = number_before(&s, " ev/s");
        assert!(rate < 1_000_000.0, "the rate after a loop is {rate}:\n{s}");
        if Instant::now() > deadline {
            break;
        }
        sleep(Duration::from_millis(300));
        if s.contains("03:14:0") {
            break;
        }
    }
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn the_detail_view_stops_at_its_end_and_moves_between_failures() {
    let tmux = Tmux::sized(&dashboard(&format!("replay {SAMPLE} --lang en")), 100, 24);
    tmux.wait_for("end of capture");
    tmux.send(&["g", "Enter"]);
    let screen = tmux.wait_for("Failure detail");
    assert!(screen.contains("· 1/28"), "{screen}");
    tmux.send(&["G"]);
    sleep(Duration::from_millis(300));
    let screen = tmux.screen();
    // The position says the last line is shown, and the pane is not blank.
    let marker = "(←/→) · ";
    let pos = &screen[screen.find(marker).unwrap() + marker.len()..];
    let (range, _) = pos.split_once(' ').unwrap();
    let (_, end) = range.split_once('–').unwrap();
    let (shown, total) = end.split_once('/').unwrap();
    assert_eq!(shown, total, "{screen}");
    tmux.send(&["k"]);
    sleep(Duration::from_millis(200));
    assert!(tmux.screen().contains("What each relay sent") || tmux.screen().contains("Attempts"));
    tmux.send(&["Right"]);
    let screen = tmux.wait_for("· 2/28");
    assert!(screen.contains("Failure detail"), "still open:\n{screen}");
    tmux.send(&["Left"]);
    tmux.wait_for("· 1/28");
    // q closes the overlay, then quits.
    tmux.send(&["q"]);
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn copy_inside_tmux_lands_in_the_tmux_buffer() {
    let tmux = Tmux::start(&dashboard(&format!("replay {SAMPLE} --lang en")));
    tmux.wait_for("end of capture");
    tmux.send(&["g", "y"]);
    tmux.wait_for("Copy");
    tmux.send(&["t"]);
    let screen = tmux.wait_for("tmux buffer");
    // The first failure of the sample capture.
    assert_eq!(
        tmux.buffer(),
        "d2d58443-07f0-42ce-87b3-17d94d1fe09f",
        "{screen}"
    );
    tmux.send(&["y", "l"]);
    tmux.wait_for("copied");
    let lost = tmux.buffer();
    assert!(
        !lost.is_empty() && lost.lines().all(|l| !l.contains(' ')),
        "{lost}"
    );
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn help_scrolls_to_its_end_at_80x24() {
    let tmux = Tmux::sized(&dashboard(&format!("replay {SAMPLE} --lang en")), 80, 24);
    tmux.wait_for("end of capture");
    tmux.send(&["?"]);
    let screen = tmux.wait_for("Keys");
    assert!(
        screen.contains("· 1–"),
        "a position in the title:\n{screen}"
    );
    tmux.send(&["G"]);
    let screen = tmux.wait_for("a saved filter");
    // The last line of the help: the filter language's last terms.
    assert!(screen.contains("-@name  not it"), "{screen}");
    tmux.send(&["g"]);
    tmux.wait_for("· 1–");
    // q closes the overlay, then quits.
    tmux.send(&["q"]);
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

#[test]
fn times_follow_the_zone_asked() {
    let tmux = Tmux::start(&dashboard(&format!(
        "replay {SAMPLE} --lang en --tz Asia/Shanghai"
    )));
    let screen = tmux.wait_for("end of capture");
    // 03:15:15 UTC is 11:15:15 in Shanghai.
    assert!(screen.contains("Time CST"), "{screen}");
    assert!(screen.contains("2026-11-20 11:15:15.478 CST"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
}

/// An export to a FIFO nobody reads, or over a file that exists, never freezes the dashboard
/// and never writes through: the user is asked, and `?` still answers at once.
#[test]
fn an_export_onto_a_fifo_or_an_existing_file_asks_and_never_freezes() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let tmux = Tmux::start(&dashboard(&format!(
        "replay {SAMPLE} --speed max --lang en --export {}",
        fifo.display()
    )));
    tmux.wait_for("end of capture");
    tmux.send(&["e"]);
    tmux.wait_for("pipe.jsonl");
    tmux.send(&["Enter"]);
    tmux.wait_for("enter replaces it");
    // Esc alone, then a key: sent together they read as Alt and the key.
    tmux.send(&["Escape"]);
    tmux.wait_for("enter detail");
    tmux.send(&["?"]);
    tmux.wait_for("Keys");
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "kept until the user says replace"
    );
    // Asked again and confirmed: a file is renamed over the FIFO.
    tmux.send(&["Escape"]);
    tmux.wait_for("enter detail");
    tmux.send(&["e", "Enter"]);
    tmux.wait_for("enter replaces it");
    tmux.send(&["Enter"]);
    tmux.wait_for("exported 28 failures");
    assert!(std::fs::metadata(&fifo).unwrap().is_file());
}
