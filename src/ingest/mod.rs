//! Input becomes failures and aggregates here, and only here. Two doors lead in:
//!
//! - **the file door** ([`read`]): a whole capture, from a file or standard input. One reader
//!   decides for itself how to take it in — mapped and in bulk on every core, mapped and line by
//!   line, or streamed — and hands what it finds to the caller's [`read::Sink`];
//! - **the live door** ([`live`]): frames from a live source (WebSocket, Redis, the demo) and
//!   the REST API's answers, in one cancel-safe loop that the dashboard, `tail` and `watch` share.
//!
//! Behind both is one [`Pipeline`]: a frame is counted and deduplicated, placed in the stream
//! (family, correlation, comments, retry chains), built into a failure (redaction, routing,
//! group) and admitted (lookups, the store, alerts). The dashboard's [`replay`] drives the same
//! pipeline from a capture at its own pace.

pub mod family;
pub mod live;
mod pipeline;
pub mod read;
pub mod replay;
pub mod stats;

pub use pipeline::{Pipeline, Taken, AWAITING};
pub use stats::{Admitted, IngestStats, TypeCounts};
