//! The live source: a Multica realtime WebSocket client with first-frame auth, dead-peer
//! detection, reconnect with capped exponential backoff and full jitter, and gap marking
//! (the WebSocket cannot resume, so every disconnect is a window of possibly missed events).
//!
//! Only what a retry cannot fix ends it: an HTTP 400/401/403/404 before the upgrade, or the
//! server's `{"error": …}` frame. Everything else (a proxy's 502/503 during a deploy, timeouts,
//! a close during auth) is retried with the backoff. Every text from the server (error frames,
//! HTTP bodies, close reasons, transport errors) is cleaned and redacted before it is shown or
//! logged.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use rand::{Rng, SeedableRng};
use tokio::sync::watch;
use tokio::time::{sleep, timeout, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use super::channel::{self, Delivery, FrameRx, FrameTx};
use super::status::{backoff, ConnState, Gap, Phase, STABLE_AFTER};
use super::SourceError;
use crate::capture::SharedRecorder;
use crate::protocol::{decode, Control, Event, Frame};
use crate::redact;

/// The server closes unauthenticated sockets after 10 s.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// We send an application ping this often; the server answers `pong`.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Silence longer than this (no frame, no pong) means the peer is dead. The server itself drops
/// clients after 60 s without a pong.
const DEAD_AFTER: Duration = Duration::from_secs(60);

/// Why there is no token to use.
#[derive(Debug)]
pub enum TokenError {
    /// Neither `--token-file` nor `$FAILWATCH_TOKEN`.
    Unset,
    Empty,
    Unreadable(std::path::PathBuf, std::io::Error),
}

/// An auth token. Its `Debug` never shows it, so it cannot end up in a log by accident.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(s: impl Into<String>) -> Token {
        Token(s.into().trim().to_owned())
    }

    /// From `--token-file`, else `$FAILWATCH_TOKEN`.
    pub fn load(file: Option<&Path>) -> Result<Token, TokenError> {
        let token = match file {
            Some(p) => std::fs::read_to_string(p)
                .map_err(|e| TokenError::Unreadable(p.to_path_buf(), e))?,
            None => std::env::var("FAILWATCH_TOKEN").map_err(|_| TokenError::Unset)?,
        };
        let token = Token::new(token);
        if token.0.is_empty() {
            return Err(TokenError::Empty);
        }
        // A server may echo it back (`invalid token …`): no text from outside shows it.
        redact::known_secret(&token.0);
        Ok(token)
    }
}

impl Token {
    /// The token itself, for an `Authorization` header; never for a message or a log.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

#[derive(Clone, Debug)]
pub struct LiveConfig {
    pub url: String,
    pub workspace: String,
    pub token: Token,
}

impl LiveConfig {
    /// The URL with the workspace query parameter (`workspace_id` for a UUID, else `workspace_slug`).
    pub fn endpoint(&self) -> String {
        let key = if looks_like_uuid(&self.workspace) {
            "workspace_id"
        } else {
            "workspace_slug"
        };
        let sep = if self.url.contains('?') { '&' } else { '?' };
        let value: String = self
            .workspace
            .bytes()
            .flat_map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    vec![b as char]
                }
                _ => format!("%{b:02X}").chars().collect(),
            })
            .collect();
        format!(
            "{}{sep}{key}={value}&client_platform=failwatch&client_version={}",
            self.url,
            env!("CARGO_PKG_VERSION")
        )
    }
}

pub fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

