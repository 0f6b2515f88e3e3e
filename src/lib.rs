//! failwatch: watch Multica `task:failed` events, explain why they failed and who was (never) told.
//!
//! Data flows one way: a capture or a live source → [`ingest`] (decode with [`protocol`], enrich
//! with [`enrich`]: redact, localize, route, correlate) → [`store`] → views (TUI or headless).

pub mod alerts;
pub mod api;
pub mod backoff;
pub mod bounded;
pub mod capture;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod demo;
pub mod enrich;
pub mod feed;
pub mod filter;
pub mod groups;
pub mod i18n;
pub mod ingest;
pub mod local_file;
pub mod metrics;
pub mod output;
pub mod protocol;
pub mod redact;
pub mod routing;
pub mod source;
pub mod store;
pub mod tail;
pub mod tz;
pub mod ui;
