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

use crate::bounded::BoundedMap;
use crate::protocol::Frame;
use rand::SeedableRng;

use super::channel::{self, Delivery, FrameRx};
use super::status::{backoff, ConnState, Gap, Phase};
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

/// XREAD's reply: `[[key, [entries]]]` (RESP2) or a map (RESP3); nil on timeout.
fn parse_xread(v: Value) -> Vec<Entry> {
    match v {
        Value::Array(streams) => streams
            .into_iter()
            .flat_map(|s| match s {
                Value::Array(kv) => kv.into_iter().nth(1).map(parse_entries).unwrap_or_default(),
                _ => Vec::new(),
            })
            .collect(),
        Value::Map(pairs) => pairs
            .into_iter()
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
    /// The newest trimmed id a gap was marked for (each trim is said once).
    trim_marked: Option<String>,
    seen: BoundedMap<String, ()>,
    /// Entries skipped as already delivered (another node relayed the same event).
    duplicates: u64,
}

impl Reader {
    pub fn open(config: RedisConfig) -> Result<Reader, SourceError> {
        let mut conn = connect(&config.url)?;
        let layout = match config.layout {
            Some(l) => l,
            None => detect(&mut conn, &config.workspace, config.shards)?,
        };
        let key = stream_key(layout, &config.workspace);
        // A layout given by hand is checked too: following a key that does not exist would wait
        // forever in silence.
        let exists: i64 = redis::cmd("EXISTS").arg(&key).query(&mut conn)?;
        if exists == 0 {
            return Err(SourceError::Refused(format!(
                "no stream {key} for workspace {} (check --layout, --shards and the workspace id)",
                config.workspace
            )));
        }
        Ok(Reader {
            config,
            key,
            layout,
            conn,
            last_id: None,
            trim_marked: None,
            seen: BoundedMap::new(DEDUP_MEMORY),
            duplicates: 0,
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
            Some(id) if self.seen.get(id.as_str()).is_some() => {
                self.duplicates += 1;
                false
            }
            Some(id) => {
                self.seen.insert(id.clone(), ());
                true
            }
            None => true,
        }
    }

    /// The stream's first (`-`) or last (`+`) entry.
    fn edge(&mut self, newest: bool) -> Result<Option<Entry>, SourceError> {
        let (cmd, a, b) = if newest {
            ("XREVRANGE", "+", "-")
        } else {
            ("XRANGE", "-", "+")
        };
        let reply: Value = redis::cmd(cmd)
            .arg(&self.key)
            .arg(a)
            .arg(b)
            .arg("COUNT")
            .arg(1)
            .query(&mut self.conn)?;
        Ok(parse_entries(reply).into_iter().next())
    }

    /// When the stream's retained history starts later than `since` asked: the window
    /// between is a gap (the server trimmed it, or nothing happened; the stream cannot say).
    pub fn history_gap(&mut self) -> Result<Option<Gap>, SourceError> {
        let now_ms = now_ms();
        let start_ms =
            now_ms.saturating_sub(self.config.since.as_millis().min(i64::MAX as u128) as i64);
        let Some(first) = self.edge(false)? else {
            return Ok(None);
        };
        Ok(match first.id_ms() {
            Some(first_ms) if first_ms > start_ms && first_ms <= now_ms => {
                let from = DateTime::from_timestamp_millis(start_ms).unwrap_or_default();
                let to = DateTime::from_timestamp_millis(first_ms).unwrap_or_default();
                Some(Gap {
                    from,
                    to: Some(to),
                    why: format!(
                        "the stream keeps history only from {} on, not the whole --since window",
                        to.format("%H:%M:%S")
                    ),
                })
            }
            _ => None,
        })
    }

    /// Backfill everything newer than `since`, in batches; `sink` gets each batch's kept
    /// entries. Then the reader stands at the stream's last entry, so following misses nothing.
    pub fn backfill(&mut self, mut sink: impl FnMut(Batch)) -> Result<u64, SourceError> {
        let start_ms =
            now_ms().saturating_sub(self.config.since.as_millis().min(i64::MAX as u128) as i64);
        let request = |key: &str, start: &str| {
            redis::cmd("XRANGE")
                .arg(key)
                .arg(start)
                .arg("+")
                .arg("COUNT")
                .arg(BATCH)
                .get_packed_command()
        };
        let first = request(&self.key, &format!("{}-0", start_ms.max(0)));
        self.conn.send_packed_command(&first)?;
        let mut n = 0;
        loop {
            let reply = match self.conn.recv_response()? {
                Value::ServerError(e) => return Err(redis::RedisError::from(e).into()),
                reply => reply,
            };
            let entries = parse_entries(reply);
            // The next batch is asked for before this one is taken in: the server reads it
            // while the pipeline works.
            let more = match entries.last() {
                Some(last) if entries.len() == BATCH => {
                    let next = request(&self.key, &format!("({}", last.id));
                    self.conn.send_packed_command(&next)?;
                    true
                }
                _ => false,
            };
            n += self.take(entries, &mut sink);
            if !more {
                break;
            }
        }
        if self.last_id.is_none() {
            // Nothing in the window: follow from the newest entry there is (or the start).
            self.last_id = Some(self.edge(true)?.map_or_else(|| "0-0".to_owned(), |e| e.id));
        }
        Ok(n)
    }

    /// One blocking read of new entries after the last id seen.
    /// One blocking read: the entries after the last id, and a gap when the stream was trimmed
    /// past that id before they could be read (a reader behind its stream's length limit).
    pub fn follow_once(
        &mut self,
        mut sink: impl FnMut(Batch),
    ) -> Result<(usize, Option<Gap>), SourceError> {
        let before = self.last_id.clone();
        let after = before.clone().unwrap_or_else(|| "0-0".to_owned());
        let reply: Value = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(&after)
            .query(&mut self.conn)?;
        let entries = parse_xread(reply);
        let read = entries.len();
        // Asked only when something came: a trim passes a reader only as entries are added.
        let gap = match (&before, read) {
            (Some(last), 1..) => self.trimmed_past(last)?,
            _ => None,
        };
        self.take(entries, &mut sink);
        Ok((read, gap))
    }

    /// The stream's newest deleted id (`max-deleted-entry-id`, Redis 7 and later), if it says.
    /// A stream not there (yet) or a server that refuses the question says nothing.
    fn max_deleted(&mut self) -> Result<Option<String>, SourceError> {
        let reply: Value = match redis::cmd("XINFO")
            .arg("STREAM")
            .arg(&self.key)
            .query(&mut self.conn)
        {
            Ok(reply) => reply,
            Err(e) if matches!(e.kind(), redis::ErrorKind::Server(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let fields = match reply {
            Value::Array(v) => v,
            Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => return Ok(None),
        };
        let text = |v: &Value| match v {
            Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
            Value::SimpleString(s) => Some(s.clone()),
            _ => None,
        };
        Ok(fields
            .chunks(2)
            .find(|kv| text(&kv[0]).as_deref() == Some("max-deleted-entry-id"))
            .and_then(|kv| kv.get(1).and_then(text))
            .filter(|id| id != "0-0"))
    }

    /// A gap when entries after `last` were trimmed before they were read: the stream's newest
    /// deleted id is past `last` (each trim marked once); where the server does not say (before
    /// Redis 7), when the oldest entry left is newer than `last`.
    fn trimmed_past(&mut self, last: &str) -> Result<Option<Gap>, SourceError> {
        let trimmed = match self.max_deleted()? {
            Some(deleted) => {
                let new = id_after(&deleted, last)
                    && self
                        .trim_marked
                        .as_deref()
                        .is_none_or(|marked| id_after(&deleted, marked));
                if new {
                    self.trim_marked = Some(deleted);
                }
                new
            }
            None => self
                .edge(false)?
                .is_some_and(|first| id_after(&first.id, last)),
        };
        if !trimmed {
            return Ok(None);
        }
        let first = self.edge(false)?;
        Ok(Some(Gap {
            from: id_ms(last)
                .and_then(DateTime::from_timestamp_millis)
                .unwrap_or_default(),
            to: first.map(|f| f.time()),
            why: "the stream was trimmed past the last entry read".into(),
        }))
    }

    /// Advance past `entries`, passing on the ones that are ours and new; how many were.
    fn take(&mut self, entries: Vec<Entry>, sink: &mut impl FnMut(Batch)) -> u64 {
        if let Some(last) = entries.last() {
            self.last_id = Some(last.id.clone());
        }
        let before = self.duplicates;
        let kept: Vec<Entry> = entries.into_iter().filter(|e| self.keep(e)).collect();
        let n = kept.len() as u64;
        let duplicates = self.duplicates - before;
        if n > 0 || duplicates > 0 {
            sink(Batch {
                entries: kept,
                duplicates,
            });
        }
        n
    }

    /// After a reconnect: if the stream no longer holds our last id, entries were trimmed away.
    pub fn reconnect(&mut self) -> Result<Option<Gap>, SourceError> {
        self.conn = connect(&self.config.url)?;
        match self.last_id.clone() {
            Some(last) => self.trimmed_past(&last),
            None => Ok(None),
        }
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

/// The layout whose stream for this workspace is alive: of the keys that exist, the one with
/// the newest entry (a per-scope key left from an earlier relay mode is never trimmed and can
/// outlive its use; the sharded one is what the server writes today).
fn detect(
    conn: &mut redis::Connection,
    workspace: &str,
    shards: u32,
) -> Result<Layout, SourceError> {
    let mut best: Option<(Layout, (i64, i64))> = None;
    for layout in [Layout::Sharded { shards }, Layout::Scope] {
        let reply: Value = redis::cmd("XREVRANGE")
            .arg(stream_key(layout, workspace))
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query(conn)?;
        let newest = parse_entries(reply)
            .into_iter()
            .next()
            .map(|e| stream_id(&e.id));
        let exists = newest.is_some() || {
            let n: i64 = redis::cmd("EXISTS")
                .arg(stream_key(layout, workspace))
                .query(conn)?;
            n == 1
        };
        if !exists {
            continue;
        }
        let newest = newest.unwrap_or((-1, -1));
        if best.is_none_or(|(_, b)| newest > b) {
            best = Some((layout, newest));
        }
    }
    if let Some((layout, _)) = best {
        return Ok(layout);
    }
    Err(SourceError::Refused(format!(
        "no stream for workspace {workspace}: neither {} nor {} exists (give --layout, or check --shards)",
        stream_key(Layout::Scope, workspace),
        stream_key(Layout::Sharded { shards }, workspace)
    )))
}

/// A stream id as its two numbers, for ordering (`(-1, -1)` when unreadable).
fn stream_id(id: &str) -> (i64, i64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    (ms.parse().unwrap_or(-1), seq.parse().unwrap_or(-1))
}

/// An entry's frame, of the workspace whose stream (or shard entries) it was read from.
fn frame(e: Entry, workspace: &std::sync::Arc<str>) -> Option<Frame> {
    Some(Frame {
        received_at: e.time(),
        text: e.payload_json?,
        workspace: Some(workspace.clone()),
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
    let key = reader.key.clone();
    let workspace: std::sync::Arc<str> =
        std::sync::Arc::from(crate::redact::redact_id(&reader.config.workspace));
    std::thread::Builder::new()
        .name("redis-source".into())
        .spawn(move || {
            let send = |batch: Batch, state: &watch::Sender<ConnState>| {
                let frames: Vec<Frame> = batch
                    .entries
                    .into_iter()
                    .filter_map(|e| frame(e, &workspace))
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
            match reader.history_gap() {
                Ok(gap) => state_tx.send_modify(|s| gap.into_iter().for_each(|g| s.add_gap(g))),
                Err(e) => tracing::warn!(error = %e, "could not read the stream's first entry"),
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
                    Ok((_, gap)) => {
                        attempt = 0;
                        if let Some(g) = gap {
                            state_tx.send_modify(|s| s.add_gap(g));
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
        assert_eq!(got[0].event_id.as_deref(), Some("E1"));
        assert_eq!(got[0].id_ms(), Some(1_700_000_000_000));
        assert_eq!(parse_xread(Value::Nil), vec![]);
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