pub struct LiveHandle {
    pub frames: FrameRx,
    pub state: watch::Receiver<ConnState>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Connect once (so a wrong URL, token or workspace fails fast with the server's message), then
/// keep reading in the background, reconnecting as needed.
pub async fn start(
    config: LiveConfig,
    delivery: Delivery,
    mut recorder: Option<SharedRecorder>,
) -> Result<LiveHandle, SourceError> {
    let (tx, rx) = channel::channel(channel::MAX_FRAMES, delivery);
    let (state_tx, state_rx) = watch::channel(ConnState::new());
    let first = connect(&config).await?;
    let state_tx = Arc::new(state_tx);
    let workspace: Arc<str> = Arc::from(crate::redact::redact_id(&config.workspace));
    let task = tokio::spawn(async move {
        let mut ws = Some(first);
        let mut attempt = 0u32;
        let mut rng = rand::rngs::StdRng::from_os_rng();
        loop {
            let socket = match ws.take() {
                Some(s) => s,
                None => match connect(&config).await {
                    Ok(s) => s,
                    Err(SourceError::Refused(msg)) => {
                        tracing::error!(%msg, "server refused the connection");
                        state_tx.send_modify(|s| s.phase = Phase::Failed(msg));
                        break;
                    }
                    Err(SourceError::Transient(msg)) => {
                        attempt += 1;
                        wait_backoff(&state_tx, attempt, msg, &mut rng).await;
                        continue;
                    }
                },
            };
            let connected = Utc::now();
            let mut closed = None;
            state_tx.send_modify(|s| {
                if let Some(last) = s.gaps.last_mut().filter(|g| g.to.is_none()) {
                    last.to = Some(connected);
                    closed = Some(last.clone());
                }
                s.phase = Phase::Live { since: connected };
            });
            record_gap(&mut recorder, closed.as_ref());
            let started = Instant::now();
            let reason = read(socket, &tx, &state_tx, &mut recorder, &workspace).await;
            if tx.is_closed() {
                state_tx.send_modify(|s| s.phase = Phase::Stopped);
                break;
            }
            // Everything from the last frame we saw until we are back is a gap.
            let from = state_tx.borrow().last_frame_at.unwrap_or(connected);
            state_tx.send_modify(|s| {
                s.add_gap(Gap {
                    from,
                    to: None,
                    why: format!("disconnected: {reason}"),
                })
            });
            tracing::warn!(%reason, "connection lost");
            attempt = if started.elapsed() >= STABLE_AFTER {
                1
            } else {
                attempt + 1
            };
            wait_backoff(&state_tx, attempt, reason, &mut rng).await;
        }
        // A gap still open when we stop is recorded open: a replay shows it running to the end.
        let open = state_tx
            .borrow()
            .gaps
            .last()
            .filter(|g| g.to.is_none())
            .cloned();
        record_gap(&mut recorder, open.as_ref());
        if let Some(Ok(mut w)) = recorder.as_ref().map(|r| r.lock()) {
            let _ = w.sync();
        }
    });
    Ok(LiveHandle {
        frames: rx,
        state: state_rx,
        task,
    })
}

fn record_gap(recorder: &mut Option<SharedRecorder>, gap: Option<&Gap>) {
    let Some(gap) = gap else { return };
    record(recorder, |w| w.write_gap(gap));
}

/// Write to the recording, if there is one; a failed write stops recording (said in the log).
fn record(
    recorder: &mut Option<SharedRecorder>,
    write: impl FnOnce(&mut crate::capture::CaptureWriter) -> std::io::Result<()>,
) {
    let Some(r) = recorder.as_ref() else { return };
    let result = match r.lock() {
        Ok(mut w) => write(&mut w),
        Err(_) => Err(std::io::Error::other("the recording's lock was poisoned")),
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "recording failed; recording stops");
        *recorder = None;
    }
}

/// A text from the server or the transport, safe to show and log: one line, cleaned, redacted.
fn clean(text: &str) -> String {
    redact::redact_line(text, redact::MAX_MESSAGE_CHARS)
}

/// Statuses with which the server itself refuses (bad request, token, workspace or path); any
/// other comes from a proxy or a restart and is worth another try.
fn refused_status(status: u16) -> bool {
    matches!(status, 400 | 401 | 403 | 404)
}

async fn wait_backoff(
    state: &watch::Sender<ConnState>,
    attempt: u32,
    error: String,
    rng: &mut impl Rng,
) {
    let delay = backoff(attempt, rng);
    let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
    state.send_modify(|s| s.reconnecting(attempt, at, error));
    sleep(delay).await;
    state.send_modify(|s| {
        s.phase = Phase::Connecting {
            attempt: attempt + 1,
        }
    });
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// rustls needs a process-wide crypto provider before the first `wss://` handshake.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Open the socket, send the auth frame, wait for `auth_ack`.
pub async fn connect(config: &LiveConfig) -> Result<Socket, SourceError> {
    install_crypto_provider();
    let request = config.endpoint().into_client_request().map_err(|e| {
        SourceError::Refused(format!(
            "bad URL {}: {}",
            clean(&config.url),
            clean(&e.to_string())
        ))
    })?;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20));
    let (mut socket, _) = match timeout(
        AUTH_TIMEOUT,
        tokio_tungstenite::connect_async_with_config(request, Some(ws_config), true),
    )
    .await
    {
        Err(_) => return Err(SourceError::Transient("connect timed out".into())),
        Ok(Err(tungstenite::Error::Http(resp))) => {
            let status = resp.status();
            let body = resp
                .body()
                .as_deref()
                .map(server_message)
                .unwrap_or_default();
            let msg = format!(
                "HTTP {}: {}",
                clean(&status.to_string()),
                if body.is_empty() {
                    "the server refused the upgrade".into()
                } else {
                    body
                }
            );
            return Err(if refused_status(status.as_u16()) {
                SourceError::Refused(msg)
            } else {
                SourceError::Transient(msg)
            });
        }
        Ok(Err(e)) => return Err(SourceError::Transient(clean(&e.to_string()))),
        Ok(Ok(ok)) => ok,
    };
    let auth =
        serde_json::json!({"type": "auth", "payload": {"token": config.token.0}}).to_string();
    socket
        .send(Message::text(auth))
        .await
        .map_err(|e| SourceError::Transient(clean(&e.to_string())))?;
    let deadline = Instant::now() + AUTH_TIMEOUT;
    loop {
        let msg = match timeout(
            deadline.saturating_duration_since(Instant::now()),
            socket.next(),
        )
        .await
        {
            Err(_) => return Err(SourceError::Transient("no auth_ack within 10 s".into())),
            Ok(None) => {
                return Err(SourceError::Transient(
                    "the server closed the connection during auth".into(),
                ))
            }
            Ok(Some(Err(e))) => return Err(SourceError::Transient(clean(&e.to_string()))),
            Ok(Some(Ok(m))) => m,
        };
        let Message::Text(text) = msg else { continue };
        match decode(text.as_str()) {
            Ok(Event::Control(Control::AuthAck)) => return Ok(socket),
            // Already cleaned and redacted by the decoder; cleaned again in case that changes.
            Ok(Event::ServerError(msg)) => {
                return Err(SourceError::Refused(format!(
                    "auth failed: {}",
                    clean(&msg)
                )))
            }
            _ => continue,
        }
    }
}

