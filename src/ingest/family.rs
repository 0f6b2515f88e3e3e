//! A stream's server family, decided once, the same way whatever the door.
//!
//! A setting (`--server`, the config) decides at once. Otherwise the first frame that tells
//! decides ([`told_by`]): a `task:failed` with `retry_pending` (upstream) or with a non-empty
//! wire `error` (the fork), or a fork-only event type. What a failure is told depends on the
//! family, so failures must not be built before it is known:
//!
//! - a capture file is read ahead up to [`LOOK_AHEAD_BYTES`] of frames ([`look_ahead`]): it can
//!   be read again, so nothing is held;
//! - a stream (standard input, a live source) holds its frames in a [`FamilyGate`] until a frame
//!   tells, the same [`LOOK_AHEAD_BYTES`] have been held, the input ends, or the wall-clock wait
//!   the caller set (`--family-wait`) has passed. Held frames are then taken in, in order.
//!
//! The file and standard input therefore give the same answer, byte for byte, unless a pipe is
//! so slow that the wait passes first; a live source gives it when a telling frame comes within
//! the wait. When nothing told in time, upstream is
//! assumed, and every failure built so says so (`server_source: "assumed"`).
//!
//! The dashboard keeps its failures and routes them again when the family becomes known, so it
//! does not hold frames (it shows them at once, marked as assumed in the header).

use std::collections::VecDeque;
use std::io::{self, BufRead};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::capture::{CaptureReader, Line};
use crate::protocol::{decode, Event};
use crate::routing::Family;

/// How much frame text is read ahead (a file) or held (a stream) for a frame that tells the
/// family: about 60,000 frames of a real stream.
pub const LOOK_AHEAD_BYTES: usize = 16 << 20;

/// What one frame tells of its server family, if anything.
pub fn told_by(text: &str) -> Option<Family> {
    // Only two kinds of frame can tell: most frames are passed over without decoding.
    if !(text.contains("task:failed") || text.contains("octo_installation:")) {
        return None;
    }
    match decode(text) {
        Ok(Event::TaskFailed(f)) => Family::evidence(&f),
        Ok(Event::Other(kind)) => Family::evidence_of_type(&kind),
        _ => None,
    }
}

/// The family a capture tells within its first [`LOOK_AHEAD_BYTES`] of frames (`None`: none
/// tells there, and upstream is assumed).
pub fn look_ahead(input: impl BufRead) -> io::Result<Option<Family>> {
    let mut reader = CaptureReader::new(input);
    let mut look = LookAhead::default();
    while let Some(line) = reader.next_line()? {
        if let Line::Frame { text, .. } = &line {
            if let Some(decided) = look.frame(text) {
                return Ok(decided.family());
            }
        }
    }
    Ok(None)
}

/// The one rule every door reads ahead by: frames in order until one tells, or until
/// [`LOOK_AHEAD_BYTES`] of them (and of lines held with them) have gone by.
#[derive(Debug, Default)]
pub struct LookAhead {
    bytes: usize,
}

impl LookAhead {
    /// The next frame: `Some` once the reading ahead is over, with what it decided.
    pub fn frame(&mut self, text: &str) -> Option<Opened> {
        if let Some(family) = told_by(text) {
            return Some(Opened::Told(family));
        }
        self.cost(text.len())
    }

    /// Something else read ahead, costing `bytes` of the bound.
    pub fn cost(&mut self, bytes: usize) -> Option<Opened> {
        self.bytes += bytes;
        (self.bytes >= LOOK_AHEAD_BYTES).then_some(Opened::Assumed)
    }
}

/// What a stream held until the family is known, in its order: a frame, or (a capture read
/// once) any other line — a gap, a recorded REST answer — that must come after the frames
/// before it.
pub enum Held {
    Frame {
        at: DateTime<Utc>,
        text: String,
        workspace: Option<std::sync::Arc<str>>,
    },
    Line {
        line: Line,
        line_no: u64,
    },
}

/// What a held line that is no frame costs, about (a gap's or an answer's text included).
const LINE_COST: usize = 256;

/// What the gate decided when it opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opened {
    /// A frame told this family.
    Told(Family),
    /// Nothing told in time: upstream is assumed.
    Assumed,
}

impl Opened {
    /// The family told, if one was.
    pub fn family(self) -> Option<Family> {
        match self {
            Opened::Told(family) => Some(family),
            Opened::Assumed => None,
        }
    }
}

