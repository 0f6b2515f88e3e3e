//! The real binary on a terminal of its own: a detached tmux session, read back as text.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::cmd;

pub struct Tmux {
    socket: String,
}

/// A shell command running the binary with `args` as `support::cmd` runs it, then printing a
/// marker with its exit code.
pub fn dashboard(args: &str) -> String {
    dashboard_with(&[], args)
}

/// [`dashboard`], `env` set on top (a token).
pub fn dashboard_with(env: &[(&str, &str)], args: &str) -> String {
    // A state directory where the first-run hint was seen: screens read the same on every run.
    let state = std::env::temp_dir().join(format!("failwatch-tmux-state-{}", std::process::id()));
    std::fs::create_dir_all(state.join("failwatch")).unwrap();
    std::fs::write(state.join("failwatch/seen"), "").unwrap();
    let env = [&[("XDG_STATE_HOME", state.to_str().unwrap())], env].concat();
    format!(
        "{}; echo FAILWATCH-EXITED-$?; sleep 30",
        cmd::shell(&env, args)
    )
}

impl Tmux {
    pub fn start(cmd: &str) -> Tmux {
        Tmux::sized(cmd, 120, 40)
    }

    pub fn sized(cmd: &str, width: u16, height: u16) -> Tmux {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("failwatch-tmux-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args([
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
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

    /// The tmux paste buffer (what a copy put there).
    pub fn buffer(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "show-buffer"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "fw"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "fw"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Type `text` as it is (no key names read in it), then enter: a prompt's line.
    pub fn type_line(&self, text: &str) {
        self.send(&["-l", text]);
        self.send(&["Enter"]);
    }

    /// Wait for a screen that shows `what` and no longer shows `gone`.
    pub fn wait_for_without(&self, what: &str, gone: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(what) && !s.contains(gone) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?} without {gone:?}; screen:\n{s}"
            );
            sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_for(&self, what: &str) -> String {
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
