//! A real `redis-server` on a free loopback port with a throwaway directory (`.ci/run` installs
//! it), and entries written into it the way a server node's relay writes them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Server {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Server::start_in(dir, port)
    }

    fn start_in(dir: tempfile::TempDir, port: u16) -> Server {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
            ])
            .args(["--appendfsync", "always", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (.ci/run installs it)");
        let s = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.conn_opt().is_none() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn conn_opt(&self) -> Option<::redis::Connection> {
        let mut c = ::redis::Client::open(self.url())
            .ok()?
            .get_connection()
            .ok()?;
        ::redis::cmd("PING").query::<String>(&mut c).ok()?;
        Some(c)
    }

    pub fn conn(&self) -> ::redis::Connection {
        self.conn_opt().unwrap()
    }

    /// Stop and start again on the same port and directory (data kept in the append-only file).
    pub fn restart(mut self) -> Server {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let port = self.port;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        std::mem::forget(self);
        Server::start_in(dir, port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// XADD one relay entry the way a server node does.
pub fn xadd(
    c: &mut ::redis::Connection,
    key: &str,
    id: &str,
    event_id: &str,
    node: &str,
    scope_id: &str,
    frame: &str,
) {
    xadd_scoped(c, key, id, event_id, node, "workspace", scope_id, frame)
}

/// [`xadd`] of an entry of any scope (`user`, `task`, …: not a workspace's).
#[allow(clippy::too_many_arguments)]
pub fn xadd_scoped(
    c: &mut ::redis::Connection,
    key: &str,
    id: &str,
    event_id: &str,
    node: &str,
    scope: &str,
    scope_id: &str,
    frame: &str,
) {
    let _: String = ::redis::cmd("XADD")
        .arg(key)
        .arg(id)
        .arg(&[
            "event_id",
            event_id,
            "event_type",
            "x",
            "scope",
            scope,
            "scope_id",
            scope_id,
            "workspace_id",
            scope_id,
        ])
        .arg(&[
            "actor_id",
            "",
            "created_at",
            "",
            "node_id",
            node,
            "payload_json",
            frame,
        ])
        .query(c)
        .unwrap();
}
