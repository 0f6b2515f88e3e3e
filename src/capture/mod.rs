//! Capture files: JSON Lines of `{"at": …, "frame": …}`, `{"at": …, "gap": …}` and
//! `{"at": …, "recovered": …}` records after an optional header, or bare frames one per line. The reader never fails on content and never
//! reads a line whole past a bound: bad lines come back as [`Line::Bad`]. The writer keeps only
//! what failwatch uses and redacts it as a whole, unless raw capture was asked for.

pub mod clock;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use clock::{event_id_time, frame_time};
pub(crate) use read::{borrowed_frame, decoded_frame, overlong_line, workspace_of};
pub use read::{end_time, parse_line, CaptureReader, MAX_LINE_BYTES};
pub use write::{recorded_frame, CaptureWriter};

/// A recording written by the source (frames, gaps) and the API client (recovered texts).
pub type SharedRecorder = std::sync::Arc<std::sync::Mutex<CaptureWriter>>;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::protocol::Gap;

/// Bare frames without an `event_id` carry no time: they are paced this far apart, and counted
/// as synthetic.
pub const BARE_FRAME_PACE_MS: i64 = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub source: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    /// Recorded while asking the REST API (its answers follow as recovered records).
    pub api: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Header(Header),
    /// A frame with its time: the record's, the `event_id`'s, or paced (`synthetic`).
    Frame {
        at: DateTime<Utc>,
        text: String,
        synthetic: bool,
        /// The workspace whose connection or stream carried it, as recorded (made safe).
        workspace: Option<std::sync::Arc<str>>,
    },
    /// A window in which the recorder may have missed events.
    Gap(Gap),
    /// A text the wire withheld, recovered from the REST API while recording.
    Recovered(crate::enrich::Recovery),
    Blank,
    Bad(String),
}

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Some(t) = millis_utc(s) {
        return Some(t);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The one form failwatch writes, `YYYY-MM-DDTHH:MM:SS.mmmZ`, read without the general parser
/// (`None` for anything else, leap seconds included, which the general parser reads).
fn millis_utc(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 24 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'.' || b[23] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let (hour, min, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if sec > 59 {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_milli_opt(hour, min, sec, num(20, 23)?)?;
    Some(date.and_time(time).and_utc())
}

/// RFC 3339, UTC, milliseconds: the one time format of every output.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
