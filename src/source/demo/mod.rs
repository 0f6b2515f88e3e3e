//! The embedded demo server: a real WebSocket server on 127.0.0.1 that behaves like Multica's
//! hub (see [`client`]) and broadcasts a seeded incident scenario on its own clock, looping, to
//! every client. The upstream demo runs as one node of a multi-node deployment: it stamps each
//! frame with an `event_id` at publish time and restarts once a round, re-delivering what it
//! published in the last moments to the clients that reconnect, as a restarted node does.

mod api;
mod client;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::time::{sleep, Instant};

use crate::demo::scenario::scenario;
use crate::protocol::Ulid;
use crate::routing::Family;

/// The token the demo server accepts (it guards nothing: the server only serves generated data).
pub const DEMO_TOKEN: &str = "demo";
pub const DEMO_WORKSPACE: &str = "demo";

/// The id of the `n`-th workspace of a demo deployment (a UUID, as the server's ids are; the
/// first eight characters tell them apart in the list).
pub fn demo_workspace_id(n: u8) -> String {
    format!("de{n:02x}0000-0000-4000-8000-{n:012x}")
}

/// The names of a demo deployment's workspaces, first to eighth.
const WORKSPACE_NAMES: [&str; 8] = [
    "Acme EU",
    "Globex US",
    "Initech APAC",
    "Umbrella Labs",
    "Hooli Search",
    "Soylent Ops",
    "Wonka Data",
    "Stark Infra",
];

/// The name of the `n`-th workspace of a demo deployment (from 1).
pub fn demo_workspace_name(n: u8) -> &'static str {
    WORKSPACE_NAMES[usize::from(n.clamp(1, 8) - 1)]
}

/// The hub's limits, as the real server has them (tests shorten the times).
#[derive(Clone, Copy, Debug)]
pub struct HubLimits {
    /// A client that sends no pong for this long is dropped.
    pub read_deadline: Duration,
    /// How often the hub pings (WebSocket ping frames).
    pub ping_every: Duration,
    /// Largest message a client may send; larger closes with 1009.
    pub max_inbound: usize,
    /// Frames a slow client may fall behind before it is evicted.
    pub client_buffer: usize,
    /// How far back a restarted node re-delivers.
    pub replay_grace: Duration,
    /// Clients that connect this soon after a restart get the re-delivery.
    pub replay_window: Duration,
}

impl Default for HubLimits {
    fn default() -> Self {
        HubLimits {
            read_deadline: Duration::from_secs(60),
            ping_every: Duration::from_secs(54),
            max_inbound: 64 * 1024,
            client_buffer: 256,
            replay_grace: Duration::from_secs(5 * 60),
            replay_window: Duration::from_secs(10),
        }
    }
}

pub struct DemoServer {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
    node: Arc<Node>,
}

impl DemoServer {
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// The REST API's base URL (the same port, as on the server).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Make a failed task's REST row visible (tests script the hub with it).
    pub fn add_row(&self, row: crate::demo::scenario::DemoRow) {
        self.node.rows.add(row);
    }

    /// Restart the node: every client loses its connection at once (no close frame); those
    /// that come back within the replay window get the recent frames again.
    pub fn restart_node(&self) {
        self.node.restart();
    }

    /// Publish one frame now (tests script the hub with it).
    pub fn publish(&self, text: String) {
        self.node.publish(text);
    }
}

/// What every connection shares: the broadcast, the recent frames, the restart signal.
struct Node {
    tx: broadcast::Sender<String>,
    recent: Mutex<VecDeque<(Instant, String)>>,
    restarts: watch::Sender<Option<Instant>>,
    stamp_ids: bool,
    limits: HubLimits,
    /// Failed tasks' REST rows, visible once their frame is published.
    rows: Arc<api::Rows>,
}

impl Node {
    fn publish(&self, text: String) {
        let text = if self.stamp_ids {
            stamp_event_id(&text)
        } else {
            text
        };
        let now = Instant::now();
        {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            while recent
                .front()
                .is_some_and(|(t, _)| now.duration_since(*t) > self.limits.replay_grace)
            {
                recent.pop_front();
            }
            recent.push_back((now, text.clone()));
        }
        // No subscribers is fine: events published while nobody listens are lost, as on the
        // real server.
        let _ = self.tx.send(text);
    }

    fn restart(&self) {
        self.restarts.send_replace(Some(Instant::now()));
    }

    /// What a client connecting now is re-delivered (nothing unless the node just restarted).
    fn replay_for_new_client(&self) -> Vec<String> {
        let Some(at) = *self.restarts.borrow() else {
            return Vec::new();
        };
        if at.elapsed() > self.limits.replay_window {
            return Vec::new();
        }
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .iter()
            .filter(|(t, _)| *t <= at)
            .map(|(_, text)| text.clone())
            .collect()
    }
}

