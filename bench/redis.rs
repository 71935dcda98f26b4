//! Hits through the Redis store on loopback against the local filesystem store
//! (`cargo bench --features redis --bench redis`; starts its own redis-server).
//! Prints one JSON line: median µs per hit of a small function call and of a
//! stored 1 MB value, each way, and of a bare PING round trip; and (issue 15)
//! µs per insert with an item limit into a full Redis store of 400 and of
//! 20,000 entries (each insert evicts the least recently used).

#[path = "common.rs"]
mod common;
use common::{int_entry as entry, per_call_us};
use std::process::{Command, Stdio};
use std::time::Duration;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{FsStore, Kind, Limits, Memory, NewEntry, RedisOptions, RedisStore};

/// (small hit µs, 1 MB value hit µs) of a Memory over `store`: a cached
/// function of two ints, and a stored 1 MB value looked up by key.
fn hits<S: toolmemo::memory::Store<Vec<u8>>>(store: S) -> (f64, f64) {
    let mem = Memory::new(store, Limits::default(), "b".into(), Box::new(|| 0.0));
    let add = mem.cache("add", "1", |(a, b): &(i64, i64)| a + b);
    add.call(&(1i64, 2i64)).unwrap();
    let small = per_call_us(|| _ = std::hint::black_box(add.call(&(1i64, 2i64)).unwrap()), 2.0);
    let value: Vec<u8> = (0..1 << 20).map(|i| (i * 7 % 251) as u8).collect();
    let key = toolmemo::memory::function_key("blob", "v:1", &[]).key;
    let new = NewEntry {
        key,
        kind: Kind::Function,
        name: "blob".into(),
        bytes: value.len() as u64,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON,
    };
    block_on(mem.insert(new, value)).unwrap();
    let big = per_call_us(
        || _ = std::hint::black_box(block_on(mem.lookup_value("blob", &key, |_| true)).unwrap().unwrap()),
        2.0,
    );
    (small, big)
}

/// µs per insert into a Redis store holding `n` entries, with `itemsLimit = n`.
fn insert_us(url: &str, n: u64) -> f64 {
    let opts = RedisOptions { prefix: format!("evict{n}"), ..RedisOptions::default() };
    // One clock for both Memories, ticking at every reading.
    let t = std::rc::Rc::new(std::cell::Cell::new(1.0e12));
    let tick = move || {
        let t = t.clone();
        Box::new(move || {
            t.set(t.get() + 1.0);
            t.get()
        }) as Box<dyn Fn() -> f64>
    };
    let fill = Memory::new(RedisStore::open(url, opts.clone()).unwrap(), Limits::default(), "b".into(), tick());
    for i in 0..n {
        block_on(fill.insert(entry(i), vec![1; 8])).unwrap();
    }
    let limits = Limits { items: Some(n as usize), ..Limits::default() };
    let mem = Memory::new(RedisStore::open(url, opts).unwrap(), limits, "b".into(), tick());
    let calls = 1000;
    let started = std::time::Instant::now();
    for i in n..n + calls {
        assert_eq!(block_on(mem.insert(entry(i), vec![1; 8])).unwrap().len(), 1);
    }
    started.elapsed().as_secs_f64() * 1e6 / calls as f64
}

fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("redis://127.0.0.1:{port}/0");
    // The floor of anything Redis does: one round trip (a hit makes two: read
    // the entry, record the use). Loopback latency varies between machines.
    let mut conn = redis::Client::open(url.as_str()).unwrap().get_connection().unwrap();
    let ping = per_call_us(|| redis::cmd("PING").query::<String>(&mut conn).map(drop).unwrap(), 1.0);
    let redis = hits(RedisStore::open(&url, RedisOptions::default()).unwrap());
    let (insert_400, insert_20k) = (insert_us(&url, 400), insert_us(&url, 20_000));
    let dir = std::env::temp_dir().join(format!("toolmemo-bench-redis-{}", std::process::id()));
    let fs = hits(FsStore::open(&dir).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "{}",
        serde_json::json!({"redis_ping_us": ping, "redis_small_hit_us": redis.0, "redis_mb_hit_us": redis.1, "fs_small_hit_us": fs.0, "fs_mb_hit_us": fs.1,
            "redis_insert_400_us": insert_400, "redis_insert_20k_us": insert_20k})
    );
}
