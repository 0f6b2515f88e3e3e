//! `failwatch replay FILE`: the dashboard on a capture, loaded at once or played at a speed.

use super::input::CaptureInput;
use super::setup::{self, Settings};
use super::{dashboard, CmdError};
use crate::cli::{ReplayArgs, Speed};
use crate::ingest::replay::Replay;

pub fn run(args: ReplayArgs, settings: &Settings) -> Result<(), CmdError> {
    let mut input = CaptureInput::open(&args.file, false)?;
    let mut replay = Replay::load(input.reader()?)
        .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", input.name, e)))?;
    if replay.frames() == 0 {
        return Err(CmdError::input(crate::said!(
            "not a capture: {} holds no frame ({} lines, none a frame)",
            input.name,
            replay.len()
        )));
    }
    replay.set_speed(match args.speed {
        Speed::Factor(f) => Some(f),
        Speed::Max => None,
    });
    replay.looped = args.looped;
    let name = match args.file.file_name() {
        Some(n) if args.file.as_os_str() != "-" => n.to_string_lossy().into_owned(),
        _ => input.name.clone(),
    };
    let sniffed = settings.routing.sniffed(|| replay.sniff_family());
    setup::runtime()?.block_on(dashboard::replay(
        &args.dash, settings, replay, name, sniffed,
    ))
}
