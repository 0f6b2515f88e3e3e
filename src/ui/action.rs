//! What the user can mean: the intents keys and the mouse map to, and the places focus can be.

use super::filter_edit::FilterEdit;
use crate::feed::ReplayCmd;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Failures,
    Reasons,
    /// Failure groups: shown where the reasons are, one or the other.
    Groups,
    Sessions,
    /// Failures by workspace: shown where the sessions are, one or the other.
    Workspaces,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Detail,
    Help,
    /// What to copy (over the detail view or a panel).
    Copy,
    /// The alerts of this session.
    Alerts,
}

/// Things the copy menu offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyTarget {
    /// The selected failure's error text.
    Error,
    TaskId,
    /// The session of the selected failure, or the one under the sessions cursor.
    SessionId,
    /// The selected failure as a JSON line.
    Json,
    /// The reason code under the reasons cursor (or of the selected failure).
    ReasonCode,
    /// Every session whose user was never told, one per line.
    LostSessions,
}

/// What the user means; keys and the mouse map to these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Stop as a shell job (`ctrl-z`); `fg` brings the dashboard back.
    Suspend,
    TogglePause,
    Move(isize),
    Page(isize),
    Top,
    Bottom,
    OpenDetail,
    CloseOverlay,
    /// Scroll the open overlay.
    Scroll(isize),
    /// Scroll the open overlay by its height (PgDn, PgUp).
    ScrollPage(isize),
    /// Show the next (or previous) failure without closing the detail view.
    DetailStep(isize),
    /// Space on a reason: add it to (or take it from) the reasons the filter shows.
    ToggleReason,
    /// Enter on a reason, session or group: narrow the filter to it (one level deeper).
    Drill,
    /// Back one level: the filter before the last narrowing (or none).
    Back,
    /// Panels follow the filter, or show everything.
    TogglePanelsAll,
    /// The incident report of the filtered view: to the clipboard and a file.
    Report,
    /// Go to a time: a prompt for it.
    Goto,
    /// Hide the alert banner (until the next alert).
    AckAlerts,
    /// Open (and acknowledge) or close the list of this session's alerts.
    AlertList,
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
    /// Choose what to copy of the focused thing.
    CopyMenu,
    /// Copy one thing chosen in the copy menu.
    CopyWhat(CopyTarget),
    /// Capture the mouse, or let the terminal select text.
    ToggleMouse,
    Export,
    Click(u16, u16),
    /// The focused panel's next order (`o`).
    CycleSort,
    /// The focused panel's order turned over (`O`).
    ReverseSort,
}
