//! The Redis source: every node's events from the server's relay streams, with backfill.
//!
//! Strictly read-only: XRANGE for backfill, XREAD BLOCK (no group) to follow. Never a consumer
//! group, never an ACK, never a write. Both key layouts: one stream per scope
//! (`ws:scope:workspace:<id>:stream`) and the sharded relay (`ws:relay:shard:<n>`, FNV-1a over
//! `scope \0 id`), where entries of other scopes are skipped. Entries are deduplicated by
//! `event_id`; after a disconnect reading resumes after the last id seen, and a gap is marked
//! when the stream was trimmed past it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use redis::Value;
use tokio::sync::{mpsc, watch};

use crate::bounded::BoundedMap;
use crate::protocol::Frame;
use rand::SeedableRng;

use super::status::{backoff, ConnState, Gap, Phase};
use super::SourceError;

pub const DEFAULT_SHARDS: u32 = 8;

impl From<redis::RedisError> for SourceError {
    fn from(e: redis::RedisError) -> Self {
        let refused = matches!(
            e.kind(),
            redis::ErrorKind::AuthenticationFailed | redis::ErrorKind::InvalidClientConfig
        );
        let msg = crate::redact::redact(&e.to_string()).text;
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
    pub workspace: String,
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
        self.id.split('-').next()?.parse().ok()
    }

