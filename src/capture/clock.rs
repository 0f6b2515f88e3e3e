//! A frame's time, decided here and nowhere else. There are two clocks, on purpose:
//!
//! - **the event clock** ([`event_time`]): when the event happened. The `event_id`'s ULID time,
//!   else the time the frame was received or recorded, else paced. A failure's time, `since:`,
//!   minutes, badges and alerts all use it, so a frame recorded late (a node replaying its last
//!   five minutes after a restart) still lands where it happened.
//! - **the line clock** ([`line_time`]): when the recorder saw the frame. The record's `at`,
//!   else the `event_id`'s time, else paced. The dashboard's replay paces playback by it: a
//!   replay shows the stream as it arrived, bursts of late frames included.
//!
//! A frame with neither a record time nor an `event_id` is paced ([`Pacer`]): a fixed step after
//! the line before, from the capture header's start, or from the Unix epoch when nothing came
//! before (plainly not a real time, and the same on every run). Such frames are counted.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Deserialize;

use super::{Header, Line, BARE_FRAME_PACE_MS};
use crate::protocol::Ulid;

/// The event clock of a frame received (or recorded) at `received` with this `event_id`.
pub fn event_time(id: Option<&Ulid>, received: DateTime<Utc>) -> DateTime<Utc> {
    id.and_then(|i| i.time()).unwrap_or(received)
}

/// The line clock of a frame: its record's time, else its `event_id`'s (`None`: it is paced).
pub fn line_time(recorded: Option<DateTime<Utc>>, id: Option<&Ulid>) -> Option<DateTime<Utc>> {
    recorded.or_else(|| id.and_then(|i| i.time()))
}

/// [`line_time`] of a frame known only by its text.
pub fn line_time_of_text(recorded: Option<DateTime<Utc>>, text: &str) -> Option<DateTime<Utc>> {
    recorded.or_else(|| event_id_time(text))
}

/// The event clock of a capture line (`None` for lines that are not frames).
pub fn frame_time(line: &Line) -> Option<DateTime<Utc>> {
    match line {
        Line::Frame { at, text, .. } => Some(event_id_time(text).unwrap_or(*at)),
        _ => None,
    }
}

/// A frame's `event_id` time, when the frame is a JSON object whose `event_id` is a string
/// holding a ULID (whether or not the frame decodes into an event).
pub fn event_id_time(text: &str) -> Option<DateTime<Utc>> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        event_id: Option<Cow<'a, str>>,
    }
    let id = match crate::protocol::fast::scan::object(text, ["event_id"]) {
        Some([id]) => id.opt_str()?,
        // Anything the scanner is unsure of: serde's reading.
        None => serde_json::from_str::<Id>(text).ok()?.event_id,
    };
    Ulid::parse(&id?)?.time()
}

/// The line clock of frames without a time of their own, kept in line order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pacer {
    last_at: Option<DateTime<Utc>>,
}

impl Pacer {
    /// A pacer that goes on after a frame at `last_at`.
    pub fn after(last_at: Option<DateTime<Utc>>) -> Pacer {
        Pacer { last_at }
    }

    /// The line time of the last frame (or the header's start).
    pub fn last(&self) -> Option<DateTime<Utc>> {
        self.last_at
    }

    /// A line that is not a frame: a header's start time paces the bare frames after it.
    pub fn other(&mut self, line: &Line) {
        if let Line::Header(Header {
            started_at: Some(t),
            ..
        }) = line
        {
            self.last_at = self.last_at.or(Some(*t));
        }
    }

    /// A frame's line time, and whether it was paced: its own, or a step after the line before.
    pub fn time(&mut self, own: Option<DateTime<Utc>>) -> (DateTime<Utc>, bool) {
        let at = own.unwrap_or_else(|| paced_after(self.last_at));
        self.last_at = Some(at);
        (at, own.is_none())
    }
}

/// The time of a frame with none of its own: a step after the one before.
pub fn paced_after(last_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    last_at.map_or(DateTime::UNIX_EPOCH, |t| {
        // Within the same second (the usual case) only the fraction moves: no calendar sums.
        const PACE_NANOS: u32 = BARE_FRAME_PACE_MS as u32 * 1_000_000;
        let nanos = t.timestamp_subsec_nanos();
        if nanos < 1_000_000_000 - PACE_NANOS {
            if let Some(paced) = t.with_nanosecond(nanos + PACE_NANOS) {
                return paced;
            }
        }
        t.checked_add_signed(Duration::milliseconds(BARE_FRAME_PACE_MS))
            .unwrap_or(t)
    })
}
