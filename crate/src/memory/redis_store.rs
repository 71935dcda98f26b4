//! The Redis store: one cache shared by every machine that can reach a server.
//!
//! Everything lives under a prefix (a namespace), so several caches share one
//! database and clearing one never touches another:
//!
//! ```text
//! <prefix>:e:<name>:<key>     a hash: meta (JSON), value, sha (of value), last, hits, run
//! <prefix>:idx                a sorted set: "<name>\n<key>" scored by last use
//! <prefix>:stats              a hash: hits, misses (of every process, ever)
//! <prefix>:lock:<name>:<key>  a lease: who is computing this key now
//! <prefix>:code:<name>        the code of the function as last called
//! ```
//!
//! An entry is written by one `MULTI`/`EXEC` (delete, write every field, index),
//! so a reader sees the old entry, the new one, or none — never half of one; a
//! value whose sha256 disagrees with its record is damaged, removed and a miss.
//! Last use and hits live in their own fields, updated by a script only while
//! the entry exists, so eviction by bytes, items and age reads the index and the
//! small fields, never the values.
//!
//! Single-flight ([`RedisStore::claim`]): a process about to compute a missing
//! key takes a lease on it (`SET NX PX`) and renews it from a thread while it
//! computes; others wait until the entry appears or the lease lapses (its holder
//! died), then one of them takes over. Nobody waits forever on a dead host.

use super::entry::{Entry, Meta};
use super::store::{Flight, Row, Store, Usage};
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{hex, sha256, Key};
use redis::{Commands, Connection, RedisResult};
use std::future::{ready, Future};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How a Redis store behaves.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// The namespace of every key (default `toolmemo`).
    pub prefix: String,
    /// Entries expire this long after they are written (none by default).
    pub ttl: Option<Duration>,
    /// Larger values are refused with an error, never stored in part
    /// (default 256 MiB; Redis's own limit for one value is 512 MB).
    pub max_value_bytes: u64,
    /// How long a computing process's claim lasts without renewal.
    pub lease: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            prefix: "toolmemo".into(),
            ttl: None,
            max_value_bytes: 256 << 20,
            lease: Duration::from_secs(30),
        }
    }
}

/// Entries in a Redis database; values are bytes.
pub struct RedisStore {
    client: redis::Client,
    conn: Mutex<Option<Connection>>,
    /// The URL without its password, for messages.
    shown: String,
    opts: RedisOptions,
}

/// Sets last use, hits and run of an entry only if it still exists, and
/// re-indexes it.
const TOUCH: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'last', ARGV[1], 'hits', ARGV[2], 'run', ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[4])
end
return 1
"#;

/// The first half of a hit (the value is read beside it, in the same
/// transaction, not copied through Lua): an entry's fields as they were and,
/// if it exists, a use recorded (last use, run, hits, the index) and a hit
/// counted; a missing entry counts a miss. The caller may still refuse what it
/// reads (expired, damaged, `validate`): it then makes the hit a miss.
const HIT: &str = r#"
local f = redis.call('HMGET', KEYS[1], 'meta', 'sha', 'last', 'hits', 'run')
if not f[1] then
  redis.call('HINCRBY', KEYS[3], 'misses', 1)
  return false
end
redis.call('HSET', KEYS[1], 'last', ARGV[1], 'run', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'hits', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[3], 'hits', 1)
return f
"#;

/// An entry's fields: meta, value, sha, last, hits, run.
type Fields = (Option<Vec<u8>>, Option<Vec<u8>>, Option<String>, Option<f64>, Option<u64>, Option<String>);

/// Records a use made elsewhere (a hit a machine served from its own local
/// copy): last use, run and one more hit, and re-indexes, if the entry exists.
const USED: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'last', ARGV[1], 'run', ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'hits', 1)
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
  return 1
end
return 0
"#;

