//! Alert rules from the config file, evaluated on every failure as it is ingested: the
//! dashboard shows a banner, rings the bell and asks the terminal for a desktop notification;
//! `failwatch watch` prints what fired and exits 5. A rule's cooldown holds back its firings for
//! a while after it fired; the dashboard lists every alert of the session, held back or not.

mod engine;
mod history;
mod notify;
mod rule;

pub use engine::{window_text, AlertEngine, Fired, Why};
pub use history::{AlertHistory, Entry, HISTORY_KEPT};
pub use notify::{notification, Notifier};
pub use rule::{AlertRule, Condition, RawRule};
