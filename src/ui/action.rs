//! What the user can mean: the intents keys and the mouse map to, and the places focus can be.

use super::filter_edit::FilterEdit;
use crate::feed::ReplayCmd;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Failures,
    Reasons,
    Sessions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Detail,
    Help,
}

/// What the user means; keys and the mouse map to these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    Move(isize),
    Page(isize),
    Top,
    Bottom,
    OpenDetail,
    CloseOverlay,
    /// Scroll the open overlay.
    Scroll(isize),
    /// Show the next (or previous) failure without closing the detail view.
    DetailStep(isize),
    ToggleReason,
    FilterSession,
    Unfocus,
    ClearFilter,
    EditFilter,
    FilterEdit(FilterEdit),
    NextPanel,
    Focus(Panel),
    ToggleLang,
    ToggleHelp,
    NextLost(bool),
    Replay(ReplayCmd),
    Copy,
    Export,
    Click(u16, u16),
}
