//! The read-only reader of the relay streams: one workspace's stream, or every workspace's
//! (every shard of the sharded relay, or every per-scope stream, found with `SCAN` and looked
//! for again while following). Synchronous: it runs on its own thread and never waits on the UI.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::DateTime;
use redis::Value;

use super::{
    connect, id_after, id_ms, now_ms, parse_entries, parse_xread, stream_id, stream_key, Batch,
    Entry, Layout, RedisConfig, BATCH, BLOCK_MS, DEDUP_MEMORY,
};
use crate::bounded::BoundedMap;
use crate::source::status::Gap;
use crate::source::SourceError;

/// The per-scope layout's keys, as `SCAN` matches them.
const SCOPE_PATTERN: &str = "ws:scope:workspace:*:stream";
/// Per-scope streams read at most (a deployment's workspaces); more are said, not read.
pub const MAX_STREAMS: usize = 10_000;
/// Reading every workspace's streams, new ones are looked for this often.
const RESCAN_EVERY: Duration = Duration::from_secs(10);

/// One stream read: its key, the workspace it holds (a per-scope stream's key says it), and
/// where reading stands.
struct Stream {
    key: String,
    workspace: Option<String>,
    last_id: Option<String>,
    /// The newest trimmed id a gap was marked for (each trim is said once).
    trim_marked: Option<String>,
}

impl Stream {
    fn new(key: String, workspace: Option<String>) -> Stream {
        Stream {
            key,
            workspace,
            last_id: None,
            trim_marked: None,
        }
    }
}

/// The workspace a per-scope stream's key names.
fn scope_workspace(key: &str) -> Option<&str> {
    key.strip_prefix("ws:scope:workspace:")?
        .strip_suffix(":stream")
        .filter(|w| !w.is_empty())
}

pub struct Reader {
    pub(super) config: RedisConfig,
    pub layout: Layout,
    conn: redis::Connection,
    streams: Vec<Stream>,
    seen: BoundedMap<String, ()>,
    /// Entries skipped as already delivered (another node relayed the same event).
    duplicates: u64,
    /// Every workspace's per-scope streams: when they were last looked for.
    scanned: Instant,
    /// Per-scope streams found past [`MAX_STREAMS`], not read.
    pub streams_beyond: u64,
}

impl Reader {
    pub fn open(config: RedisConfig) -> Result<Reader, SourceError> {
        let mut conn = connect(&config.url)?;
        let (layout, streams) = match &config.workspace {
            Some(workspace) => {
                let layout = match config.layout {
                    Some(l) => l,
                    None => detect(&mut conn, workspace, config.shards)?,
                };
                let key = stream_key(layout, workspace);
                // A layout given by hand is checked too: following a key that does not exist
                // would wait forever in silence.
                let exists: i64 = redis::cmd("EXISTS").arg(&key).query(&mut conn)?;
                if exists == 0 {
                    return Err(SourceError::Refused(format!(
                        "no stream {key} for workspace {workspace} (check --layout, --shards and the workspace id)"
                    )));
                }
                let own = matches!(layout, Layout::Scope).then(|| workspace.clone());
                (layout, vec![Stream::new(key, own)])
            }
            None => {
                let layout = match config.layout {
                    Some(l) => l,
                    None => detect_all(&mut conn, config.shards)?,
                };
                (layout, Vec::new())
            }
        };
        let mut reader = Reader {
            config,
            layout,
            conn,
            streams,
            seen: BoundedMap::new(DEDUP_MEMORY),
            duplicates: 0,
            scanned: Instant::now(),
            streams_beyond: 0,
        };
        if reader.config.workspace.is_none() {
            reader.find_streams()?;
            if reader.streams.is_empty() {
                return Err(SourceError::Refused(format!(
                    "no relay streams for any workspace ({SCOPE_PATTERN} or ws:relay:shard:<n>; check --layout and --shards)"
                )));
            }
        }
        Ok(reader)
    }

