//! Where frames come from. Each source produces timestamped frame text; none knows about the UI.

pub mod demo;
pub mod redis;
pub mod replay;
pub mod ws;
