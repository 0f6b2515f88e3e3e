//! Several workspaces over WebSocket: one connection each, with the same token, read as one
//! source. Each keeps its own state, gaps and backoff; their frames (each tagged with its
//! workspace) go into one channel, and one status says all of them: live when any is, each
//! part's own phase beside it, every part's gaps named by workspace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::channel::{self, Delivery};
use super::status::{ConnState, Phase};
use super::ws::{self, LiveConfig};
use super::{SourceError, SourceHandle};
use crate::capture::SharedRecorder;

/// Counts that change without waking anyone (frames received) are brought over this often.
const REFRESH: Duration = Duration::from_millis(250);

/// Tasks that end when this is dropped (the source's own task, aborted, drops it).
struct AbortOnDrop(Vec<JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.iter().for_each(JoinHandle::abort);
    }
}

/// Connect to every workspace (each must connect once: a wrong id fails fast, named), then read
/// them all in the background.
pub async fn open(
    configs: Vec<LiveConfig>,
    delivery: Delivery,
    record: Option<SharedRecorder>,
) -> Result<SourceHandle, SourceError> {
    // Connections made before one fails are closed with it.
    let mut started = AbortOnDrop(Vec::new());
    let mut parts = Vec::with_capacity(configs.len());
    for config in configs {
        let name = crate::redact::redact_id(&config.workspace).into_owned();
        let h = ws::start(config, delivery, record.clone())
            .await
            .map_err(|e| match e {
                SourceError::Refused(m) => SourceError::Refused(format!("workspace {name}: {m}")),
                SourceError::Transient(m) => {
                    SourceError::Transient(format!("workspace {name}: {m}"))
                }
            })?;
        parts.push((name, h.frames, h.state));
        started.0.push(h.task);
    }
    let (tx, rx) = channel::channel(channel::MAX_FRAMES, delivery);
    let (state_tx, state_rx) = watch::channel(ConnState::new());
    let lost = Arc::new(AtomicU64::new(0));
    let mut tasks = std::mem::take(&mut started.0);
    let mut names = Vec::new();
    let mut states = Vec::new();
    for (name, mut frames, state) in parts {
        names.push(name);
        states.push(state);
        let (tx, lost) = (tx.clone(), lost.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(f) = frames.recv().await {
                match tx.deliver(f).await {
                    Ok(true) => {}
                    Ok(false) => _ = lost.fetch_add(1, Ordering::Relaxed),
                    Err(_) => return,
                }
            }
        }));
    }
    drop(tx);
    let task = tokio::spawn(async move {
        let _tasks = AbortOnDrop(tasks);
        let mut merger = Merger::new(names);
        let mut ticks = tokio::time::interval(REFRESH);
        loop {
            let parts: Vec<ConnState> = states
                .iter_mut()
                .map(|s| s.borrow_and_update().clone())
                .collect();
            let merged = merger.merge(&parts, lost.load(Ordering::Relaxed));
            let wake = merged.1;
            state_tx.send_if_modified(|s| {
                *s = merged.0;
                wake
            });
            if state_tx.is_closed() {
                return;
            }
            let changed =
                futures_util::future::select_all(states.iter_mut().map(|s| Box::pin(s.changed())));
            tokio::select! {
                (result, _, _) = changed => if result.is_err() { ticks.tick().await; },
                _ = ticks.tick() => {}
            }
        }
    });
    Ok(SourceHandle {
        frames: rx,
        status: state_rx,
        label: String::new(),
        task: Some(task),
    })
}

/// The one status of several parts: the gaps each opened, in the order they came (a gap closed
/// later is closed here too), the counts summed, the phase the best there is.
struct Merger {
    names: Vec<String>,
    /// Per part: its gaps taken over so far, and where its newest sits among the merged.
    taken: Vec<(u64, Option<usize>)>,
    merged: ConnState,
}

impl Merger {
    fn new(names: Vec<String>) -> Merger {
        let taken = vec![(0, None); names.len()];
        Merger {
            names,
            taken,
            merged: ConnState::new(),
        }
    }

