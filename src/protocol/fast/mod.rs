//! The fast path, fenced: a validating one-pass JSON reader ([`scan`]) and the frame decoder
//! built on it ([`frame`]). It reads the common frames and capture lines where they lie,
//! borrowing from the text, and answers `None` for anything it is not sure of, so that serde's
//! reading (`super::decode`) decides. Its one invariant: **whenever it answers, its answer is
//! serde's** — the same event, the same `event_id`, never a text serde would refuse. The
//! conversions from fields to events are shared with serde's reading (`super::decode`), and
//! `fuzz/fuzz_targets/fast_vs_serde.rs` holds the two readings equal on any input.

mod frame;
pub(crate) mod scan;

pub(super) use frame::decode;
pub(crate) use frame::{decode_line, LineRead};
