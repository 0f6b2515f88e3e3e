//! failwatch: watch Multica `task:failed` events, explain why they failed and who was (never) told.
//!
//! Data flows one way: source → decode ([`protocol`]) → enrich ([`enrich`]: redact, localize,
//! route, correlate) → [`store`] → views (TUI or headless).

pub mod alerts;
pub mod api;
pub mod bounded;
pub mod bulk;
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
pub mod headless;
pub mod i18n;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod protocol;
pub mod redact;
pub mod routing;
pub mod source;
pub mod store;
pub mod tz;
pub mod ui;