    /// What is read, for the header: one key, or how many.
    pub fn describe(&self) -> String {
        match (self.streams.as_slice(), self.layout) {
            ([one], _) if self.config.workspace.is_some() => one.key.clone(),
            (all, Layout::Sharded { shards }) => {
                format!("every workspace, {} of {shards} shards", all.len())
            }
            (all, Layout::Scope) => format!("every workspace, {} streams", all.len()),
        }
    }

    /// Every workspace: the streams to read, those not read yet added (following from their
    /// start: all they hold is new). The sharded relay's are its shards, found once.
    fn find_streams(&mut self) -> Result<(), SourceError> {
        self.scanned = Instant::now();
        match self.layout {
            Layout::Sharded { shards } => {
                if self.streams.is_empty() {
                    self.streams = (0..shards.max(1))
                        .map(|n| Stream::new(format!("ws:relay:shard:{n}"), None))
                        .collect();
                }
            }
            Layout::Scope => {
                let keys = scan(&mut self.conn, SCOPE_PATTERN)?;
                for key in keys {
                    if self.streams.iter().any(|s| s.key == key) {
                        continue;
                    }
                    let Some(workspace) = scope_workspace(&key).map(str::to_owned) else {
                        continue;
                    };
                    if self.streams.len() >= MAX_STREAMS {
                        self.streams_beyond += 1;
                        continue;
                    }
                    let mut stream = Stream::new(key, Some(workspace));
                    // Found while following: everything it holds came after we started.
                    if self.scanned_before() {
                        stream.last_id = Some("0-0".into());
                    }
                    self.streams.push(stream);
                }
            }
        }
        Ok(())
    }

    /// Whether reading has gone past the backfill (a stream found now is new).
    fn scanned_before(&self) -> bool {
        self.streams.iter().any(|s| s.last_id.is_some())
    }