/// Deletes a lock only if this holder still owns it.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// Extends a lock only if this holder still owns it.
const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"#;

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[user:password@]host:port/db`, or `rediss://`
    /// for TLS) and checks that the server answers.
    pub fn open(url: &str, opts: RedisOptions) -> Result<RedisStore> {
        if url.starts_with("rediss://") {
            // rustls needs a process-wide crypto provider; installing it twice is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let shown = redact(url);
        let client = redis::Client::open(url)
            .map_err(|e| Error::new(ErrorKind::Store, format!("redis: {shown} is not a usable URL: {e}")))?;
        let store = RedisStore { client, conn: Mutex::new(None), shown, opts };
        store.with("connect", |c| redis::cmd("PING").query::<String>(c))?;
        Ok(store)
    }

    pub fn prefix(&self) -> &str {
        &self.opts.prefix
    }

    /// The largest value this store takes.
    pub fn max_value_bytes(&self) -> u64 {
        self.opts.max_value_bytes
    }

    fn connect(&self) -> RedisResult<Connection> {
        let c = self.client.get_connection_with_timeout(Duration::from_secs(5))?;
        c.set_read_timeout(Some(Duration::from_secs(30)))?;
        c.set_write_timeout(Some(Duration::from_secs(30)))?;
        Ok(c)
    }

    /// Runs `f` on the connection (made on first use); a failure is a `store`
    /// error naming the server, and a broken connection is made anew next time.
    fn with<T>(&self, what: &str, f: impl FnOnce(&mut Connection) -> RedisResult<T>) -> Result<T> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let fail =
            |e: redis::RedisError| Error::new(ErrorKind::Store, format!("redis at {}: cannot {what}: {e}", self.shown));
        if slot.is_none() {
            *slot = Some(self.connect().map_err(fail)?);
        }
        let conn = slot.as_mut().expect("connected");
        match f(conn) {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() || e.is_connection_refusal() {
                    *slot = None;
                }
                Err(fail(e))
            }
        }
    }

    fn entry_key(&self, name: &str, key: &Key) -> String {
        format!("{}:e:{name}:{}", self.opts.prefix, key.hex())
    }

    fn index(&self) -> String {
        format!("{}:idx", self.opts.prefix)
    }

    fn stats_key(&self) -> String {
        format!("{}:stats", self.opts.prefix)
    }

    fn lock_key(&self, name: &str, key: &Key) -> String {
        format!("{}:lock:{name}:{}", self.opts.prefix, key.hex())
    }

    fn member(name: &str, key: &Key) -> String {
        format!("{name}\n{}", key.hex())
    }

    /// Hits and misses counted by every process using this namespace.
    pub fn counters(&self) -> Result<(u64, u64)> {
        let (h, m): (Option<u64>, Option<u64>) =
            self.with("read the counters", |c| c.hget(self.stats_key(), &["hits", "misses"]))?;
        Ok((h.unwrap_or(0), m.unwrap_or(0)))
    }

    /// Deletes everything under this namespace (entries, index, counters, locks).
    pub fn destroy(&self) -> Result<u64> {
        let pattern = format!("{}:*", self.opts.prefix);
        self.with("clear the namespace", |c| {
            let keys: Vec<String> = c.scan_match::<_, String>(&pattern)?.collect();
            let mut n = 0;
            for chunk in keys.chunks(500) {
                n += c.del::<_, u64>(chunk)?;
            }
            Ok(n)
        })
    }

    fn read(&self, name: &str, key: &Key) -> Result<Option<Entry<Vec<u8>>>> {
        let ek = self.entry_key(name, key);
        let fields: Fields =
            self.with("read an entry", |c| c.hget(&ek, &["meta", "value", "sha", "last", "hits", "run"]))?;
        self.entry_of(name, key, fields)
    }

    /// The entry `fields` hold, checked; a damaged one is removed and `None`.
    fn entry_of(&self, name: &str, key: &Key, fields: Fields) -> Result<Option<Entry<Vec<u8>>>> {
        let (meta, value, sha, last, hits, run) = fields;
        let Some(meta_json) = meta else { return Ok(None) };
        let meta = serde_json::from_slice(&meta_json).ok().and_then(|j| Meta::from_json(&j));
        let (Some(mut meta), Some(value), Some(sha)) = (meta, value, sha) else {
            self.remove_entry(name, key)?;
            return Ok(None);
        };
        if hex(&sha256(&value)) != sha || meta.key != *key {
            self.remove_entry(name, key)?;
            return Ok(None);
        }
        meta.last_access_ms = last.unwrap_or(meta.last_access_ms);
        meta.hits = hits.unwrap_or(meta.hits);
        meta.last_run = run.unwrap_or(meta.last_run);
        Ok(Some(Entry { meta, value }))
    }

    fn write(&self, entry: &Entry<Vec<u8>>) -> Result<()> {
        let m = &entry.meta;
        if entry.value.len() as u64 > self.opts.max_value_bytes {
            return Err(Error::new(
                ErrorKind::Store,
                format!(
                    "'{}': a value of {} bytes is larger than this Redis store takes ({} bytes, max_value_bytes); \
                     it was not stored",
                    m.name,
                    entry.value.len(),
                    self.opts.max_value_bytes
                ),
            ));
        }
        let ek = self.entry_key(&m.name, &m.key);
        let meta = serde_json::to_vec(&m.to_json()).expect("JSON");
        // The running total of bytes: what this entry replaces is read first
        // (a race with another writer of the key can make the total drift; a
        // listing recounts it).
        let old: Option<u64> = self.with("write an entry", |c| c.hget(&ek, "size"))?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hincr(self.stats_key(), "bytes", m.bytes as i64 - old.unwrap_or(0) as i64)
            .ignore()
            .del(&ek)
            .ignore()
            .hset_multiple(
                &ek,
                &[
                    ("meta", meta.as_slice()),
                    ("value", entry.value.as_slice()),
                    ("sha", hex(&sha256(&entry.value)).as_bytes()),
                    ("last", m.last_access_ms.to_string().as_bytes()),
                    ("hits", m.hits.to_string().as_bytes()),
                    ("run", m.last_run.as_bytes()),
                    ("size", m.bytes.to_string().as_bytes()),
                ],
            )
            .ignore()
            .zadd(self.index(), Self::member(&m.name, &m.key), m.last_access_ms)
            .ignore();
        if let Some(ttl) = self.opts.ttl {
            pipe.pexpire(&ek, ttl.as_millis() as i64).ignore();
        }
        self.with("write an entry", |c| pipe.query::<()>(c))
    }

    fn touch(&self, meta: &Meta) -> Result<()> {
        let script = redis::Script::new(TOUCH);
        let mut inv = script.key(self.entry_key(&meta.name, &meta.key));
        inv.key(self.index())
            .arg(meta.last_access_ms)
            .arg(meta.hits)
            .arg(&meta.last_run)
            .arg(Self::member(&meta.name, &meta.key));
        self.with("update an entry", |c| inv.invoke::<i64>(c)).map(drop)
    }

    /// [`Store::record_use`].
    fn use_elsewhere(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> Result<()> {
        let script = redis::Script::new(USED);
        let mut inv = script.key(self.entry_key(name, key));
        inv.key(self.index()).arg(at_ms).arg(run).arg(Self::member(name, key));
        self.with("record a use", |c| inv.invoke::<i64>(c)).map(drop)
    }

    /// [`Store::hit`] in one round trip (the `HIT` script). `refresh` says what
    /// a use sets (last use, run, one more hit): it is applied to a blank record
    /// first, so that the server can apply it while reading.
    fn hit_now(
        &self,
        name: &str,
        key: &Key,
        mut accept: impl FnMut(&Meta, &Vec<u8>) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        let mut used = Meta::blank(*key);
        refresh(&mut used);
        let ek = self.entry_key(name, key);
        let script = redis::Script::new(HIT);
        let mut inv = script.key(&ek);
        inv.key(self.index())
            .key(self.stats_key())
            .arg(used.last_access_ms)
            .arg(&used.last_run)
            .arg(Self::member(name, key))
            .arg(used.hits);
        // One round trip: the script and the value in one transaction.
        type Found =
            (Option<(Option<Vec<u8>>, Option<String>, Option<f64>, Option<u64>, Option<String>)>, Option<Vec<u8>>);
        let query =
            |c: &mut Connection| redis::pipe().atomic().invoke_script(&inv).hget(&ek, "value").query::<Found>(c);
        let found = self.with("read an entry", |c| match query(c) {
            // The server does not know the script yet (first use, a restart,
            // SCRIPT FLUSH): load it and ask again.
            Err(e) if e.kind() == redis::ErrorKind::NoScriptError => script.load(c).and_then(|_| query(c)),
            other => other,
        })?;
        let (Some((meta, sha, last, hits, run)), value) = found else {
            return Ok(false); // counted as a miss by the script
        };
        match self.entry_of(name, key, (meta, value, sha, last, hits, run))? {
            Some(entry) if accept(&entry.meta, &entry.value) => Ok(true),
            // Refused or damaged: the hit the script counted was a miss. (A
            // refused entry keeps its new last use: it is about to be replaced.)
            _ => {
                let stats = self.stats_key();
                self.with("count a miss", |c| {
                    redis::pipe().hincr(&stats, "hits", -1).ignore().hincr(&stats, "misses", 1).ignore().query::<()>(c)
                })?;
                Ok(false)
            }
        }
    }

    fn remove_entry(&self, name: &str, key: &Key) -> Result<bool> {
        let ek = self.entry_key(name, key);
        let size: Option<u64> = self.with("remove an entry", |c| c.hget(&ek, "size"))?;
        let (n,): (u64,) = self.with("remove an entry", |c| {
            redis::pipe().atomic().del(&ek).zrem(self.index(), Self::member(name, key)).ignore().query(c)
        })?;
        if n > 0 {
            self.with("count a removal", |c| {
                c.hincr::<_, _, _, i64>(self.stats_key(), "bytes", -(size.unwrap_or(0) as i64))
            })?;
        }
        Ok(n > 0)
    }

    /// Entries (the index's length) and bytes (a running total).
    fn usage_now(&self) -> Result<Usage> {
        let (entries, bytes): (u64, Option<i64>) =
            self.with("count entries", |c| redis::pipe().zcard(self.index()).hget(self.stats_key(), "bytes").query(c))?;
        Ok(Usage { entries, bytes: bytes.unwrap_or(0).max(0) as u64 })
    }

    fn walk(&self) -> Result<Vec<Meta>> {
        let all = self.walk_range(-1)?;
        // A whole listing recounts the running total of bytes.
        let bytes: u64 = all.iter().map(|m| m.bytes).sum();
        self.with("recount bytes", |c| c.hset::<_, _, _, ()>(self.stats_key(), "bytes", bytes))?;
        Ok(all)
    }

    /// The first `last + 1` entries in the order of last use (`-1`: all).
    fn walk_range(&self, last: isize) -> Result<Vec<Meta>> {
        let members: Vec<String> = self.with("list entries", |c| c.zrange(self.index(), 0, last))?;
        let mut out = Vec::with_capacity(members.len());
        let mut stale = Vec::new();
        for chunk in members.chunks(512) {
            let mut pipe = redis::pipe();
            let mut ids = Vec::with_capacity(chunk.len());
            for member in chunk {
                let Some((name, k)) = member.split_once('\n') else { continue };
                let Some(key) = Key::from_hex(k) else { continue };
                pipe.hget(self.entry_key(name, &key), &["meta", "last", "hits", "run"]);
                ids.push(member.clone());
            }
            type Row = (Option<Vec<u8>>, Option<f64>, Option<u64>, Option<String>);
            let rows: Vec<Row> = self.with("list entries", |c| pipe.query(c))?;
            for (member, (meta, last, hits, run)) in ids.into_iter().zip(rows) {
                match meta.and_then(|j| serde_json::from_slice(&j).ok()).and_then(|j| Meta::from_json(&j)) {
                    Some(mut m) => {
                        m.last_access_ms = last.unwrap_or(m.last_access_ms);
                        m.hits = hits.unwrap_or(m.hits);
                        m.last_run = run.unwrap_or(m.last_run);
                        out.push(m);
                    }
                    // Expired (ttl) or removed without its index entry: forget it.
                    None => stale.push(member),
                }
            }
        }
        if !stale.is_empty() {
            self.with("tidy the index", |c| c.zrem::<_, _, i64>(self.index(), &stale))?;
        }
        Ok(out)
    }

    /// Single-flight: waits while another process holds a live claim on
    /// `key` and the entry is not there; then returns [`Flight::Ready`] if the
    /// entry appeared, or a claim held (and renewed) until the flight is dropped.
    pub fn claim_blocking(&self, name: &str, key: &Key) -> Result<Flight> {
        let lock = self.lock_key(name, key);
        let entry = self.entry_key(name, key);
        let token = format!("{}-{}", std::process::id(), hex(&sha256(format!("{:?}", Instant::now()).as_bytes())[..8]));
        let lease_ms = self.opts.lease.as_millis().max(1) as u64;
        let mut pause = Duration::from_millis(10);
        loop {
            let (exists, got): (bool, Option<String>) = self.with("claim a computation", |c| {
                redis::pipe()
                    .exists(&entry)
                    .cmd("SET")
                    .arg(&lock)
                    .arg(&token)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease_ms)
                    .query(c)
            })?;
            if got.is_some() {
                if exists {
                    // Published while we asked: give the claim back.
                    self.with("release a claim", |c| {
                        redis::Script::new(RELEASE).key(&lock).arg(&token).invoke::<i64>(c)
                    })?;
                    return Ok(Flight::Ready);
                }
                return Ok(self.held(lock, token, lease_ms));
            }
            if exists {
                return Ok(Flight::Ready);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// A claim renewed every third of its lease from a thread with its own
    /// connection, and released when dropped.
    fn held(&self, lock: String, token: String, lease_ms: u64) -> Flight {
        let (stop, stopped) = mpsc::channel::<()>();
        let client = self.client.clone();
        let (l, t) = (lock.clone(), token.clone());
        let renewer = std::thread::spawn(move || {
            let Ok(mut c) = client.get_connection_with_timeout(Duration::from_secs(5)) else { return };
            let every = Duration::from_millis((lease_ms / 3).max(1));
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                let _ = redis::Script::new(RENEW).key(&l).arg(&t).arg(lease_ms).invoke::<i64>(&mut c);
            }
            let _ = redis::Script::new(RELEASE).key(&l).arg(&t).invoke::<i64>(&mut c);
        });
        Flight::held(move || {
            let _ = stop.send(());
            let _ = renewer.join();
        })
    }
}

impl Store<Vec<u8>> for RedisStore {
    fn get(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<Vec<u8>>>>> {
        ready(self.read(name, key))
    }

    fn put(&self, entry: Entry<Vec<u8>>) -> impl Future<Output = Result<()>> {
        ready(self.write(&entry))
    }

    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>> {
        ready(self.touch(meta))
    }

    fn remove(&self, name: &str, key: &Key) -> impl Future<Output = Result<bool>> {
        ready(self.remove_entry(name, key))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(self.walk())
    }

    fn usage(&self) -> impl Future<Output = Result<Usage>> {
        ready(self.usage_now())
    }

    /// The index's first `n` members (by last use; ties by member, which is
    /// not quite the walk's tie order: equal last uses are rare in Redis).
    /// Entry by entry: each removal is one `MULTI` (a sorted set has no bulk
    /// removal that keeps the totals and the values together).
    fn shed(&self, _surely: Usage, _more: impl FnMut(&Meta) -> bool) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(super::store::no_shed())
    }

    fn oldest(&self, n: usize) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(if n == 0 { Ok(Vec::new()) } else { self.walk_range(n as isize - 1) })
    }

    fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &Vec<u8>) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<bool>> {
        ready(self.hit_now(name, key, accept, refresh))
    }

    fn claim(&self, name: &str, key: &Key) -> impl Future<Output = Result<Flight>> {
        ready(self.claim_blocking(name, key))
    }

    fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> impl Future<Output = Result<()>> {
        ready(self.use_elsewhere(name, key, at_ms, run))
    }

    fn stage(&self, name: &str) -> impl Future<Output = Result<std::path::PathBuf>> {
        ready(super::store::no_folders(name))
    }

    fn publish(&self, _staged: &std::path::Path, entry: Entry<Vec<u8>>) -> impl Future<Output = Result<()>> {
        ready(super::store::no_folders(&entry.meta.name))
    }

    fn folder(&self, _name: &str, _key: &Key) -> impl Future<Output = Result<Option<std::path::PathBuf>>> {
        ready(Ok(None))
    }

    /// Not yet: its sorted set of last use holds keys, not sizes (a listing walks).
    fn rows(&self, _name: Option<&str>) -> impl Future<Output = Result<Vec<Row>>> {
        ready(super::no_rows())
    }

    fn row_meta(&self, _row: &Row) -> impl Future<Output = Result<Option<Meta>>> {
        ready(super::no_rows())
    }

    /// `<prefix>:code:<name>`, swapped by one `GETSET`: a function's first
    /// call walks for stale entries only when its code changed.
    fn swap_code(&self, name: &str, code: &str) -> impl Future<Output = Result<Option<String>>> {
        let record = format!("{}:code:{name}", self.opts.prefix);
        ready(self.with("record the code", |c| c.getset(record, code)))
    }
}
