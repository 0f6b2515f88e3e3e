//! The Redis source: every node's events from the server's relay streams, with backfill.
//!
//! Strictly read-only: XRANGE for backfill, XREAD BLOCK (no group) to follow. Never a consumer
//! group, never an ACK, never a write. Both key layouts: one stream per scope
//! (`ws:scope:workspace:<id>:stream`) and the sharded relay (`ws:relay:shard:<n>`, FNV-1a over
//! `scope \0 id`), where entries of other scopes are skipped. Entries are deduplicated by
//! `event_id`; after a disconnect reading resumes after the last id seen, and a gap is marked
//! when the stream was trimmed past it. When both layouts exist (a relay mode switched), the
//! stream with the newest entry is the live one. Backfill says when the stream's retained
//! history starts later than `--since` (upstream keeps about ten minutes); following starts at
//! the stream's last id, never `$`, so nothing added between two reads is missed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use redis::Value;
use tokio::sync::watch;

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::protocol::Frame;
use rand::SeedableRng;

mod reader;
pub use reader::{Reader, MAX_STREAMS};

use super::channel::{self, Delivery, FrameRx};
use super::status::{backoff, ConnState, Phase};
use super::SourceError;

pub const DEFAULT_SHARDS: u32 = 8;

impl From<redis::RedisError> for SourceError {
    fn from(e: redis::RedisError) -> Self {
        let refused = matches!(
            e.kind(),
            redis::ErrorKind::AuthenticationFailed | redis::ErrorKind::InvalidClientConfig
        );
        let msg = crate::redact::redact_line(&e.to_string(), crate::redact::MAX_MESSAGE_CHARS);
        if refused {
            SourceError::Refused(msg)
        } else {
            SourceError::Transient(msg)
        }
    }
}
const BATCH: usize = 1000;
const BLOCK_MS: u64 = 2000;
const DEDUP_MEMORY: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Scope,
    Sharded { shards: u32 },
}

#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// `redis://[user:pass@]host:port[/db]` or `rediss://…`; a password may also come from
    /// `$FAILWATCH_REDIS_PASSWORD`.
    pub url: String,
    /// `None`: every workspace.
    pub workspace: Option<String>,
    /// None: detect.
    pub layout: Option<Layout>,
    pub shards: u32,
    pub since: Duration,
}

/// FNV-1a, 32 bit: the shard function of the sharded relay.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The stream key holding `workspace`'s events in a layout.
pub fn stream_key(layout: Layout, workspace: &str) -> String {
    match layout {
        Layout::Scope => format!("ws:scope:workspace:{workspace}:stream"),
        Layout::Sharded { shards } => {
            let mut key = b"workspace\0".to_vec();
            key.extend_from_slice(workspace.as_bytes());
            format!("ws:relay:shard:{}", fnv1a32(&key) % shards.max(1))
        }
    }
}

/// One stream entry, as much of it as we use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub event_id: Option<String>,
    pub scope: Option<String>,
    pub scope_id: Option<String>,
    pub created_at: Option<String>,
    pub payload_json: Option<String>,
}

impl Entry {
    /// Milliseconds of the stream id (`<ms>-<seq>`).
    pub fn id_ms(&self) -> Option<i64> {
        id_ms(&self.id)
    }

    /// When the event was published: `created_at`, else the stream id's time, else now (an id
    /// past the calendar's end has no time).
    fn time(&self) -> DateTime<Utc> {
        self.created_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .or_else(|| self.id_ms().and_then(DateTime::from_timestamp_millis))
            .unwrap_or_else(Utc::now)
    }
}

/// Milliseconds of a stream id (`<ms>-<seq>`).
fn id_ms(id: &str) -> Option<i64> {
    id.split('-').next()?.parse().ok()
}

/// A stream id in its order: milliseconds, then sequence.
fn id_order(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// Whether stream id `a` comes after `b`.
fn id_after(a: &str, b: &str) -> bool {
    matches!((id_order(a), id_order(b)), (Some(a), Some(b)) if a > b)
}

/// A reply's text, taken out of it (no copy unless it is not UTF-8).
fn text(v: Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        Value::SimpleString(s) => Some(s),
        _ => None,
    }
}

/// A field name as sent.
fn name(v: &Value) -> Option<&[u8]> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// `[id, [field, value, …]]`
fn parse_entry(v: Value) -> Option<Entry> {
    let Value::Array(parts) = v else { return None };
    let mut parts = parts.into_iter();
    let id = text(parts.next()?)?;
    let mut e = Entry {
        id,
        ..Entry::default()
    };
    if let Some(Value::Array(fields)) = parts.next() {
        let mut fields = fields.into_iter();
        while let (Some(k), Some(v)) = (fields.next(), fields.next()) {
            let slot = match name(&k) {
                Some(b"event_id") => &mut e.event_id,
                Some(b"scope") => &mut e.scope,
                Some(b"scope_id") => &mut e.scope_id,
                Some(b"created_at") => &mut e.created_at,
                Some(b"payload_json") => &mut e.payload_json,
                _ => continue,
            };
            if let Some(v) = text(v) {
                *slot = Some(v);
            }
        }
    }
    Some(e)
}

