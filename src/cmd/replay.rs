//! `failwatch replay FILE`: the dashboard on a capture, loaded at once or played at a speed.

use super::setup::{self, Routing};
use super::{dashboard, CmdError};
use crate::cli::{ReplayArgs, Speed};
use crate::source::replay::Replay;

pub fn run(args: ReplayArgs, routing: &Routing) -> Result<(), CmdError> {
    let input = setup::open_input(&args.file)?;
    let mut replay = Replay::load(input)
        .map_err(|e| CmdError::input(format!("reading {} failed: {e}", args.file.display())))?;
    replay.set_speed(match args.speed {
        Speed::Factor(f) => Some(f),
        Speed::Max => None,
    });
    replay.looped = args.looped;
    let name = args
        .file
        .file_name()
        .map(|n| {
            crate::redact::strip_controls(&n.to_string_lossy())
                .0
                .into_owned()
        })
        .unwrap_or_default();
    let sniffed = routing.sniff(&args.file);
    setup::runtime()?.block_on(dashboard::replay(
        &args.dash, routing, replay, name, sniffed,
    ))
}
