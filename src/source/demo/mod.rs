//! The embedded demo server: a real WebSocket server on 127.0.0.1 that speaks the Multica
//! handshake (workspace query, first-frame auth, `auth_ack`, `{"type":"ping"}` → `pong`) and
//! broadcasts a seeded incident scenario on its own clock, looping, to every client.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio::time::{sleep, timeout, Instant};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::Message;

use crate::demo::scenario::scenario;
use crate::routing::Family;

/// The token the demo server accepts (it guards nothing: the server only serves generated data).
pub const DEMO_TOKEN: &str = "demo";
pub const DEMO_WORKSPACE: &str = "demo";
/// Frames a slow client may fall behind before it is evicted, like the real server's send buffer.
const CLIENT_BUFFER: usize = 256;

pub struct DemoServer {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
}

impl DemoServer {
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

/// Bind and serve in the background.
pub async fn serve(port: u16, seed: u64, family: Family) -> std::io::Result<DemoServer> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let (tx, _) = broadcast::channel::<String>(CLIENT_BUFFER);
    let player = tokio::spawn(play(tx.clone(), seed, family));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let rx = tx.subscribe();
            tokio::spawn(async move {
                if let Err(e) = client(stream, rx).await {
                    tracing::debug!(%peer, error = %e, "demo client ended");
                }
            });
        }
    });
    // The player lives as long as the server task; abort it with the server.
    let task = tokio::spawn(async move {
        let _ = task.await;
        player.abort();
    });
    Ok(DemoServer { addr, task })
}

/// Broadcast the scenario on the server's clock, forever.
async fn play(tx: broadcast::Sender<String>, seed: u64, family: Family) {
    let mut round = 0u64;
    loop {
        let frames = scenario(seed, family, round);
        let start = Instant::now();
        for f in frames {
            tokio::time::sleep_until(start + wall_offset(f.offset, round == 0)).await;
            // No subscribers is fine: events published while nobody listens are lost, as on the real server.
            let _ = tx.send(f.text);
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

async fn client(stream: TcpStream, mut events: broadcast::Receiver<String>) -> anyhow::Result<()> {
    let mut ws = tokio_tungstenite::accept_hdr_async(stream, check).await?;
    // First frame: auth, within 10 s.
    let first = timeout(Duration::from_secs(10), ws.next()).await;
    let token_ok = match first {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<serde_json::Value>(t.as_str())
            .ok()
            .filter(|v| v["type"] == "auth")
            .map(|v| v["payload"]["token"] == DEMO_TOKEN),
        _ => None,
    };
    match token_ok {
        Some(true) => ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await?,
        Some(false) => {
            ws.send(Message::text(r#"{"error":"invalid token"}"#))
                .await?;
            return Ok(ws.close(None).await?);
        }
        None => {
            ws.send(Message::text(
                r#"{"error":"expected auth message as first frame"}"#,
            ))
            .await?;
            return Ok(ws.close(None).await?);
        }
    }
    let mut ping = tokio::time::interval(Duration::from_secs(54));
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(text) => ws.send(Message::text(text)).await?,
                // Too slow: evicted, like the real server does.
                Err(broadcast::error::RecvError::Lagged(_)) => return Ok(ws.close(None).await?),
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(t))) if t.as_str().contains(r#""ping""#) => {
                    ws.send(Message::text(r#"{"type":"pong"}"#)).await?
                }
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Err(e)) => return Err(e.into()),
                _ => {}
            },
            _ = ping.tick() => ws.send(Message::Ping(Vec::new().into())).await?,
        }
    }
}

/// The upgrade check: path and workspace query, answered like the real server.
// The callback's signature is fixed by tungstenite.
#[allow(clippy::result_large_err)]
fn check(req: &Request, resp: Response) -> Result<Response, ErrorResponse> {
    if req.uri().path() != "/ws" {
        return Err(refuse(StatusCode::NOT_FOUND, "not found"));
    }
    let query = req.uri().query().unwrap_or("");
    let workspace = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "workspace_id" || *k == "workspace_slug");
    match workspace {
        None => Err(refuse(
            StatusCode::BAD_REQUEST,
            "workspace_id or workspace_slug required",
        )),
        Some(("workspace_slug", slug)) if slug != DEMO_WORKSPACE => {
            Err(refuse(StatusCode::NOT_FOUND, "workspace not found"))
        }
        _ => Ok(resp),
    }
}

fn refuse(status: StatusCode, message: &str) -> ErrorResponse {
    let mut resp = ErrorResponse::new(Some(serde_json::json!({ "error": message }).to_string()));
    *resp.status_mut() = status;
    resp
}
