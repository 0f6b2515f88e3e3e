//! The three reads, over HTTP: authentication by `Authorization: Bearer` (the WebSocket's token),
//! the workspace by `X-Workspace-ID` or `X-Workspace-Slug`. Never `X-Agent-ID`/`X-Task-ID` (a
//! member token sending both is taken for that agent) and never the token in a URL. Bodies are
//! read as they stream, to a cap ([`super::body`]).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;

use super::body::{self, Body, ANSWER_BYTES, ERROR_BYTES};
use super::model::ErrorBody;
use crate::redact;
use crate::source::ws::Token;

/// A request that did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The server answered this status; its message (cleaned) and when to ask again.
    Status {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No answer: connection, timeout, or a body that was not what the server sends.
    Transport(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Status {
                status, message, ..
            } => write!(f, "HTTP {status}: {message}"),
            HttpError::Transport(e) => f.write_str(e),
        }
    }
}

/// A server may take this long before an answer is given up on.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A longer `Retry-After` is not believed: an incident does not wait an hour.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    pub fn new(base: &str, workspace: &str, token: &Token) -> Result<Http, String> {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
            .map_err(|_| "the token has characters a header cannot carry".to_owned())?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        let (name, value) = if crate::source::ws::looks_like_uuid(workspace) {
            ("x-workspace-id", workspace)
        } else {
            ("x-workspace-slug", workspace)
        };
        headers.insert(
            name,
            HeaderValue::from_str(value).map_err(|_| "bad workspace for a header".to_owned())?,
        );
        headers.insert("x-client-platform", HeaderValue::from_static("failwatch"));
        crate::source::ws::install_crypto_provider();
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| redact::redact_line(&e.to_string(), redact::MAX_MESSAGE_CHARS))?;
        Ok(Http {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// `path` below the API's base ([`super::endpoint::Key::path`]): a 200's body, read up to
    /// [`ANSWER_BYTES`], or an error.
    pub async fn get(&self, path: &str) -> Result<Body, HttpError> {
        let url = format!("{}{path}", self.base);
        let clean = |e: &dyn std::fmt::Display| {
            redact::redact_line(&e.to_string(), redact::MAX_MESSAGE_CHARS)
        };
        let mut resp = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| HttpError::Transport(clean(&e.without_url())))?;
        let status = resp.status();
        if status == StatusCode::OK {
            return body::read(&mut resp, ANSWER_BYTES)
                .await
                .map_err(|e| HttpError::Transport(clean(&e.without_url())));
        }
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
        let body = body::read(&mut resp, ERROR_BYTES).await.unwrap_or_default();
        let body = String::from_utf8_lossy(&body.bytes);
        let message = serde_json::from_str::<ErrorBody>(body.trim())
            .map(|b| b.error)
            .unwrap_or_else(|_| body.trim().to_owned());
        Err(HttpError::Status {
            status: status.as_u16(),
            message: clean(&message),
            retry_after,
        })
    }
}

/// The API's base URL from the realtime WebSocket's: same host, `http(s)`, without `/ws`.
pub fn base_from_ws(ws: &str) -> Option<String> {
    let (scheme, rest) = ws.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ws" => "http",
        "wss" => "https",
        _ => return None,
    };
    let rest = rest.split(['?', '#']).next()?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.trim_end_matches('/');
    let path = path
        .strip_suffix("ws")
        .unwrap_or(path)
        .trim_end_matches('/');
    Some(if path.is_empty() {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}/{path}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_lives_where_the_websocket_does() {
        assert_eq!(
            base_from_ws("wss://multica.example.com/ws").as_deref(),
            Some("https://multica.example.com")
        );
        assert_eq!(
            base_from_ws("ws://127.0.0.1:8080/ws?x=1").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            base_from_ws("wss://h/multica/ws").as_deref(),
            Some("https://h/multica")
        );
        assert_eq!(base_from_ws("http://h/ws"), None);
    }
}