fn parse_entries(v: Value) -> Vec<Entry> {
    match v {
        Value::Array(items) => items.into_iter().filter_map(parse_entry).collect(),
        _ => Vec::new(),
    }
}

/// XREAD's reply, each stream's key and entries: `[[key, [entries]], …]` (RESP2) or a map
/// (RESP3); nil on timeout.
fn parse_xread(v: Value) -> Vec<(String, Vec<Entry>)> {
    match v {
        Value::Array(streams) => streams
            .into_iter()
            .filter_map(|s| match s {
                Value::Array(kv) => {
                    let mut kv = kv.into_iter();
                    let key = text(kv.next()?)?;
                    Some((key, kv.next().map(parse_entries).unwrap_or_default()))
                }
                _ => None,
            })
            .collect(),
        Value::Map(pairs) => pairs
            .into_iter()
            .filter_map(|(key, entries)| Some((text(key)?, parse_entries(entries))))
            .collect(),
        _ => Vec::new(),
    }
}

fn connect(url: &str) -> Result<redis::Connection, SourceError> {
    let mut info = redis::IntoConnectionInfo::into_connection_info(url)
        .map_err(|e| SourceError::Refused(format!("bad Redis URL: {e}")))?;
    if let Ok(password) = std::env::var("FAILWATCH_REDIS_PASSWORD") {
        let settings = info.redis_settings().clone().set_password(password);
        info = info.set_redis_settings(settings);
    }
    let client = redis::Client::open(info)?;
    let conn = client.get_connection_with_timeout(Duration::from_secs(5))?;
    // Longer than a blocking read, so a dead server is noticed.
    conn.set_read_timeout(Some(Duration::from_millis(BLOCK_MS + 5000)))?;
    Ok(conn)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        .min(i64::MAX as u128) as i64
}

/// A stream id as its two numbers, for ordering (`(-1, -1)` when unreadable).
fn stream_id(id: &str) -> (i64, i64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    (ms.parse().unwrap_or(-1), seq.parse().unwrap_or(-1))
}

/// An entry's frame, of the workspace it names (made safe, and shared: `names` keeps the
/// workspaces seen, cleared past a bound).
fn frame(e: Entry, names: &mut FxHashMap<String, Arc<str>>) -> Option<Frame> {
    let received_at = e.time();
    let workspace = e.scope_id.map(|id| {
        if names.len() >= reader::MAX_STREAMS {
            names.clear();
        }
        names
            .entry(id)
            .or_insert_with_key(|id| Arc::from(crate::redact::redact_id(id)))
            .clone()
    });
    Some(Frame {
        received_at,
        text: e.payload_json?,
        workspace,
    })
}

/// Entries of one read that belong to the workspace and were new, and how many were skipped as
/// already delivered (counted with the pipeline's own repeats).
pub struct Batch {
    pub entries: Vec<Entry>,
    pub duplicates: u64,
}

pub struct RedisHandle {
    pub frames: FrameRx,
    pub state: watch::Receiver<ConnState>,
    pub key: String,
}

