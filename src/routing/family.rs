//! Server families and their eras. A capture or a connection is of one family: the public
//! upstream server or the Octo fork. They put different `task:failed` payloads on the wire and
//! run different relays, so every routing answer starts here.

use serde::Serialize;

use crate::protocol::TaskFailed;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// multica-ai/multica: strips `error` from the wire, sends `retry_pending`.
    Upstream,
    /// The Octo fork: keeps `error` on the wire, has no `retry_pending`.
    Octo,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::Upstream, Family::Octo];

    pub fn name(self) -> &'static str {
        match self {
            Family::Upstream => "upstream",
            Family::Octo => "octo",
        }
    }

    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
    }

    /// What one `task:failed` frame says about the family, if anything: `retry_pending` exists
    /// only upstream (since 2026-08-07); a non-empty `error` on the wire without it only on the
    /// fork (upstream never puts `error` on the wire). Older shapes of both say nothing.
    pub fn evidence(f: &TaskFailed) -> Option<Family> {
        if f.retry_pending.is_some() {
            Some(Family::Upstream)
        } else if f.error.as_deref().is_some_and(|e| !e.is_empty()) {
            Some(Family::Octo)
        } else {
            None
        }
    }

    /// What an event type says about the family: the fork's GitHub-installation events
    /// (`octo_installation:created`, `…:revoked`) exist only there, and tell even when no
    /// failure does (the fork before its PR #33 sends failures like old upstream's).
    pub fn evidence_of_type(kind: &str) -> Option<Family> {
        kind.starts_with("octo_installation:")
            .then_some(Family::Octo)
    }
}

/// Where the family in effect came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FamilySource {
    /// `--server` on the command line.
    Flag,
    /// `server = "…"` in the config file.
    Config,
    /// The first `task:failed` frame that told.
    Detected,
    /// No frame has told yet: upstream, the public server, until one does.
    Assumed,
}

impl FamilySource {
    /// As a person reads it, in `lang`.
    pub fn label(self, lang: crate::catalog::Lang) -> &'static str {
        let s = crate::i18n::strings(lang);
        match self {
            FamilySource::Flag => s.source_flag,
            FamilySource::Config => s.source_config,
            FamilySource::Detected => s.source_detected,
            FamilySource::Assumed => s.source_assumed,
        }
    }

    /// As JSON names it.
    pub fn name(self) -> &'static str {
        match self {
            FamilySource::Flag => "flag",
            FamilySource::Config => "config",
            FamilySource::Detected => "detected",
            FamilySource::Assumed => "assumed",
        }
    }
}

/// Which server version produced a failure, as far as its payload tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// Upstream before 2026-08-07: no `retry_pending`, no `error` even in-process; DingTalk
    /// had nothing to send and Telegram did not exist yet.
    UpstreamLegacy,
    /// Upstream since 2026-08-07: `retry_pending` on the wire, `error` in-process only.
    UpstreamModern,
    /// The fork before its PR #33: neither `error` nor `failure_reason`; Octo sent
    /// `⚠️ The agent run failed.`
    OctoBeforeFix,
    /// The fork since PR #33: `failure_reason` always, `error` when the daemon sent one.
    OctoAfterFix,
}

impl Era {
    pub fn of(family: Family, f: &TaskFailed) -> Era {
        Era::from_parts(
            family,
            f.retry_pending.is_some(),
            f.error.is_some(),
            f.failure_reason.as_deref(),
            f.ids.chat_session_id.is_some(),
        )
    }

    /// After PR #33 the fork sends `failure_reason` on every failure, and the sweepers their
    /// fixed error and the chat session; before it, the fail path sent neither, and the sweepers
    /// only their reason.
    pub fn from_parts(
        family: Family,
        has_retry_pending: bool,
        has_error: bool,
        reason: Option<&str>,
        has_session: bool,
    ) -> Era {
        let sweeper_reason = reason.is_some_and(|r| {
            crate::routing::canned::SWEEPER
                .iter()
                .any(|(code, _)| *code == r)
        });
        match family {
            Family::Upstream if has_retry_pending => Era::UpstreamModern,
            Family::Upstream => Era::UpstreamLegacy,
            Family::Octo if !has_error && reason.is_none() => Era::OctoBeforeFix,
            Family::Octo if !has_error && sweeper_reason && !has_session => Era::OctoBeforeFix,
            Family::Octo => Era::OctoAfterFix,
        }
    }

