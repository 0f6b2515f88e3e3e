//! The Prometheus text exposition of [`Totals`], written by the official client crate (which
//! names counters `…_total` and escapes label values and help texts).

use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use super::snapshot::STATES;
use super::totals::{Labelled, Monotonic, Totals};
use crate::routing::{Audience, Outcome, Relay};

/// The `Content-Type` of what [`encode`] writes.
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The exposition of `totals` at `now` (the age of the last frame is measured from it).
pub fn encode(totals: Totals, now: DateTime<Utc>) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Exposition { totals, now }));
    let mut out = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
        .expect("writing to a String cannot fail");
    out
}

#[derive(Debug)]
struct Exposition {
    totals: Totals,
    now: DateTime<Utc>,
}

type Fmt = Result<(), std::fmt::Error>;

fn counter(e: &mut DescriptorEncoder, name: &str, help: &str, m: Monotonic) -> Fmt {
    let c = ConstCounter::new(m.total);
    c.encode(e.encode_descriptor(name, help, None, MetricType::Counter)?)
}

fn labelled(e: &mut DescriptorEncoder, name: &str, help: &str, key: &str, l: &Labelled) -> Fmt {
    let mut family = e.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (value, n) in l.samples() {
        let labels = [(key, value)];
        ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

impl Collector for Exposition {
    fn encode(&self, mut e: DescriptorEncoder) -> Fmt {
        let t = &self.totals;
        labelled(
            &mut e,
            "failwatch_failures",
            "Task failures seen, by reason code (none: the failure had no reason; other: codes past the first 100).",
            "reason",
            &t.failures,
        )?;
        let mut family = e.encode_descriptor(
            "failwatch_notifications",
            "Failures per relay and routing outcome: what each relay told the chat user.",
            None,
            MetricType::Counter,
        )?;
        for relay in Relay::ALL.into_iter().filter(|r| t.relays_shown[r.index()]) {
            for outcome in Outcome::ALL {
                let labels = [("relay", relay.name()), ("outcome", outcome.name())];
                let n = t.notifications[relay.index()][outcome.index()].total;
                ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
            }
        }
        // Upstream's only: the fork has no WeCom relay.
        if t.relays_shown[Relay::WeCom.index()] {
            let mut family = e.encode_descriptor(
                "failwatch_inbox_pushes",
                "Failures a relay pushed to members' inboxes outside any chat (WeCom: the issue's subscribers, a quick-create's requester).",
                None,
                MetricType::Counter,
            )?;
            for to in Audience::ALL {
                let labels = [("relay", Relay::WeCom.name()), ("to", to.name())];
                let n = t.inbox[to.index()].total;
                ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
            }
        }
        counter(
            &mut e,
            "failwatch_lost_notifications",
            "Chat task failures whose chat session was lost: nobody was told.",
            t.lost,
        )?;
        labelled(
            &mut e,
            "failwatch_workspace_failures",
            "Task failures seen, by the workspace whose connection or stream carried them (other: workspaces past the first 100).",
            "workspace",
            &t.workspace_failures,
        )?;
        labelled(
            &mut e,
            "failwatch_workspace_lost_notifications",
            "Chat task failures whose chat session was lost, by workspace.",
            "workspace",
            &t.workspace_lost,
        )?;
        counter(
            &mut e,
            "failwatch_chat_leaks",
            "Failures whose notification sent a chat user a secret.",
            t.chat_leaks,
        )?;
        labelled(
            &mut e,
            "failwatch_frames",
            "Frames decoded, by event type (other: types past the first 100).",
            "type",
            &t.frames,
        )?;
        labelled(
            &mut e,
            "failwatch_frames_rejected",
            "Frames that could not be decoded, by kind.",
            "kind",
            &t.rejected,
        )?;
        counter(
            &mut e,
            "failwatch_frames_dropped",
            "Frames the source dropped because ingestion was behind.",
            t.frames_dropped,
        )?;
        counter(
            &mut e,
            "failwatch_duplicate_frames",
            "Frames delivered again under an event id seen recently, counted once.",
            t.duplicates,
        )?;
        counter(
            &mut e,
            "failwatch_gaps",
            "Windows in which events may be missing (disconnects, stream history lost).",
            t.gaps,
        )?;
        counter(
            &mut e,
            "failwatch_reconnects",
            "Times the source lost or could not make its connection and scheduled another attempt.",
            t.reconnects,
        )?;
        if let Some(state) = t.state {
            let mut family = e.encode_descriptor(
                "failwatch_connection_state",
                "The source's connection state: 1 for the current one, 0 for the others.",
                None,
                MetricType::Gauge,
            )?;
            for s in STATES {
                let labels = [("state", s)];
                ConstGauge::new(i64::from(s == state)).encode(family.encode_family(&labels)?)?;
            }
        }
        // Absent until the first frame: `absent()` or the state tells a source that never
        // delivered one.
        if let Some(at) = t.last_frame_at {
            let age = (self.now - at).num_milliseconds().max(0) as f64 / 1000.0;
            ConstGauge::new(age).encode(e.encode_descriptor(
                "failwatch_last_frame_age_seconds",
                "Seconds since the source last delivered a frame.",
                None,
                MetricType::Gauge,
            )?)?;
        }
        Ok(())
    }
}