    /// Keep an entry of stream `i` if it belongs to a workspace we read and was not seen
    /// before; a per-scope stream's entries are labelled with its workspace.
    fn keep(&mut self, i: usize, e: &mut Entry) -> bool {
        let stream = &self.streams[i];
        let ours = match (self.layout, &self.config.workspace) {
            // A shard holds every scope.
            (Layout::Sharded { .. }, Some(workspace)) => {
                e.scope.as_deref() == Some("workspace") && e.scope_id.as_deref() == Some(workspace)
            }
            (Layout::Sharded { .. }, None) => {
                e.scope.as_deref() == Some("workspace")
                    && e.scope_id.as_deref().is_some_and(|id| !id.is_empty())
            }
            // A scope stream holds only its own (checked anyway when labelled).
            (Layout::Scope, _) => e.scope_id.is_none() || e.scope_id == stream.workspace,
        };
        if !ours {
            return false;
        }
        if e.scope_id.is_none() {
            e.scope_id.clone_from(&stream.workspace);
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

    /// Stream `i`'s first (`-`) or last (`+`) entry.
    fn edge(&mut self, i: usize, newest: bool) -> Result<Option<Entry>, SourceError> {
        let (cmd, a, b) = if newest {
            ("XREVRANGE", "+", "-")
        } else {
            ("XRANGE", "-", "+")
        };
        let reply: Value = redis::cmd(cmd)
            .arg(&self.streams[i].key)
            .arg(a)
            .arg(b)
            .arg("COUNT")
            .arg(1)
            .query(&mut self.conn)?;
        Ok(parse_entries(reply).into_iter().next())
    }

    fn since_ms(&self) -> i64 {
        now_ms().saturating_sub(self.config.since.as_millis().min(i64::MAX as u128) as i64)
    }

    /// Each stream whose retained history starts later than `since` asked: the window between
    /// is a gap (the server trimmed it, or nothing happened; the stream cannot say).
    pub fn history_gaps(&mut self) -> Result<Vec<Gap>, SourceError> {
        let now_ms = now_ms();
        let start_ms = self.since_ms();
        let mut gaps = Vec::new();
        for i in 0..self.streams.len() {
            let Some(first) = self.edge(i, false)? else {
                continue;
            };
            if let Some(first_ms) = first.id_ms().filter(|&f| f > start_ms && f <= now_ms) {
                let from = DateTime::from_timestamp_millis(start_ms).unwrap_or_default();
                let to = DateTime::from_timestamp_millis(first_ms).unwrap_or_default();
                let whose = self.whose(i);
                gaps.push(Gap {
                    from,
                    to: Some(to),
                    why: format!(
                        "{whose}the stream keeps history only from {} on, not the whole --since window",
                        to.format("%H:%M:%S")
                    ),
                });
            }
        }
        Ok(gaps)
    }

    /// Which stream a gap is of, when several are read.
    fn whose(&self, i: usize) -> String {
        if self.streams.len() == 1 {
            return String::new();
        }
        let s = &self.streams[i];
        match &s.workspace {
            Some(w) => format!("workspace {}: ", crate::redact::redact_id(w)),
            None => format!("{}: ", s.key),
        }
    }

    /// Backfill everything newer than `since`, in batches, oldest first across the streams;
    /// `sink` gets each batch's kept entries. Then each stream stands at its last entry, so
    /// following misses nothing.
    pub fn backfill(&mut self, mut sink: impl FnMut(Batch)) -> Result<u64, SourceError> {
        let start = format!("{}-0", self.since_ms().max(0));
        let n = match self.streams.len() {
            1 => self.backfill_one(&start, &mut sink)?,
            _ => self.backfill_merged(&start, &mut sink)?,
        };
        for i in 0..self.streams.len() {
            if self.streams[i].last_id.is_none() {
                // Nothing in the window: follow from the newest entry there is (or the start).
                let newest = self
                    .edge(i, true)?
                    .map_or_else(|| "0-0".to_owned(), |e| e.id);
                self.streams[i].last_id = Some(newest);
            }
        }
        Ok(n)
    }

    /// One stream: the next batch is asked for before this one is taken in, so the server
    /// reads it while the pipeline works.
    fn backfill_one(
        &mut self,
        start: &str,
        sink: &mut impl FnMut(Batch),
    ) -> Result<u64, SourceError> {
        let request = |key: &str, start: &str| {
            redis::cmd("XRANGE")
                .arg(key)
                .arg(start)
                .arg("+")
                .arg("COUNT")
                .arg(BATCH)
                .get_packed_command()
        };
        let first = request(&self.streams[0].key, start);
        self.conn.send_packed_command(&first)?;
        let mut n = 0;
        loop {
            let reply = match self.conn.recv_response()? {
                Value::ServerError(e) => return Err(redis::RedisError::from(e).into()),
                reply => reply,
            };
            let entries = parse_entries(reply);
            let more = match entries.last() {
                Some(last) if entries.len() == BATCH => {
                    let next = request(&self.streams[0].key, &format!("({}", last.id));
                    self.conn.send_packed_command(&next)?;
                    true
                }
                _ => false,
            };
            n += self.take(entries.into_iter().map(|e| (0, e)).collect(), sink);
            if !more {
                break;
            }
        }
        Ok(n)
    }

    /// Several streams, merged by id: entries are handed on oldest first as long as every
    /// stream not yet read to its end has one waiting. Each stream's next batch is asked for as
    /// soon as one arrives (one request in flight a stream, answered in the order asked on the
    /// one connection), so the server reads while the pipeline works; at most two batches a
    /// stream are held.
    fn backfill_merged(
        &mut self,
        start: &str,
        sink: &mut impl FnMut(Batch),
    ) -> Result<u64, SourceError> {
        let count = self.streams.len();
        let mut waiting: Vec<VecDeque<Entry>> = (0..count).map(|_| VecDeque::new()).collect();
        let mut next: Vec<Option<String>> = vec![Some(start.to_owned()); count];
        // The streams asked for and not answered yet, in the order asked.
        let mut asked: VecDeque<usize> = VecDeque::new();
        for i in 0..count {
            self.ask_batch(i, &mut next, &mut asked)?;
        }
        let mut n = 0;
        loop {
            // A stream with nothing waiting and an answer to come: answers are taken in the
            // order asked until it has its own.
            while (0..count).any(|i| waiting[i].is_empty() && asked.contains(&i)) {
                let j = asked.pop_front().expect("a stream was asked for");
                let reply = match self.conn.recv_response()? {
                    Value::ServerError(e) => return Err(redis::RedisError::from(e).into()),
                    reply => reply,
                };
                let entries = parse_entries(reply);
                if entries.len() == BATCH {
                    next[j] = entries.last().map(|e| format!("({}", e.id));
                }
                waiting[j].extend(entries);
                self.ask_batch(j, &mut next, &mut asked)?;
            }
            let mut picked = Vec::new();
            // A stream with nothing waiting but more to read holds the others back.
            while (0..count).all(|i| !waiting[i].is_empty() || !asked.contains(&i)) {
                let oldest = (0..count)
                    .filter(|&i| !waiting[i].is_empty())
                    .min_by_key(|&i| stream_id(&waiting[i][0].id));
                let Some(i) = oldest else { break };
                picked.extend(waiting[i].pop_front().map(|e| (i, e)));
            }
            let done = waiting.iter().all(VecDeque::is_empty) && asked.is_empty();
            n += self.take(picked, sink);
            if done {
                return Ok(n);
            }
        }
    }

    /// Ask for stream `i`'s next batch, if it has more to read.
    fn ask_batch(
        &mut self,
        i: usize,
        next: &mut [Option<String>],
        asked: &mut VecDeque<usize>,
    ) -> Result<(), SourceError> {
        if let Some(from) = next[i].take() {
            let request = redis::cmd("XRANGE")
                .arg(&self.streams[i].key)
                .arg(&from)
                .arg("+")
                .arg("COUNT")
                .arg(BATCH)
                .get_packed_command();
            self.conn.send_packed_command(&request)?;
            asked.push_back(i);
        }
        Ok(())
    }

    /// One blocking read of every stream: the entries after each one's last id, oldest first,
    /// and a gap for each stream trimmed past that id before they could be read (a reader
    /// behind its stream's length limit). Every workspace's per-scope streams are looked for
    /// again now and then.
    pub fn follow_once(
        &mut self,
        mut sink: impl FnMut(Batch),
    ) -> Result<(usize, Vec<Gap>), SourceError> {
        if self.config.workspace.is_none() && self.scanned.elapsed() >= RESCAN_EVERY {
            self.find_streams()?;
        }
        let before: Vec<Option<String>> = self.streams.iter().map(|s| s.last_id.clone()).collect();
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS");
        for s in &self.streams {
            cmd.arg(&s.key);
        }
        for s in &self.streams {
            cmd.arg(s.last_id.as_deref().unwrap_or("0-0"));
        }
        let reply: Value = cmd.query(&mut self.conn)?;
        let mut entries: Vec<(usize, Entry)> = Vec::new();
        for (key, got) in parse_xread(reply) {
            if let Some(i) = self.streams.iter().position(|s| s.key == key) {
                entries.extend(got.into_iter().map(|e| (i, e)));
            }
        }
        entries.sort_by_key(|(_, e)| stream_id(&e.id));
        let read = entries.len();
        // Asked only of a stream something came from: a trim passes a reader only as entries
        // are added.
        let mut read_from = vec![false; self.streams.len()];
        entries.iter().for_each(|(i, _)| read_from[*i] = true);
        let mut gaps = Vec::new();
        for (i, last) in before.iter().enumerate() {
            if let Some(last) = last.as_deref().filter(|_| read_from[i]) {
                gaps.extend(self.trimmed_past(i, last)?);
            }
        }
        self.take(entries, &mut sink);
        Ok((read, gaps))
    }

    /// Stream `i`'s newest deleted id (`max-deleted-entry-id`, Redis 7 and later), if it says.
    /// A stream not there (yet) or a server that refuses the question says nothing.
    fn max_deleted(&mut self, i: usize) -> Result<Option<String>, SourceError> {
        let reply: Value = match redis::cmd("XINFO")
            .arg("STREAM")
            .arg(&self.streams[i].key)
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

    /// A gap when entries of stream `i` after `last` were trimmed before they were read: its
    /// newest deleted id is past `last` (each trim marked once); where the server does not say
    /// (before Redis 7), when the oldest entry left is newer than `last`.
    fn trimmed_past(&mut self, i: usize, last: &str) -> Result<Option<Gap>, SourceError> {
        let trimmed = match self.max_deleted(i)? {
            Some(deleted) => {
                let new = id_after(&deleted, last)
                    && self.streams[i]
                        .trim_marked
                        .as_deref()
                        .is_none_or(|marked| id_after(&deleted, marked));
                if new {
                    self.streams[i].trim_marked = Some(deleted);
                }
                new
            }
            None => self
                .edge(i, false)?
                .is_some_and(|first| id_after(&first.id, last)),
        };
        if !trimmed {
            return Ok(None);
        }
        let first = self.edge(i, false)?;
        Ok(Some(Gap {
            from: id_ms(last)
                .and_then(DateTime::from_timestamp_millis)
                .unwrap_or_default(),
            to: first.map(|f| f.time()),
            why: format!(
                "{}the stream was trimmed past the last entry read",
                self.whose(i)
            ),
        }))
    }

    /// Advance past `entries` (each of its stream), passing on the ones that are ours and new;
    /// how many were.
    fn take(&mut self, entries: Vec<(usize, Entry)>, sink: &mut impl FnMut(Batch)) -> u64 {
        let before = self.duplicates;
        let mut kept = Vec::with_capacity(entries.len());
        for (i, mut e) in entries {
            self.streams[i].last_id = Some(e.id.clone());
            if self.keep(i, &mut e) {
                kept.push(e);
            }
        }
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

    /// After a reconnect: each stream that no longer holds our last id had entries trimmed away.
    pub fn reconnect(&mut self) -> Result<Vec<Gap>, SourceError> {
        self.conn = connect(&self.config.url)?;
        let mut gaps = Vec::new();
        for i in 0..self.streams.len() {
            if let Some(last) = self.streams[i].last_id.clone() {
                gaps.extend(self.trimmed_past(i, &last)?);
            }
        }
        Ok(gaps)
    }
}

/// Every key matching `pattern` (read-only `SCAN`, a page at a time).
fn scan(conn: &mut redis::Connection, pattern: &str) -> Result<Vec<String>, SourceError> {
    let mut cursor = 0u64;
    let mut keys = Vec::new();
    loop {
        let (next, page): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .arg("TYPE")
            .arg("stream")
            .query(conn)?;
        keys.extend(page);
        if next == 0 || keys.len() > MAX_STREAMS * 2 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// The newest entry of a key, as an order (`None`: no entry).
fn newest(conn: &mut redis::Connection, key: &str) -> Result<Option<(i64, i64)>, SourceError> {
    let reply: Value = redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query(conn)?;
    Ok(parse_entries(reply)
        .into_iter()
        .next()
        .map(|e| stream_id(&e.id)))
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
        let key = stream_key(layout, workspace);
        let newest = newest(conn, &key)?;
        let exists = newest.is_some() || {
            let n: i64 = redis::cmd("EXISTS").arg(&key).query(conn)?;
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

/// Every workspace: the layout alive, as [`detect`] decides for one (the newest entry of any
/// shard against that of any per-scope stream).
fn detect_all(conn: &mut redis::Connection, shards: u32) -> Result<Layout, SourceError> {
    let mut sharded = None;
    for n in 0..shards.max(1) {
        let key = format!("ws:relay:shard:{n}");
        let exists: i64 = redis::cmd("EXISTS").arg(&key).query(conn)?;
        if exists == 1 {
            sharded = sharded.max(Some(newest(conn, &key)?.unwrap_or((-1, -1))));
        }
    }
    let mut scoped = None;
    for key in scan(conn, SCOPE_PATTERN)? {
        scoped = scoped.max(Some(newest(conn, &key)?.unwrap_or((-1, -1))));
    }
    match (sharded, scoped) {
        (Some(a), Some(b)) if b > a => Ok(Layout::Scope),
        (Some(_), _) => Ok(Layout::Sharded { shards }),
        (None, Some(_)) => Ok(Layout::Scope),
        (None, None) => Err(SourceError::Refused(format!(
            "no relay streams for any workspace: no ws:relay:shard:<n> (of {shards}) and no {SCOPE_PATTERN}"
        ))),
    }
}