    pub fn label(self, lang: crate::catalog::Lang) -> &'static str {
        use crate::catalog::Lang::{En, Ja, Ko, Zh};
        match (self, lang) {
            (Era::UpstreamLegacy, En) => "upstream before 2026-08-07 (no retry_pending)",
            (Era::UpstreamModern, En) => "upstream since 2026-08-07",
            (Era::OctoBeforeFix, En) => "Octo fork before PR #33",
            (Era::OctoAfterFix, En) => "Octo fork since PR #33",
            (Era::UpstreamLegacy, Zh) => "2026-08-07 之前的 upstream（无 retry_pending）",
            (Era::UpstreamModern, Zh) => "2026-08-07 起的 upstream",
            (Era::OctoBeforeFix, Zh) => "PR #33 之前的 Octo 分支",
            (Era::OctoAfterFix, Zh) => "PR #33 起的 Octo 分支",
            (Era::UpstreamLegacy, Ja) => "2026-08-07 より前の upstream（retry_pending なし）",
            (Era::UpstreamModern, Ja) => "2026-08-07 以降の upstream",
            (Era::OctoBeforeFix, Ja) => "PR #33 より前の Octo フォーク",
            (Era::OctoAfterFix, Ja) => "PR #33 以降の Octo フォーク",
            (Era::UpstreamLegacy, Ko) => "2026-08-07 이전 upstream (retry_pending 없음)",
            (Era::UpstreamModern, Ko) => "2026-08-07 이후 upstream",
            (Era::OctoBeforeFix, Ko) => "PR #33 이전 Octo 포크",
            (Era::OctoAfterFix, Ko) => "PR #33 이후 Octo 포크",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Era::UpstreamLegacy => "upstream_legacy",
            Era::UpstreamModern => "upstream_modern",
            Era::OctoBeforeFix => "octo_before_fix",
            Era::OctoAfterFix => "octo_after_fix",
        }
    }

    pub const ALL: [Era; 4] = [
        Era::UpstreamLegacy,
        Era::UpstreamModern,
        Era::OctoBeforeFix,
        Era::OctoAfterFix,
    ];

    /// An era by its name, or by a word of it (`before_fix`, `legacy`): every era it names.
    pub fn matching(s: &str) -> Vec<Era> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Era::ALL
            .into_iter()
            .filter(|e| e.name() == s || (s.len() >= 3 && e.name().contains(&s)))
            .collect()
    }
}

/// Decides the family of one capture or connection: a setting wins; otherwise the first frame
/// that tells decides for good, and later frames that disagree are counted, not obeyed.
#[derive(Clone, Debug, Default)]
pub struct FamilyTracker {
    setting: Option<(Family, FamilySource)>,
    detected: Option<Family>,
    conflicts: u64,
}

impl FamilyTracker {
    pub fn new(setting: Option<(Family, FamilySource)>) -> FamilyTracker {
        FamilyTracker {
            setting,
            detected: None,
            conflicts: 0,
        }
    }

    /// What was set before any frame (a flag, the config, a capture read ahead).
    pub fn setting(&self) -> Option<(Family, FamilySource)> {
        self.setting
    }

    /// The family in effect and where it came from.
    pub fn current(&self) -> (Family, FamilySource) {
        self.setting.unwrap_or(match self.detected {
            Some(f) => (f, FamilySource::Detected),
            None => (Family::Upstream, FamilySource::Assumed),
        })
    }

    /// Learn from one failure. Returns the new family when the one in effect changed.
    pub fn observe(&mut self, f: &TaskFailed) -> Option<Family> {
        self.observe_said(Family::evidence(f)?)
    }

