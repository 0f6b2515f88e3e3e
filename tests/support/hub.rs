//! A scripted WebSocket server (a real one, on loopback) for the live-source tests: each
//! connection in turn gets its own behaviour, then later connections are served and held open.

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// What the server does with one connection.
pub enum Conn {
    /// Accept the auth, send these frames, then end as `After` says.
    Serve(Vec<String>, After),
    /// Answer the upgrade request with this HTTP status line and body, no upgrade.
    Http(u16, &'static str, String),
    /// Upgrade, read the auth frame, answer `{"error": …}` and drop the connection.
    AuthError(String),
    /// As `AuthError`, the message made from the token the client sent.
    AuthEcho(fn(&str) -> String),
}

pub enum After {
    /// Drop the TCP connection: no close frame.
    Drop,
    /// Send a close frame with this reason.
    Close(String),
    /// Stay open, reading and discarding.
    Stay,
}

/// Start the server; its `ws://…/ws` URL.
pub async fn scripted(conns: Vec<Conn>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut conns = conns.into_iter();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let conn = conns.next().unwrap_or(Conn::Serve(Vec::new(), After::Stay));
            tokio::spawn(serve(stream, conn));
        }
    });
    format!("ws://{addr}/ws")
}

async fn serve(mut stream: tokio::net::TcpStream, conn: Conn) {
    let (frames, after) = match conn {
        Conn::Http(status, reason, body) => {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let resp = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(resp.as_bytes()).await;
            return;
        }
        Conn::AuthError(msg) => {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            let _ = ws.next().await;
            let frame = serde_json::json!({ "error": msg }).to_string();
            let _ = ws.send(Message::text(frame)).await;
            return;
        }
        Conn::AuthEcho(message) => {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            let Some(Ok(auth)) = ws.next().await else {
                return;
            };
            let auth: serde_json::Value =
                serde_json::from_str(auth.to_text().unwrap_or_default()).unwrap_or_default();
            let token = auth["payload"]["token"].as_str().unwrap_or_default();
            let frame = serde_json::json!({ "error": message(token) }).to_string();
            let _ = ws.send(Message::text(frame)).await;
            return;
        }
        Conn::Serve(frames, after) => (frames, after),
    };
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    match ws.next().await {
        Some(Ok(m)) if m.to_text().is_ok_and(|t| t.contains(r#""type":"auth""#)) => {}
        _ => return,
    }
    if ws
        .send(Message::text(r#"{"type":"auth_ack"}"#))
        .await
        .is_err()
    {
        return;
    }
    for f in frames {
        if ws.send(Message::text(f)).await.is_err() {
            return;
        }
    }
    match after {
        After::Drop => drop(ws),
        After::Close(reason) => {
            let close = CloseFrame {
                code: CloseCode::Library(4001),
                reason: reason.into(),
            };
            let _ = ws.send(Message::Close(Some(close))).await;
        }
        After::Stay => while let Some(Ok(_)) = ws.next().await {},
    }
}
