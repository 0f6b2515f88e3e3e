//! Shared helpers of the integration tests. Each test binary uses only part of them.
#![allow(dead_code)]

pub mod api;
pub mod cmd;
pub mod corpus;
pub mod fleet;
pub mod fork;
pub mod hub;
pub mod redis;
pub mod scrape;
pub mod secrets;
pub mod sim;
pub mod tail;
pub mod tmux;