    /// Learn what a frame said of the family. Returns the new family when the one in effect
    /// changed.
    pub fn observe_said(&mut self, said: Family) -> Option<Family> {
        let decided = self.setting.map(|(f, _)| f).or(self.detected);
        match decided {
            Some(d) if d != said => {
                self.conflicts += 1;
                None
            }
            Some(_) => None,
            None => {
                let before = self.current().0;
                self.detected = Some(said);
                (said != before).then_some(said)
            }
        }
    }

    /// Frames that looked like the other family.
    pub fn conflicts(&self) -> u64 {
        self.conflicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed<'a>(
        retry: Option<bool>,
        error: Option<&'a str>,
        reason: Option<&'a str>,
    ) -> TaskFailed<'a> {
        TaskFailed {
            retry_pending: retry,
            error: error.map(Into::into),
            failure_reason: reason.map(Into::into),
            ..TaskFailed::default()
        }
    }

    #[test]
    fn retry_pending_says_upstream_and_a_wire_error_says_octo() {
        assert_eq!(
            Family::evidence(&failed(Some(false), None, Some("timeout"))),
            Some(Family::Upstream)
        );
        assert_eq!(
            Family::evidence(&failed(None, Some("boom"), Some("timeout"))),
            Some(Family::Octo)
        );
        // Older shapes of both families look alike.
        assert_eq!(Family::evidence(&failed(None, None, Some("timeout"))), None);
        assert_eq!(Family::evidence(&failed(None, None, None)), None);
        assert_eq!(Family::evidence(&failed(None, Some(""), None)), None);
    }

    #[test]
    fn the_first_frame_that_tells_decides_and_later_disagreement_is_counted() {
        let mut t = FamilyTracker::default();
        assert_eq!(t.current(), (Family::Upstream, FamilySource::Assumed));
        assert_eq!(t.observe(&failed(None, None, None)), None);
        assert_eq!(
            t.observe(&failed(None, Some("x"), None)),
            Some(Family::Octo)
        );
        assert_eq!(t.current(), (Family::Octo, FamilySource::Detected));
        assert_eq!(t.observe(&failed(Some(true), None, None)), None);
        assert_eq!(t.conflicts(), 1);
        assert_eq!(t.current().0, Family::Octo);

        // Detecting the assumed family changes nothing in effect.
        let mut t = FamilyTracker::default();
        assert_eq!(t.observe(&failed(Some(false), None, None)), None);
        assert_eq!(t.current(), (Family::Upstream, FamilySource::Detected));
    }

    #[test]
    fn a_setting_wins_over_the_frames() {
        let mut t = FamilyTracker::new(Some((Family::Octo, FamilySource::Flag)));
        assert_eq!(t.observe(&failed(Some(false), None, None)), None);
        assert_eq!(t.current(), (Family::Octo, FamilySource::Flag));
        assert_eq!(t.conflicts(), 1);
    }

    #[test]
    fn eras_follow_the_payload() {
        let f = failed(None, None, None);
        assert_eq!(Era::of(Family::Octo, &f), Era::OctoBeforeFix);
        assert_eq!(Era::of(Family::Upstream, &f), Era::UpstreamLegacy);
        // A sweeper's reason without its fixed error: the sweeper before the fix.
        let f = failed(None, None, Some("timeout"));
        assert_eq!(Era::of(Family::Octo, &f), Era::OctoBeforeFix);
        let f = failed(None, Some("task timed out"), Some("timeout"));
        assert_eq!(Era::of(Family::Octo, &f), Era::OctoAfterFix);
        let f = failed(None, None, Some("agent_error.unknown"));
        assert_eq!(Era::of(Family::Octo, &f), Era::OctoAfterFix);
        let f = failed(Some(true), None, Some("timeout"));
        assert_eq!(Era::of(Family::Upstream, &f), Era::UpstreamModern);
        assert_eq!(Family::parse(" Octo "), Some(Family::Octo));
        assert_eq!(Family::parse("fork"), None);
    }
}
