//! Recovering what the wire withholds from the server's REST API: a failure's error text and the
//! server's retry chain, for each failure whose text the relays had but the frame did not carry.
//!
//! Built for a server under incident. One task asks, apart from ingestion: lookups come in on a
//! channel, answers go out on another, and nothing waits on the server. Per failure the endpoint
//! the token may read is chosen (an issue's runs; else the agent's tasks; else, for the chat's
//! creator, the chat's messages), a 403 moves to the next, and rows are matched by task id only.
//! Lookups that need the same endpoint share one request; answers are cached; requests are
//! bounded in number at once and per second (a redirect's hop is a request like any other);
//! 429 and 5xx back off (honouring `Retry-After`, at most 5 minutes, the pause said) and a run
//! of them opens a circuit that stops asking for a while, said in the header. Problems of the
//! token (401, not a member, a 403 on an agent) are explained once.
//!
//! Memory is bounded in bytes: each of the [`MAX_CONCURRENCY`] requests at once reads at most
//! [`body::ANSWER_BYTES`] of its body and keeps at most as much of its rows; the cache keeps at
//! most [`answer::CACHE_BYTES`] of rows. Together [`MAX_ANSWER_MEMORY`]. An answer cut at its
//! cap is said (the header, `tail`'s stderr, the lookup it failed, the texts-cut count).

mod answer;
mod body;
mod breaker;
mod bucket;
mod decode;
mod endpoint;
mod failed;
mod http;
mod id;
pub mod model;
pub mod names;
mod queue;
mod redirect;
mod retry;
mod retry_after;
mod scheduler;
mod waiting;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

pub use body::ANSWER_BYTES;
pub use http::{base_from_ws, Http, HttpError};
pub use retry_after::MAX_WAIT as MAX_RETRY_AFTER;

use crate::capture::SharedRecorder;
use crate::enrich::{LookupRequest, Recovery};
use crate::source::ws::Token;

/// How the client asks.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// `https://host` (the realtime WebSocket's host), or `--api`.
    pub base: String,
    pub workspace: String,
    pub token: Token,
    /// Requests per second, at most.
    pub budget: f64,
    /// Requests in flight, at most.
    pub concurrency: usize,
}

/// Requests in flight, at most (whatever [`ApiConfig::concurrency`] asks).
pub const MAX_CONCURRENCY: usize = 4;

/// What answers may hold at once, at most: the bodies being read and their rows, for each
/// request in flight, and the cache.
pub const MAX_ANSWER_MEMORY: usize = MAX_CONCURRENCY * 2 * body::ANSWER_BYTES + answer::CACHE_BYTES;

impl ApiConfig {
    pub const DEFAULT_BUDGET: f64 = 5.0;
    pub const DEFAULT_CONCURRENCY: usize = MAX_CONCURRENCY;

    /// Asking `base` for `workspace` with `token`, at the default budget and concurrency.
    pub fn new(base: String, workspace: String, token: Token) -> ApiConfig {
        ApiConfig {
            base,
            workspace,
            token,
            budget: Self::DEFAULT_BUDGET,
            concurrency: Self::DEFAULT_CONCURRENCY,
        }
    }
}

/// Where asking stands, for the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ApiState {
    #[default]
    Ok,
    /// Too many failures in a row: no request until then.
    CircuitOpen { until: DateTime<Utc>, why: String },
    /// The server's `Retry-After` holds every request until then; `capped`: it asked for
    /// longer than failwatch waits ([`MAX_RETRY_AFTER`]).
    Paused { until: DateTime<Utc>, capped: bool },
    /// The API will not answer this token (401, not a member): nothing more is asked.
    Refused(String),
}

#[derive(Clone, Debug, Default)]
pub struct ApiStatus {
    /// The API's address, credentials removed.
    pub base: String,
    pub state: ApiState,
    /// Requests sent, texts recovered, lookups given up on, lookups waiting.
    pub requests: u64,
    pub recovered: u64,
    pub failed: u64,
    pub waiting: usize,
    /// Answers cut at their byte cap ([`body::ANSWER_BYTES`]): only their first rows were read.
    pub answers_cut: u64,
    /// What the token may not read, each said once.
    pub notes: Vec<String>,
}