/// Open (failing fast), then backfill and follow on a thread of its own; after an error,
/// reconnect with the backoff every source shares.
pub fn start(config: RedisConfig, delivery: Delivery) -> Result<RedisHandle, SourceError> {
    let mut reader = Reader::open(config)?;
    let (tx, rx) = channel::channel(channel::MAX_FRAMES, delivery);
    let (state_tx, state_rx) = watch::channel(ConnState::new());
    let key = reader.describe();
    std::thread::Builder::new()
        .name("redis-source".into())
        .spawn(move || {
            let mut names = FxHashMap::default();
            let mut send = |batch: Batch, state: &watch::Sender<ConnState>| {
                let frames: Vec<Frame> = batch
                    .entries
                    .into_iter()
                    .filter_map(|e| frame(e, &mut names))
                    .collect();
                state.send_if_modified(|s| {
                    frames.iter().for_each(|f| s.received(f.received_at));
                    s.duplicates += batch.duplicates;
                    false
                });
                let lost = frames
                    .into_iter()
                    .map(|f| tx.deliver_blocking(f))
                    .filter(|delivered| !delivered.unwrap_or(true))
                    .count();
                if lost > 0 {
                    state.send_if_modified(|s| s.lost(lost as u64));
                }
            };
            state_tx.send_modify(|s| s.phase = Phase::Backfilling);
            match reader.history_gaps() {
                Ok(gaps) => state_tx.send_modify(|s| gaps.into_iter().for_each(|g| s.add_gap(g))),
                Err(e) => tracing::warn!(error = %e, "could not read the streams' first entries"),
            }
            if let Err(e) = reader.backfill(|e| send(e, &state_tx)) {
                state_tx.send_modify(|s| s.phase = Phase::Failed(format!("backfill failed: {e}")));
                return;
            }
            state_tx.send_modify(|s| s.phase = Phase::Live { since: Utc::now() });
            let mut rng = rand::rngs::StdRng::from_os_rng();
            let mut attempt = 0u32;
            while !tx.is_closed() {
                let err = match reader.follow_once(|e| send(e, &state_tx)) {
                    Ok((_, gaps)) => {
                        attempt = 0;
                        if !gaps.is_empty() {
                            state_tx.send_modify(|s| gaps.into_iter().for_each(|g| s.add_gap(g)));
                        }
                        continue;
                    }
                    Err(err) => err,
                };
                attempt += 1;
                let wait = backoff(attempt, &mut rng);
                let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                state_tx.send_modify(|s| s.reconnecting(attempt, at, err.to_string()));
                std::thread::sleep(wait);
                match reader.reconnect() {
                    Ok(gap) => state_tx.send_modify(|s| {
                        gap.into_iter().for_each(|g| s.add_gap(g));
                        s.phase = Phase::Live { since: Utc::now() };
                    }),
                    Err(e) => tracing::warn!(error = %e, "redis reconnect failed"),
                }
            }
        })
        .map_err(|e| SourceError::Transient(e.to_string()))?;
    Ok(RedisHandle {
        frames: rx,
        state: state_rx,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_known_vectors() {
        assert_eq!(fnv1a32(b""), 0x811c9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9cf968);
    }

    #[test]
    fn keys_for_both_layouts() {
        assert_eq!(
            stream_key(Layout::Scope, "w1"),
            "ws:scope:workspace:w1:stream"
        );
        let k = stream_key(Layout::Sharded { shards: 8 }, "w1");
        let n = fnv1a32(b"workspace\0w1") % 8;
        assert_eq!(k, format!("ws:relay:shard:{n}"));
    }

    #[test]
    fn parses_stream_replies() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let entry = Value::Array(vec![
            bulk("1700000000000-0"),
            Value::Array(vec![
                bulk("event_id"),
                bulk("E1"),
                bulk("payload_json"),
                bulk("{\"type\":\"pong\"}"),
            ]),
        ]);
        let xread = Value::Array(vec![Value::Array(vec![
            bulk("k"),
            Value::Array(vec![entry.clone()]),
        ])]);
        let got = parse_xread(xread);
        assert_eq!(got.len(), 1);
        let (key, entries) = &got[0];
        assert_eq!(key, "k");
        assert_eq!(entries[0].event_id.as_deref(), Some("E1"));
        assert_eq!(entries[0].id_ms(), Some(1_700_000_000_000));
        assert_eq!(parse_xread(Value::Nil), vec![]);
        // RESP3: a map of key to entries.
        let map = Value::Map(vec![(bulk("k2"), Value::Array(vec![entry.clone()]))]);
        let got = parse_xread(map);
        assert_eq!((got[0].0.as_str(), got[0].1.len()), ("k2", 1));
        assert_eq!(parse_entries(Value::Array(vec![entry])).len(), 1);
    }

    #[test]
    fn odd_entries_keep_what_they_can() {
        let bulk = |s: &[u8]| Value::BulkString(s.to_vec());
        let entry = Value::Array(vec![
            Value::SimpleString("1700000000000-1".into()),
            Value::Array(vec![
                Value::SimpleString("scope".into()),
                bulk(b"workspace"),
                // Not UTF-8: kept, the bad byte replaced.
                bulk(b"payload_json"),
                bulk(b"{\"type\":\"p\xffong\"}"),
                // A value that is not text leaves the field as it was.
                bulk(b"event_id"),
                Value::Int(7),
                // A lone last name has no value.
                bulk(b"scope_id"),
            ]),
        ]);
        let got = parse_entries(Value::Array(vec![entry, Value::Int(1)]));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "1700000000000-1");
        assert_eq!(got[0].scope.as_deref(), Some("workspace"));
        assert_eq!(
            got[0].payload_json.as_deref(),
            Some("{\"type\":\"p\u{fffd}ong\"}")
        );
        assert_eq!(got[0].event_id, None);
        assert_eq!(got[0].scope_id, None);
    }
}