/// The text of a `{"error": "…"}` body, or the body itself (trimmed, bounded).
fn server_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let msg = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| text.trim().to_owned());
    clean(&msg)
}

/// Read until the connection ends; returns why it ended.
async fn read(
    mut socket: Socket,
    tx: &FrameTx,
    state: &watch::Sender<ConnState>,
    recorder: &mut Option<SharedRecorder>,
    workspace: &Arc<str>,
) -> String {
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            msg = socket.next() => {
                let msg = match msg {
                    None => return "the server closed the connection".into(),
                    Some(Err(e)) => return clean(&e.to_string()),
                    Some(Ok(m)) => m,
                };
                last_heard = Instant::now();
                let text = match msg {
                    Message::Text(t) => t.as_str().to_owned(),
                    Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    Message::Close(frame) => {
                        return frame
                            .map(|f| clean(&format!("closed by the server: {} {}", f.code, f.reason)))
                            .unwrap_or_else(|| "closed by the server".into())
                    }
                    _ => continue, // ping/pong: tungstenite answers pings itself
                };
                let now = Utc::now();
                record(recorder, |w| w.write(now, Some(workspace), &text));
                state.send_if_modified(|s| {
                    s.received(now);
                    false
                });
                let frame = Frame {
                    received_at: now,
                    text,
                    workspace: Some(workspace.clone()),
                };
                let Ok(delivered) = tx.deliver(frame).await else {
                    return "stopped".into();
                };
                if !delivered {
                    state.send_if_modified(|s| s.lost(1));
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() >= DEAD_AFTER {
                    return format!("no frame or pong for {} s", DEAD_AFTER.as_secs());
                }
                if socket.send(Message::text(r#"{"type":"ping"}"#)).await.is_err() {
                    return "sending ping failed".into();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_picks_the_workspace_parameter() {
        let cfg = |w: &str| LiveConfig {
            url: "ws://h/ws".into(),
            workspace: w.into(),
            token: Token::new("t"),
        };
        assert!(cfg("0b6f3f2e-5a0e-4c1e-9d51-2f1d8c9a7e01")
            .endpoint()
            .starts_with("ws://h/ws?workspace_id=0b6f3f2e"));
        assert!(cfg("my team")
            .endpoint()
            .starts_with("ws://h/ws?workspace_slug=my%20team&"));
    }

    #[tokio::test]
    async fn wss_to_a_peer_that_is_not_tls_fails_cleanly() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut s, _) = listener.accept().await.unwrap();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls").await;
        });
        let cfg = LiveConfig {
            url: format!("wss://{addr}/ws"),
            workspace: "w".into(),
            token: Token::new("t"),
        };
        assert!(matches!(
            connect(&cfg).await,
            Err(SourceError::Transient(_))
        ));
    }

    #[test]
    fn token_never_shows_in_debug() {
        let t = Token::new("mul_secret_value");
        assert_eq!(format!("{t:?}"), "Token(…)");
        let cfg = LiveConfig {
            url: "ws://h".into(),
            workspace: "w".into(),
            token: t,
        };
        assert!(!format!("{cfg:?}").contains("mul_secret"));
    }

    #[test]
    fn server_messages_are_extracted_and_redacted() {
        assert_eq!(
            server_message(br#"{"error":"workspace not found"}"#),
            "workspace not found"
        );
        assert!(
            !server_message(b"bad token ghp_0123456789abcdefghijABCDEFGHIJ0123456789")
                .contains("ghp_0123")
        );
    }
}
