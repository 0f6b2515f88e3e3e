//! Alert rules from the config file, evaluated on every failure as it is ingested: the
//! dashboard shows a banner, rings the bell and asks the terminal for a desktop notification;
//! `failwatch watch` prints what fired and exits 5.

mod engine;
mod notify;
mod rule;

pub use engine::{window_text, AlertEngine, Fired, Why};
pub use notify::{notification, Notifier};
pub use rule::{AlertRule, Condition, RawRule};
