//! One client connection, served as Multica's hub serves it: the upgrade checks (path and
//! workspace query, HTTP errors with a JSON body), first-frame auth within 10 s (a failure is an
//! `{"error": …}` frame and then the TCP connection is dropped, no close frame), `auth_ack`,
//! WebSocket pings with a read deadline that only pongs renew, the 64 KiB inbound limit (close
//! 1009), `{"type":"ping"}` answered with `pong`, eviction of a client that falls too far behind.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

use super::{Node, DEMO_TOKEN, DEMO_WORKSPACE};

const AUTH_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn serve(stream: TcpStream, node: &Node) -> anyhow::Result<()> {
    let limits = node.limits;
    let config = WebSocketConfig::default()
        .max_message_size(Some(limits.max_inbound))
        .max_frame_size(Some(limits.max_inbound));
    let mut ws =
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config)).await?;
    let first = timeout(AUTH_TIMEOUT, ws.next()).await;
    let token_ok = match first {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<serde_json::Value>(t.as_str())
            .ok()
            .filter(|v| v["type"] == "auth")
            .map(|v| v["payload"]["token"] == DEMO_TOKEN),
        _ => None,
    };
    let refusal = match token_ok {
        Some(true) => None,
        Some(false) => Some("invalid token"),
        None => Some("expected auth message as first frame"),
    };
    if let Some(error) = refusal {
        ws.send(Message::text(
            serde_json::json!({ "error": error }).to_string(),
        ))
        .await?;
        // Dropped, not closed: the client sees an abnormal closure (1006), as with the server.
        return Ok(());
    }
    // Subscribe before collecting the re-delivery, so nothing falls between the two.
    let mut events = node.tx.subscribe();
    let mut restarts = node.restarts.subscribe();
    restarts.mark_unchanged();
    ws.send(Message::text(r#"{"type":"auth_ack"}"#)).await?;
    for text in node.replay_for_new_client() {
        ws.send(Message::text(text)).await?;
    }
    let mut ping = tokio::time::interval_at(Instant::now() + limits.ping_every, limits.ping_every);
    let mut last_pong = Instant::now();
    loop {
        let deadline = last_pong + limits.read_deadline;
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
                Some(Ok(Message::Pong(_))) => last_pong = Instant::now(),
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Err(tungstenite::Error::Capacity(_))) => {
                    let close = CloseFrame {
                        code: CloseCode::Size,
                        reason: "message too big".into(),
                    };
                    let _ = ws.send(Message::Close(Some(close))).await;
                    return Ok(());
                }
                Some(Err(e)) => return Err(e.into()),
                _ => {}
            },
            _ = ping.tick() => ws.send(Message::Ping(Vec::new().into())).await?,
            // Only pongs renew the deadline; past it the connection is just dropped.
            _ = tokio::time::sleep_until(deadline) => return Ok(()),
            // The node went down: every connection ends at once, without a close frame.
            _ = restarts.changed() => return Ok(()),
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
