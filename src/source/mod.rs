//! Where frames come from. Every live source opens the same way, a spec into a handle: its
//! frames on a bounded channel and its connection status on a watch. None knows about the UI.

pub mod channel;
pub mod demo;
pub mod fleet;
pub mod redis;
pub mod status;
pub mod ws;

use tokio::sync::watch;

use crate::capture::SharedRecorder;
pub use channel::{Delivery, FrameRx};
use status::ConnState;

/// A live source to open.
pub enum SourceSpec {
    /// A Multica server's realtime WebSocket (the embedded demo's too), optionally recorded.
    WebSocket {
        config: ws::LiveConfig,
        record: Option<SharedRecorder>,
    },
    /// The server's Redis relay streams, with backfill.
    Redis(redis::RedisConfig),
    /// Several workspaces of one server: a WebSocket each, with the same token.
    Workspaces {
        configs: Vec<ws::LiveConfig>,
        record: Option<SharedRecorder>,
    },
}

/// Why a source could not be opened or lost its connection; every source uses it, and the
/// variant decides whether to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The server refused (an HTTP 4xx, an auth error, bad credentials, no such stream): a retry
    /// will not help.
    #[error("{0}")]
    Refused(String),
    /// It could not be reached or went away: try again.
    #[error("{0}")]
    Transient(String),
}

/// An open source: its frames, its status, and what to call it.
pub struct SourceHandle {
    pub frames: FrameRx,
    pub status: watch::Receiver<ConnState>,
    /// Where the frames come from, credentials removed (for the header and messages).
    pub label: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SourceHandle {
    /// A handle over channels fed by someone else (tests, in-process producers).
    pub fn from_parts(
        frames: FrameRx,
        status: watch::Receiver<ConnState>,
        label: String,
    ) -> SourceHandle {
        SourceHandle {
            frames,
            status,
            label,
            task: None,
        }
    }
}

impl Drop for SourceHandle {
    fn drop(&mut self) {
        // A Redis reader thread stops on its own once the channel is closed.
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

/// Open a source: connect once, so a wrong URL, token or workspace fails fast with the server's
/// message, then read in the background, reconnecting as needed.
pub async fn open(spec: SourceSpec, delivery: Delivery) -> Result<SourceHandle, SourceError> {
    match spec {
        SourceSpec::WebSocket { config, record } => {
            let label = crate::redact::redact_line(&config.url, crate::redact::MAX_MESSAGE_CHARS);
            let h = ws::start(config, delivery, record).await?;
            Ok(SourceHandle {
                frames: h.frames,
                status: h.state,
                label,
                task: Some(h.task),
            })
        }
        SourceSpec::Workspaces { configs, record } => {
            let url = configs.first().map(|c| c.url.clone()).unwrap_or_default();
            let count = configs.len();
            let mut h = fleet::open(configs, delivery, record).await?;
            h.label = format!(
                "{count} workspaces @ {}",
                crate::redact::redact_line(&url, crate::redact::MAX_MESSAGE_CHARS)
            );
            Ok(h)
        }
        SourceSpec::Redis(config) => {
            let url = crate::redact::redact_line(&config.url, crate::redact::MAX_MESSAGE_CHARS);
            let h = tokio::task::spawn_blocking(move || redis::start(config, delivery))
                .await
                .map_err(|e| SourceError::Transient(e.to_string()))??;
            Ok(SourceHandle {
                label: format!("redis {url} {}", h.key),
                frames: h.frames,
                status: h.state,
                task: None,
            })
        }
    }
}