/// Add an `event_id` ULID with the current time, keeping the server's sorted keys.
fn stamp_event_id(text: &str) -> String {
    let Ok(serde_json::Value::Object(mut frame)) = serde_json::from_str(text) else {
        return text.to_owned();
    };
    let id = Ulid::new(Utc::now(), rand::rng().random::<u128>());
    frame.insert("event_id".into(), serde_json::Value::String(id.to_string()));
    serde_json::Value::Object(frame).to_string()
}

/// Bind and serve the scenario in the background, with the real hub's limits.
pub async fn serve(port: u16, seed: u64, family: Family) -> std::io::Result<DemoServer> {
    serve_after(port, seed, family, Duration::ZERO).await
}

/// [`serve`], its scenario starting `delay` later (a deployment's workspaces, one after
/// another).
pub async fn serve_after(
    port: u16,
    seed: u64,
    family: Family,
    delay: Duration,
) -> std::io::Result<DemoServer> {
    let server = serve_with(port, family == Family::Upstream, HubLimits::default()).await?;
    let node = server.node.clone();
    let player = tokio::spawn(async move {
        sleep(delay).await;
        play(node, seed, family).await
    });
    let task = server.task;
    let task = tokio::spawn(async move {
        let _ = task.await;
        player.abort();
    });
    Ok(DemoServer { task, ..server })
}

/// Bind and serve with these limits, publishing only what [`DemoServer::publish`] is given.
pub async fn serve_with(
    port: u16,
    stamp_ids: bool,
    limits: HubLimits,
) -> std::io::Result<DemoServer> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let (tx, _) = broadcast::channel::<String>(limits.client_buffer);
    let node = Arc::new(Node {
        tx,
        recent: Mutex::new(VecDeque::new()),
        restarts: watch::channel(None).0,
        stamp_ids,
        limits,
        rows: Arc::new(api::Rows::default()),
    });
    let accepting = node.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let node = accepting.clone();
            tokio::spawn(async move {
                // One port for both, as on the server: REST requests, and the WebSocket.
                if is_rest(&stream).await {
                    let rows = node.rows.clone();
                    let service =
                        hyper::service::service_fn(move |req| api::serve(req, rows.clone()));
                    let io = hyper_util::rt::TokioIo::new(stream);
                    if let Err(e) = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await
                    {
                        tracing::debug!(%peer, error = %e, "demo API connection ended");
                    }
                } else if let Err(e) = client::serve(stream, &node).await {
                    tracing::debug!(%peer, error = %e, "demo client ended");
                }
            });
        }
    });
    Ok(DemoServer { addr, task, node })
}

/// Whether a new connection asks for the REST API (`GET /api/…`) rather than the WebSocket.
async fn is_rest(stream: &tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 9];
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match stream.peek(&mut buf).await {
            Ok(n) if n >= buf.len() => return &buf == b"GET /api/",
            Ok(0) | Err(_) => return false,
            Ok(_) if Instant::now() >= deadline => return false,
            Ok(_) => sleep(Duration::from_millis(5)).await,
        }
    }
}

/// Story time at which the upstream node restarts, once a round.
const RESTART_AT: Duration = Duration::from_secs(70);

/// Broadcast the scenario on the server's clock, forever.
async fn play(node: Arc<Node>, seed: u64, family: Family) {
    let mut round = 0u64;
    loop {
        let frames = scenario(seed, family, round);
        let start = Instant::now();
        let mut restarted = family != Family::Upstream;
        for f in frames {
            if !restarted && f.offset >= RESTART_AT {
                tokio::time::sleep_until(start + wall_offset(RESTART_AT, round == 0)).await;
                node.restart();
                restarted = true;
            }
            tokio::time::sleep_until(start + wall_offset(f.offset, round == 0)).await;
            if let Some(row) = f.row {
                node.rows.add(row);
            }
            node.publish(f.text);
        }
        sleep(Duration::from_secs(2)).await;
        round += 1;
    }
}

/// The first round opens mid-incident: its first [`FAST_FORWARD`] of story play 20x faster, so a
/// new user sees the incident (and a burst) within seconds.
const FAST_FORWARD: Duration = Duration::from_secs(40);

fn wall_offset(story: Duration, first_round: bool) -> Duration {
    if !first_round {
        return story;
    }
    match story.checked_sub(FAST_FORWARD) {
        None => story / 20,
        Some(rest) => FAST_FORWARD / 20 + rest,
    }
}
