//! What failwatch writes for people and scripts, in one room: the `tail` record and the summary
//! as typed records (`record`), the `tail` text line (`text`) and the summary table (`table`).
//! Headless commands and the dashboard's copy and export all use these.

mod record;
mod table;
mod text;

pub use record::{FailureRecord, RouteRecord, SessionRecord, SummaryRecord};
pub use table::summary_table;
pub use text::failure_text;

use crate::catalog::Lang;
use crate::enrich::Failure;

/// One failure as a JSON line (the `tail --format jsonl` row, also copied and exported).
pub fn failure_line(f: &Failure, lang: Lang) -> String {
    serde_json::to_string(&FailureRecord::of(f, lang)).unwrap_or_default()
}

/// The code of a reason as shown in tables, `(none)` when the event had none.
pub fn reason_key(code: &str) -> &str {
    if code.is_empty() {
        "(none)"
    } else {
        code
    }
}