/// A running client: lookups in, recoveries out, and its status.
pub struct ApiHandle {
    /// Lookups go in and answers come out in batches: a flood costs a message per batch.
    pub requests: mpsc::Sender<Vec<LookupRequest>>,
    pub results: mpsc::Receiver<Vec<Recovery>>,
    pub status: watch::Receiver<ApiStatus>,
    /// Dropped with the handle: the client's thread stops.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl ApiHandle {
    /// Its channels, each borrowed on its own (to wait on several at once).
    pub fn parts(
        &mut self,
    ) -> (
        &mpsc::Sender<Vec<LookupRequest>>,
        &mut mpsc::Receiver<Vec<Recovery>>,
        &mut watch::Receiver<ApiStatus>,
    ) {
        (&self.requests, &mut self.results, &mut self.status)
    }
}

/// Lookups queued for the client, and failures waiting for their answers; a flood past this
/// is failed at once rather than held.
pub const MAX_QUEUED: usize = 10_000;
/// What a failure past [`MAX_QUEUED`] is told instead of an answer.
pub const TOO_MANY_WAITING: &str = "too many lookups waiting for the API: not asked";
/// Batches in flight each way.
const BATCHES: usize = 1024;

/// Start the client on a thread of its own. `recorder` receives each recovered text (redacted).
pub fn start(config: ApiConfig, recorder: Option<SharedRecorder>) -> Result<ApiHandle, String> {
    let http = Http::new(&config.base, &config.workspace, &config.token)?;
    let (req_tx, req_rx) = mpsc::channel(BATCHES);
    let (res_tx, res_rx) = mpsc::channel(BATCHES);
    let base = crate::redact::redact_line(&config.base, crate::redact::MAX_MESSAGE_CHARS);
    let (status_tx, status_rx) = watch::channel(ApiStatus {
        base,
        ..ApiStatus::default()
    });
    let scheduler = scheduler::Scheduler::new(
        http,
        scheduler::Limits {
            budget: config.budget.max(0.1),
            concurrency: config.concurrency.clamp(1, MAX_CONCURRENCY),
        },
        res_tx,
        status_tx,
        recorder,
    );
    // Its own thread and runtime: answers to parse and lookups to match never take a turn
    // from ingestion's tasks, however many there are.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the API client: {e}"))?;
    std::thread::Builder::new()
        .name("failwatch-api".into())
        .spawn(move || {
            runtime.block_on(async {
                tokio::select! {
                    _ = scheduler.run(req_rx) => {}
                    _ = stopped => {}
                }
            })
        })
        .map_err(|e| format!("cannot start the API client: {e}"))?;
    Ok(ApiHandle {
        requests: req_tx,
        results: res_rx,
        status: status_rx,
        _stop: stop,
    })
}

/// Hand lookups to the client; those it cannot take now are answered at once, as failed.
pub fn send_lookups(
    client: Option<&mpsc::Sender<Vec<LookupRequest>>>,
    lookups: Vec<LookupRequest>,
) -> Vec<Recovery> {
    if lookups.is_empty() {
        return Vec::new();
    }
    let refused = match client.map(|c| c.try_send(lookups)) {
        Some(Ok(())) => return Vec::new(),
        Some(Err(e)) => e.into_inner(),
        None => return Vec::new(),
    };
    refused
        .iter()
        .map(|req| Recovery {
            task_id: Arc::clone(&req.task_id),
            outcome: Err(TOO_MANY_WAITING.into()),
        })
        .collect()
}

/// A lookup ends by then: answered, or given up on (and said so).
pub const LOOKUP_LIFETIME: Duration = Duration::from_secs(600);

/// How long `tail` holds a row for its lookup by default.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(3);