/// Frames held while a stream's family is unknown (see the module's doc).
pub struct FamilyGate {
    held: VecDeque<Held>,
    look: LookAhead,
    /// When the holding must end, on the wall clock (none: only the bound and the input's end).
    deadline: Option<Instant>,
}

impl FamilyGate {
    /// A gate that holds at most [`LOOK_AHEAD_BYTES`] and, live, until `deadline`.
    pub fn new(deadline: Option<Instant>) -> FamilyGate {
        FamilyGate {
            held: VecDeque::new(),
            look: LookAhead::default(),
            deadline,
        }
    }

    /// Offer a frame: `None` while it is held, else why the gate opens (the frame is held last).
    pub fn offer(
        &mut self,
        at: DateTime<Utc>,
        text: &str,
        workspace: Option<&std::sync::Arc<str>>,
    ) -> Option<Opened> {
        self.held.push_back(Held::Frame {
            at,
            text: text.to_owned(),
            workspace: workspace.cloned(),
        });
        self.look.frame(text)
    }

    /// Hold a capture line that is no frame, in its place; the same bound holds.
    pub fn hold_line(&mut self, line: Line, line_no: u64) -> Option<Opened> {
        self.held.push_back(Held::Line { line, line_no });
        self.look.cost(LINE_COST)
    }

    /// The wait is over at `now`.
    pub fn expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Frames held, to be taken in now, in order.
    pub fn release(self) -> VecDeque<Held> {
        self.held
    }

    /// How many frames and lines are held.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = r#"{"type":"task:failed","payload":{"task_id":"t","chat_session_id":"s","status":"failed"}}"#;
    const FORK: &str = r#"{"type":"task:failed","payload":{"task_id":"t","status":"failed","failure_reason":"timeout","error":"task timed out"}}"#;
    const UPSTREAM: &str = r#"{"type":"task:failed","payload":{"task_id":"t","status":"failed","retry_pending":false}}"#;
    const INSTALL: &str = r#"{"type":"octo_installation:created","payload":{"id":"i"}}"#;

    #[test]
    fn the_frames_that_tell_and_those_that_do_not() {
        assert_eq!(told_by(LEGACY), None);
        assert_eq!(told_by(FORK), Some(Family::Octo));
        assert_eq!(told_by(UPSTREAM), Some(Family::Upstream));
        // The fork-only event types tell before any failure does.
        assert_eq!(told_by(INSTALL), Some(Family::Octo));
        assert_eq!(told_by(r#"{"type":"agent:status","payload":{}}"#), None);
    }

    #[test]
    fn a_capture_read_ahead_and_a_stream_held_decide_alike() {
        let capture = format!("{LEGACY}\n{LEGACY}\n{INSTALL}\n{UPSTREAM}\n");
        assert_eq!(
            look_ahead(capture.as_bytes()).unwrap(),
            Some(Family::Octo),
            "the first frame that tells decides"
        );
        let mut gate = FamilyGate::new(None);
        let t = Utc::now();
        assert_eq!(gate.offer(t, LEGACY, None), None);
        assert_eq!(gate.offer(t, LEGACY, None), None);
        assert_eq!(
            gate.offer(t, INSTALL, None),
            Some(Opened::Told(Family::Octo))
        );
        assert_eq!(gate.held_count(), 3, "the telling frame is held last");
    }

    #[test]
    fn past_the_bound_upstream_is_assumed_on_both_doors() {
        // The frame at which the bound is reached, and one that would tell just after it.
        let frames = LOOK_AHEAD_BYTES.div_ceil(LEGACY.len());
        let capture = format!("{LEGACY}\n").repeat(frames) + FORK + "\n";
        assert_eq!(look_ahead(capture.as_bytes()).unwrap(), None);
        let mut gate = FamilyGate::new(None);
        let opened = (0..frames).find_map(|_| gate.offer(Utc::now(), LEGACY, None));
        assert_eq!(opened, Some(Opened::Assumed));
        assert_eq!(
            gate.held_count(),
            frames,
            "opened at the same frame the file read stops at"
        );
    }

    #[test]
    fn a_live_wait_expires_only_with_a_deadline() {
        let now = Instant::now();
        assert!(!FamilyGate::new(None).expired(now));
        assert!(FamilyGate::new(Some(now)).expired(now));
        assert!(!FamilyGate::new(Some(now + std::time::Duration::from_secs(1))).expired(now));
    }
}
