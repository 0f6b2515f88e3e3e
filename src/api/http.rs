//! The three reads, over HTTP: authentication by `Authorization: Bearer` (the WebSocket's token),
//! the workspace by `X-Workspace-ID` or `X-Workspace-Slug`. Never `X-Agent-ID`/`X-Task-ID` (a
//! member token sending both is taken for that agent) and never the token in a URL. Bodies are
//! read as they stream, to a cap ([`super::body`]); redirects are handed back, not followed
//! ([`super::redirect`]).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, LOCATION, RETRY_AFTER};
use reqwest::{StatusCode, Url};

use super::body::{self, Body, ANSWER_BYTES, ERROR_BYTES};
use super::model::ErrorBody;
use super::redirect;
use super::retry_after::{self, RetryAfter};
use crate::redact;
use crate::source::ws::Token;

/// A request that did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The server answered this status; its message (cleaned) and when to ask again.
    Status {
        status: u16,
        message: String,
        retry_after: Option<RetryAfter>,
    },
    /// No answer: connection, timeout, or a body that was not what the server sends.
    Transport(String),
    /// A redirect that is not followed ([`super::redirect`]): said as it is.
    NotFollowed(String),
    /// A request that is not sent: its id cannot be put in a path ([`super::id`]).
    NotSent(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Status {
                status, message, ..
            } => write!(f, "HTTP {status}: {message}"),
            HttpError::Transport(e) | HttpError::NotFollowed(e) | HttpError::NotSent(e) => {
                f.write_str(e)
            }
        }
    }
}

/// What a request got.
#[derive(Debug)]
pub enum Reply {
    /// A 200's body, read up to [`ANSWER_BYTES`].
    Body(Body),
    /// A redirect from this URL to that `Location` (not followed yet: that is a request of its own).
    Redirect { from: Url, location: String },
}

/// A server may take this long before an answer is given up on.
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    origin: Url,
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
        let clean = |e: &dyn std::fmt::Display| {
            redact::redact_line(&e.to_string(), redact::MAX_MESSAGE_CHARS)
        };
        let base = base.trim_end_matches('/').to_owned();
        let origin = Url::parse(&base).map_err(|e| format!("bad API address: {}", clean(&e)))?;
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(TIMEOUT)
            // Each hop is asked by the scheduler, within the budget and the API's origin.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| clean(&e))?;
        Ok(Http {
            client,
            base,
            origin,
        })
    }

    /// The API's address: redirects are followed only within its origin.
    pub fn origin(&self) -> &Url {
        &self.origin
    }

    /// An endpoint's URL from its path ([`super::endpoint::Key::path`]).
    pub fn url(&self, path: &str) -> Result<Url, HttpError> {
        Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| HttpError::Transport(format!("bad API address: {e}")))
    }

    /// One request, one answer: a body read to its cap, a redirect to follow or not, or an error.
    pub async fn get(&self, url: Url) -> Result<Reply, HttpError> {
        let clean = |e: &dyn std::fmt::Display| {
            redact::redact_line(&e.to_string(), redact::MAX_MESSAGE_CHARS)
        };
        let mut resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| HttpError::Transport(clean(&e.without_url())))?;
        let status = resp.status();
        if status == StatusCode::OK {
            return body::read(&mut resp, ANSWER_BYTES)
                .await
                .map(Reply::Body)
                .map_err(|e| HttpError::Transport(clean(&e.without_url())));
        }
        if redirect::is_redirect(status.as_u16()) {
            if let Some(location) = resp.headers().get(LOCATION) {
                let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
                return Ok(Reply::Redirect {
                    from: url,
                    location,
                });
            }
        }
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after::parse(v, chrono::Utc::now()));
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
