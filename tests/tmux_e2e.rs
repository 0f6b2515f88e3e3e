//! End to end, as a person would: the real binary in tmux, keys sent, the screen read back.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(cmd: &str) -> Tmux {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("failwatch-e2e-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "-s",
                "fw",
            ])
            .arg(cmd)
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux must be installed (.ci/run installs it)");
        assert!(status.success());
        Tmux { socket }
    }

    fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "fw"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "fw"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}; screen:\n{s}"
            );
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn filter_by_reason_open_detail_and_quit() {
    let log = std::env::temp_dir().join(format!("failwatch-e2e-{}.log", std::process::id()));
    let cmd = format!(
        "{} replay {SAMPLE} --speed max --lang en --log {}; echo FAILWATCH-EXITED-$?; sleep 30",
        env!("CARGO_BIN_EXE_failwatch"),
        log.display()
    );
    let tmux = Tmux::start(&cmd);
    tmux.wait_for("end of capture");
    let screen = tmux.wait_for("Failures · 28");
    assert!(screen.contains("lost notifications"), "{screen}");

    tmux.send(&["/"]);
    tmux.send(&["-l", "reason:provider_quota_limit"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("Failures · 3 shown of 28");
    assert!(
        screen.contains("Filter: reason:provider_quota_limit"),
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
    let cmd = format!(
        "{} replay {data}/octo-pr33.jsonl --bindings {data}/octo-pr33.bindings.toml --lang en --log {}; echo FAILWATCH-EXITED-$?; sleep 30",
        env!("CARGO_BIN_EXE_failwatch"),
        log.display()
    );
    let tmux = Tmux::start(&cmd);
    let screen = tmux.wait_for("end of capture");
    assert!(
        screen.contains("· octo ·"),
        "the family in the header:\n{screen}"
    );
    assert!(screen.contains(" OL "), "Octo and Lark columns:\n{screen}");
    assert!(screen.contains("leaked to chat"), "{screen}");

    tmux.send(&["/"]);
    tmux.send(&["-l", "relay:octo outcome:generic"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("shown of 95");
    tmux.send(&["g", "Enter"]);
    let screen = tmux.wait_for("Failure detail");
    assert!(screen.contains("Octo fork before PR #33"), "{screen}");
    // tmux pads the emoji's second cell: match the words.
    assert!(screen.contains("The agent run failed.”"), "{screen}");

    tmux.send(&["Escape", "q"]);
    tmux.wait_for("FAILWATCH-EXITED-0");
    let _ = std::fs::remove_file(log);
}
