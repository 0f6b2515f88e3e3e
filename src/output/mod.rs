//! What failwatch writes for people and scripts, in one room: the `tail` record and the summary
//! as typed records (`record`), the `tail` text line (`text`) and the summary table (`table`).
//! Headless commands and the dashboard's copy and export all use these.

pub mod diff;
mod record;
pub mod report;
mod stream;
mod table;
mod text;

pub use record::{FailureRecord, GapRecord, RouteRecord, SessionRecord, SummaryRecord};
pub use stream::{has_losses, losses_line, summary_json, write_failure, write_gap, TailFormat};
pub use table::summary_table;
pub use text::{failure_text, gap_span, gap_text};

use crate::catalog::Lang;
use crate::enrich::Failure;

/// How people read an output: its language, and the zone its times are shown in (JSON is
/// always UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    pub lang: Lang,
    pub tz: crate::tz::Zone,
}

impl Locale {
    pub fn new(lang: Lang, tz: crate::tz::Zone) -> Locale {
        Locale { lang, tz }
    }
}

/// One failure as a JSON line (the `tail --format jsonl` row, also copied and exported).
pub fn failure_line(f: &Failure, lang: Lang) -> String {
    serde_json::to_string(&FailureRecord::of(f, lang)).unwrap_or_default()
}

/// A gap as a JSON line: `{"gap":{"from":…,"to":…,"why":…}}`.
pub fn gap_line(gap: &crate::protocol::Gap) -> String {
    serde_json::json!({ "gap": GapRecord::of(gap) }).to_string()
}