    /// The status of `parts` (and `lost`: frames dropped between them and the consumer), and
    /// whether it is news to wake the consumer for (a gap, a phase, a loss).
    fn merge(&mut self, parts: &[ConnState], lost: u64) -> (ConnState, bool) {
        let before = (
            self.merged.gaps_total,
            self.merged.dropped,
            phase_names(&self.merged),
            self.merged.gaps.last().map(|g| g.to),
        );
        for (i, p) in parts.iter().enumerate() {
            let (taken, newest) = &mut self.taken[i];
            // The newest gap taken over may have closed since.
            if let (Some(at), Some(g)) = (*newest, p.gaps.last()) {
                if let Some(mine) = self.merged.gaps.get_mut(at) {
                    mine.to = g.to;
                }
            }
            let new = p.gaps_total.saturating_sub(*taken) as usize;
            for g in &p.gaps[p.gaps.len().saturating_sub(new)..] {
                let mut g = g.clone();
                g.why = format!("workspace {}: {}", self.names[i], g.why);
                let full = self.merged.gaps.len() == super::status::MAX_GAPS;
                self.merged.add_gap(g);
                if full {
                    // The oldest went: every place moves up one.
                    for (_, at) in &mut self.taken {
                        *at = at.and_then(|a| a.checked_sub(1));
                    }
                }
                self.taken[i].1 = Some(self.merged.gaps.len() - 1);
            }
            self.taken[i].0 = p.gaps_total;
        }
        let m = &mut self.merged;
        m.received = parts.iter().map(|p| p.received).sum();
        m.duplicates = parts.iter().map(|p| p.duplicates).sum();
        m.reconnects = parts.iter().map(|p| p.reconnects).sum();
        m.dropped = parts.iter().map(|p| p.dropped).sum::<u64>() + lost;
        m.last_frame_at = parts.iter().filter_map(|p| p.last_frame_at).max();
        m.phase = best_phase(parts);
        m.parts = self
            .names
            .iter()
            .zip(parts)
            .map(|(name, p)| {
                let mut light = p.clone();
                light.gaps.clear();
                light.parts.clear();
                (name.clone(), light)
            })
            .collect();
        let after = (
            m.gaps_total,
            m.dropped,
            phase_names(m),
            m.gaps.last().map(|g| g.to),
        );
        (m.clone(), before != after)
    }
}

/// The whole's phase and each part's, by name.
fn phase_names(s: &ConnState) -> Vec<&'static str> {
    std::iter::once(&s.phase)
        .chain(s.parts.iter().map(|(_, p)| &p.phase))
        .map(phase_name)
        .collect()
}

fn phase_name(p: &Phase) -> &'static str {
    match p {
        Phase::Connecting { .. } => "connecting",
        Phase::Backfilling => "backfilling",
        Phase::Live { .. } => "live",
        Phase::Reconnecting { .. } => "reconnecting",
        Phase::Failed(_) => "failed",
        Phase::Stopped => "stopped",
    }
}

/// Live while any part is (frames flow; the others say their own phase beside it); else the
/// phase of the part nearest to it.
fn best_phase(parts: &[ConnState]) -> Phase {
    let rank = |p: &Phase| match p {
        Phase::Live { .. } => 0,
        Phase::Backfilling => 1,
        Phase::Connecting { .. } => 2,
        Phase::Reconnecting { .. } => 3,
        Phase::Stopped => 4,
        Phase::Failed(_) => 5,
    };
    let live_since = parts
        .iter()
        .filter_map(|p| match p.phase {
            Phase::Live { since } => Some(since),
            _ => None,
        })
        .min();
    if let Some(since) = live_since {
        return Phase::Live { since };
    }
    parts
        .iter()
        .map(|p| &p.phase)
        .min_by_key(|p| rank(p))
        .cloned()
        .unwrap_or(Phase::Stopped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::status::Gap;
    use chrono::Utc;

    fn gap(why: &str, closed: bool) -> Gap {
        Gap {
            from: Utc::now(),
            to: closed.then(Utc::now),
            why: why.into(),
        }
    }

    #[test]
    fn each_parts_gaps_are_taken_once_named_and_closed_when_they_close() {
        let mut m = Merger::new(vec!["a".into(), "b".into()]);
        let (mut a, mut b) = (ConnState::new(), ConnState::new());
        a.phase = Phase::Live { since: Utc::now() };
        b.add_gap(gap("disconnected: reset", false));
        b.phase = Phase::Reconnecting {
            attempt: 1,
            at: Utc::now(),
            error: "reset".into(),
        };
        let (s, news) = m.merge(&[a.clone(), b.clone()], 0);
        assert!(news);
        assert!(matches!(s.phase, Phase::Live { .. }), "a part is live");
        assert_eq!(s.gaps.len(), 1);
        assert_eq!(s.gaps[0].why, "workspace b: disconnected: reset");
        assert!(s.gaps[0].to.is_none());
        assert_eq!(s.parts.len(), 2);
        assert!(matches!(s.parts[1].1.phase, Phase::Reconnecting { .. }));
        // b is back: its gap closes; nothing is taken twice; a's new gap comes after.
        b.gaps.last_mut().unwrap().to = Some(Utc::now());
        b.phase = Phase::Live { since: Utc::now() };
        a.add_gap(gap("disconnected: eof", true));
        let (s, _) = m.merge(&[a, b], 3);
        assert_eq!(s.gaps.len(), 2);
        assert!(s.gaps[0].to.is_some(), "closed where it was taken over");
        assert_eq!(s.gaps[1].why, "workspace a: disconnected: eof");
        assert_eq!((s.gaps_total, s.dropped), (2, 3));
    }

    #[test]
    fn with_no_part_live_the_nearest_phase_is_the_whole_ones() {
        let mut a = ConnState::new();
        a.phase = Phase::Failed("bad token".into());
        let mut b = ConnState::new();
        b.phase = Phase::Reconnecting {
            attempt: 2,
            at: Utc::now(),
            error: "x".into(),
        };
        assert!(matches!(
            best_phase(&[a.clone(), b]),
            Phase::Reconnecting { .. }
        ));
        assert!(matches!(best_phase(&[a]), Phase::Failed(_)));
    }
}