    fn time(&self) -> DateTime<Utc> {
        self.created_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .or_else(|| self.id_ms().and_then(DateTime::from_timestamp_millis))
            .unwrap_or_else(Utc::now)
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

/// `[id, [field, value, …]]`
fn parse_entry(v: &Value) -> Option<Entry> {
    let Value::Array(parts) = v else { return None };
    let id = text(parts.first()?)?;
    let mut e = Entry {
        id,
        ..Entry::default()
    };
    if let Some(Value::Array(fields)) = parts.get(1) {
        for kv in fields.chunks(2) {
            let (Some(k), Some(v)) = (kv.first().and_then(text), kv.get(1).and_then(text)) else {
                continue;
            };
            match k.as_str() {
                "event_id" => e.event_id = Some(v),
                "scope" => e.scope = Some(v),
                "scope_id" => e.scope_id = Some(v),
                "created_at" => e.created_at = Some(v),
                "payload_json" => e.payload_json = Some(v),
                _ => {}
            }
        }
    }
    Some(e)
}

fn parse_entries(v: &Value) -> Vec<Entry> {
    match v {
        Value::Array(items) => items.iter().filter_map(parse_entry).collect(),
        _ => Vec::new(),
    }
}

/// XREAD's reply: `[[key, [entries]]]` (RESP2) or a map (RESP3); nil on timeout.
fn parse_xread(v: &Value) -> Vec<Entry> {
    match v {
        Value::Array(streams) => streams
            .iter()
            .flat_map(|s| match s {
                Value::Array(kv) => kv.get(1).map(parse_entries).unwrap_or_default(),
                _ => Vec::new(),
            })
            .collect(),
        Value::Map(pairs) => pairs
            .iter()
            .flat_map(|(_, entries)| parse_entries(entries))
            .collect(),
        _ => Vec::new(),
    }
}

/// The read-only reader. Synchronous: it runs on its own thread and never waits on the UI.
pub struct Reader {
    config: RedisConfig,
    pub key: String,
    pub layout: Layout,
    conn: redis::Connection,
    last_id: Option<String>,
    seen: BoundedMap<String, ()>,
}

impl Reader {
    pub fn open(config: RedisConfig) -> Result<Reader, SourceError> {
        let mut conn = connect(&config.url)?;
        let layout = match config.layout {
            Some(l) => l,
            None => detect(&mut conn, &config.workspace, config.shards)?,
        };
        let key = stream_key(layout, &config.workspace);
        Ok(Reader {
            config,
            key,
            layout,
            conn,
            last_id: None,
            seen: BoundedMap::new(DEDUP_MEMORY),
        })
    }

    /// Keep an entry if it belongs to the workspace and was not seen before.
    fn keep(&mut self, e: &Entry) -> bool {
        // A shard holds every scope; a scope stream only its own (checked anyway when labelled).
        let workspace = self.config.workspace.as_str();
        let ours = match self.layout {
            Layout::Sharded { .. } => {
                e.scope.as_deref() == Some("workspace") && e.scope_id.as_deref() == Some(workspace)
            }
            Layout::Scope => e.scope_id.as_deref().is_none_or(|id| id == workspace),
        };
        if !ours {
            return false;
        }
        match &e.event_id {
            Some(id) if self.seen.get(id.as_str()).is_some() => false,
            Some(id) => {
                self.seen.insert(id.clone(), ());
                true
            }
            None => true,
        }
    }

    /// Backfill everything newer than `since`, in batches; `sink` gets each kept entry.
    pub fn backfill(&mut self, mut sink: impl FnMut(&Entry)) -> Result<u64, SourceError> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let start_ms = now_ms.saturating_sub(self.config.since.as_millis() as u64);
        let mut start = format!("{start_ms}-0");
        let mut n = 0;
        loop {
            let reply: Value = redis::cmd("XRANGE")
                .arg(&self.key)
                .arg(&start)
                .arg("+")
                .arg("COUNT")
                .arg(BATCH)
                .query(&mut self.conn)?;
            let entries = parse_entries(&reply);
            n += self.take(&entries, &mut sink);
            match entries.last() {
                Some(last) if entries.len() == BATCH => start = format!("({}", last.id),
                _ => return Ok(n),
            }
        }
    }

    /// One blocking read of new entries after the last id seen.
    pub fn follow_once(&mut self, mut sink: impl FnMut(&Entry)) -> Result<usize, SourceError> {
        let after = self.last_id.clone().unwrap_or_else(|| "$".to_owned());
        let reply: Value = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(&after)
            .query(&mut self.conn)?;
        let entries = parse_xread(&reply);
        self.take(&entries, &mut sink);
        Ok(entries.len())
    }

    /// Advance past `entries`, passing on the ones that are ours and new; how many were.
    fn take(&mut self, entries: &[Entry], sink: &mut impl FnMut(&Entry)) -> u64 {
        let mut kept = 0;
        for e in entries {
            self.last_id = Some(e.id.clone());
            if self.keep(e) {
                sink(e);
                kept += 1;
            }
        }
        kept
    }

    /// After a reconnect: if the stream no longer holds our last id, entries were trimmed away.
    pub fn reconnect(&mut self) -> Result<Option<Gap>, SourceError> {
        self.conn = connect(&self.config.url)?;
        let Some(last) = self.last_id.clone() else {
            return Ok(None);
        };
        let reply: Value = redis::cmd("XRANGE")
            .arg(&self.key)
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(1)
            .query(&mut self.conn)?;
        let first = parse_entries(&reply).into_iter().next();
        let last_ms = last.split('-').next().and_then(|m| m.parse::<i64>().ok());
        Ok(match (first, last_ms) {
            (Some(first), Some(last_ms)) if first.id_ms().is_some_and(|f| f > last_ms) => {
                Some(Gap {
                    from: DateTime::from_timestamp_millis(last_ms).unwrap_or_default(),
                    to: first.time(),
                })
            }
            _ => None,
        })
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

/// The layout whose stream for this workspace exists.
fn detect(
    conn: &mut redis::Connection,
    workspace: &str,
    shards: u32,
) -> Result<Layout, SourceError> {
    for layout in [Layout::Scope, Layout::Sharded { shards }] {
        let exists: i64 = redis::cmd("EXISTS")
            .arg(stream_key(layout, workspace))
            .query(conn)?;
        if exists == 1 {
            return Ok(layout);
        }
    }
    Err(SourceError::Refused(format!(
        "no stream for workspace {workspace}: neither {} nor {} exists (give --layout, or check --shards)",
        stream_key(Layout::Scope, workspace),
        stream_key(Layout::Sharded { shards }, workspace)
    )))
}

fn frame(e: &Entry) -> Option<Frame> {
    Some(Frame {
        received_at: e.time(),
        text: e.payload_json.clone()?,
    })
}

pub struct RedisHandle {
    pub frames: mpsc::Receiver<Frame>,
    pub state: watch::Receiver<ConnState>,
    pub key: String,
}

/// Open (failing fast), then backfill and follow on a thread of its own; after an error,
/// reconnect with the backoff every source shares.
pub fn start(config: RedisConfig, capacity: usize) -> Result<RedisHandle, SourceError> {
    let mut reader = Reader::open(config)?;
    let (tx, rx) = mpsc::channel(capacity);
    let (state_tx, state_rx) = watch::channel(ConnState::new());
    let key = reader.key.clone();
    std::thread::Builder::new()
        .name("redis-source".into())
        .spawn(move || {
            let send = |e: &Entry, state: &watch::Sender<ConnState>| {
                let Some(f) = frame(e) else { return };
                let at = f.received_at;
                let dropped = tx.try_send(f).is_err();
                state.send_modify(|s| {
                    s.received += 1;
                    s.last_frame_at = Some(at);
                    s.dropped += u64::from(dropped);
                });
            };
            state_tx.send_modify(|s| s.phase = Phase::Backfilling);
            if let Err(e) = reader.backfill(|e| send(e, &state_tx)) {
                state_tx.send_modify(|s| s.phase = Phase::Failed(format!("backfill failed: {e}")));
                return;
            }
            state_tx.send_modify(|s| s.phase = Phase::Live { since: Utc::now() });
            let mut rng = rand::rngs::StdRng::from_os_rng();
            let mut attempt = 0u32;
            while !tx.is_closed() {
                let err = match reader.follow_once(|e| send(e, &state_tx)) {
                    Ok(_) => {
                        attempt = 0;
                        continue;
                    }
                    Err(err) => err,
                };
                attempt += 1;
                let wait = backoff(attempt, &mut rng);
                let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                state_tx.send_modify(|s| {
                    s.phase = Phase::Reconnecting {
                        attempt,
                        at,
                        error: err.to_string(),
                    }
                });
                std::thread::sleep(wait);
                match reader.reconnect() {
                    Ok(gap) => state_tx.send_modify(|s| {
                        s.gaps.extend(gap);
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
        let got = parse_xread(&xread);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].event_id.as_deref(), Some("E1"));
        assert_eq!(got[0].id_ms(), Some(1_700_000_000_000));
        assert_eq!(parse_xread(&Value::Nil), vec![]);
        assert_eq!(parse_entries(&Value::Array(vec![entry])).len(), 1);
    }
}
