//! The Redis store against a real `redis-server` (started here on a free
//! loopback port, stopped at the end): the store contract and namespaces, the
//! Rust API's single-flight, and `toolmemo run --store` shared by processes
//! that stand for machines (each with its own local cache folder).

#![cfg(all(feature = "redis", unix))]

use serde_json::{json, Value as Json};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{
    Entry, Flight, Kind, Limits, Memory, MemoryStore, Meta, RedisOptions, RedisStore, Store, Tiered,
};

const BIN: &str = env!("CARGO_BIN_EXE_toolmemo");

/// A redis-server of our own; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    /// `requirepass`, if the server was started with one.
    password: Option<String>,
}

impl Server {
    /// A server on a free loopback port. Tests run in parallel: two servers may
    /// be offered the same port, so a server is ours only when the process that
    /// answers on the port is the one we started.
    fn start() -> Server {
        Server::start_with(None)
    }

    /// A server that requires `password` when one is given.
    fn start_with(password: Option<&str>) -> Server {
        for _ in 0..20 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(password.map(|p| ["--requirepass", p]).iter().flatten())
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server is installed (scripts/setup.sh installs it)");
            let until = Instant::now() + Duration::from_secs(10);
            let pid = loop {
                if child.try_wait().unwrap().is_some() || Instant::now() > until {
                    break None;
                }
                let auth = password.map_or(String::new(), |p| format!(":{p}@"));
                let info = redis::Client::open(format!("redis://{auth}127.0.0.1:{port}/0"))
                    .and_then(|c| c.get_connection())
                    .and_then(|mut c| redis::cmd("INFO").arg("server").query::<String>(&mut c));
                if let Ok(info) = info {
                    break info
                        .lines()
                        .find_map(|l| l.strip_prefix("process_id:"))
                        .and_then(|p| p.trim().parse::<u32>().ok());
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            if pid == Some(child.id()) {
                return Server { child, port, password: password.map(str::to_string) };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("could not start a redis-server of our own");
    }

    fn url(&self) -> String {
        let auth = self.password.as_ref().map_or(String::new(), |p| format!(":{p}@"));
        format!("redis://{auth}127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn store(server: &Server, prefix: &str) -> RedisStore {
    RedisStore::open(&server.url(), RedisOptions { prefix: prefix.into(), ..Default::default() }).unwrap()
}

fn meta(name: &str, i: u64, last: f64) -> Meta {
    let key =
        toolmemo::memory::function_key(name, "v:1", &[("0".into(), toolmemo::fingerprint::Datum::Int(i as i64))]).key;
    Meta {
        key,
        kind: Kind::Function,
        name: name.into(),
        created_ms: last,
        last_access_ms: last,
        last_run: "r".into(),
        hits: 0,
        bytes: 3,
        duration_ms: 1.0,
        code: None,
        args: None,
        sidecar: json!({"x": i}),
        format: toolmemo::memory::format::JSON.to_string(),
    }
}

#[test]
fn the_store_contract_holds_and_namespaces_do_not_see_each_other() {
    let server = Server::start();
    let a = store(&server, "team-a");
    let b = store(&server, "team-b");
    for i in 0..5 {
        block_on(a.put(Entry { meta: meta("f", i, i as f64), value: vec![i as u8; 3] })).unwrap();
    }
    block_on(b.put(Entry { meta: meta("f", 0, 0.0), value: b"bee".to_vec() })).unwrap();
    let m0 = meta("f", 0, 0.0);
    assert_eq!(block_on(a.get("f", &m0.key)).unwrap().unwrap().value, vec![0; 3]);
    assert_eq!(block_on(b.get("f", &m0.key)).unwrap().unwrap().value, b"bee");
    assert_eq!(block_on(a.list()).unwrap().len(), 5);
    assert_eq!(block_on(b.list()).unwrap().len(), 1);

    // Eviction through Memory reads last use from Redis: the least recently used go.
    let mem = Memory::new(a, Limits::default(), "run".into(), Box::new(|| 100.0));
    assert!(block_on(mem.lookup_value("f", &m0.key, |_| true)).unwrap().is_some()); // f/0 is now the newest
    let removed = block_on(mem.reduce_size(&Limits { items: Some(2), ..Limits::default() })).unwrap();
    let gone: Vec<u64> = removed.iter().map(|m| m.sidecar["x"].as_u64().unwrap()).collect();
    assert_eq!(gone, vec![1, 2, 3]);
    let left = block_on(mem.entries()).unwrap();
    assert_eq!(left.len(), 2);
    assert_eq!(left.iter().find(|m| m.key == m0.key).unwrap().hits, 1);
    assert_eq!(mem.store().counters().unwrap(), (1, 0));

    // Clearing one namespace leaves the other whole.
    block_on(mem.clear()).unwrap();
    assert!(block_on(mem.entries()).unwrap().is_empty());
    assert_eq!(block_on(b.get("f", &m0.key)).unwrap().unwrap().value, b"bee");

    // A value too large is refused whole, never stored in part.
    let small = RedisStore::open(
        &server.url(),
        RedisOptions { prefix: "small".into(), max_value_bytes: 10, ..Default::default() },
    )
    .unwrap();
    let err = block_on(small.put(Entry { meta: meta("f", 9, 0.0), value: vec![0; 11] })).unwrap_err();
    assert!(err.message.contains("larger than this Redis store takes"), "{}", err.message);
    assert!(block_on(small.list()).unwrap().is_empty());

    // A damaged value (another writer, a hand edit) is a miss and is removed.
    let c = store(&server, "team-c");
    let m = meta("f", 1, 0.0);
    block_on(c.put(Entry { meta: m.clone(), value: b"abc".to_vec() })).unwrap();
    let mut raw = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    let _: () =
        redis::cmd("HSET").arg(format!("team-c:e:f:{}", m.key.hex())).arg("value").arg("abd").query(&mut raw).unwrap();
    assert!(block_on(c.get("f", &m.key)).unwrap().is_none());
    assert!(block_on(c.list()).unwrap().is_empty());

    // A function's code is recorded per namespace: its first call walks for
    // stale entries only when the code changed (joblib's func_code.py).
    assert_eq!(block_on(c.swap_code("f", "v:1")).unwrap(), None);
    assert_eq!(block_on(c.swap_code("f", "v:1")).unwrap().as_deref(), Some("v:1"));
    assert_eq!(block_on(c.swap_code("f", "v:2")).unwrap().as_deref(), Some("v:1"));
    assert_eq!(block_on(b.swap_code("f", "v:9")).unwrap(), None, "another namespace keeps its own");
    let mem = Memory::new(c, Limits::default(), "run".into(), Box::new(|| 1.0));
    block_on(mem.store().put(Entry { meta: meta("f", 2, 0.0), value: b"old".to_vec() })).unwrap();
    assert!(block_on(mem.drop_stale_code("f", "v:2")).unwrap().is_empty(), "unchanged: no walk, nothing dropped");
    assert_eq!(block_on(mem.drop_stale_code("f", "v:3")).unwrap().len(), 1, "changed: the old code's entry goes");
}

#[test]
fn a_password_url_connects_and_a_wrong_password_is_a_clear_error_that_does_not_show_it() {
    let server = Server::start_with(Some("s3cret-word"));
    let s = store(&server, "auth");
    let m = meta("f", 1, 0.0);
    block_on(s.put(Entry { meta: m.clone(), value: b"abc".to_vec() })).unwrap();
    assert_eq!(block_on(s.get("f", &m.key)).unwrap().unwrap().value, b"abc");

    for url in
        [format!("redis://:wrong-word@127.0.0.1:{}/0", server.port), format!("redis://127.0.0.1:{}/0", server.port)]
    {
        let err = RedisStore::open(&url, RedisOptions::default()).err().expect("refused");
        assert_eq!(err.kind, toolmemo::ErrorKind::Store);
        assert!(!err.message.contains("wrong-word") && !err.message.contains("s3cret"), "{}", err.message);
        assert!(err.message.contains(&server.port.to_string()), "names the server: {}", err.message);
    }
}

#[test]
fn a_hit_is_one_round_trip_that_counts_right_and_survives_a_script_flush() {
    let server = Server::start();
    let mem = Memory::new(store(&server, "hits"), Limits::default(), "run-h".into(), Box::new(|| 7_000.0));
    let m = meta("f", 1, 1_000.0);
    block_on(mem.store().put(Entry { meta: m.clone(), value: b"abc".to_vec() })).unwrap();
    let entry = || block_on(mem.store().get("f", &m.key)).unwrap().unwrap().meta;

    assert_eq!(block_on(mem.lookup_value("f", &m.key, |_| true)).unwrap().as_deref(), Some(&b"abc"[..]));
    assert_eq!((entry().hits, entry().last_access_ms, entry().last_run), (1, 7_000.0, "run-h".to_string()));
    assert_eq!(mem.store().counters().unwrap(), (1, 0));

    // A refused entry (expired, `validate` said no) is a miss, not a hit.
    assert!(block_on(mem.lookup_value("f", &m.key, |_| false)).unwrap().is_none());
    assert_eq!(mem.store().counters().unwrap(), (1, 1));
    // So is an absent one.
    let absent = meta("f", 2, 0.0).key;
    assert!(block_on(mem.lookup_value("f", &absent, |_| true)).unwrap().is_none());
    assert_eq!(mem.store().counters().unwrap(), (1, 2));

    // The server forgets its scripts (a restart, SCRIPT FLUSH): hits go on.
    let mut c = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    redis::cmd("SCRIPT").arg("FLUSH").query::<()>(&mut c).unwrap();
    assert_eq!(block_on(mem.lookup_value("f", &m.key, |_| true)).unwrap().as_deref(), Some(&b"abc"[..]));
    assert_eq!(mem.store().counters().unwrap(), (2, 2));

    // A damaged value is a miss, and goes.
    let _: () =
        redis::cmd("HSET").arg(format!("hits:e:f:{}", m.key.hex())).arg("value").arg("abd").query(&mut c).unwrap();
    assert!(block_on(mem.lookup_value("f", &m.key, |_| true)).unwrap().is_none());
    assert_eq!(mem.store().counters().unwrap(), (2, 3));
    assert!(block_on(mem.store().get("f", &m.key)).unwrap().is_none());
}

#[test]
fn local_hits_in_front_of_redis_are_reported_to_it_at_most_once_a_minute() {
    let server = Server::start();
    let tiered = Tiered::new(MemoryStore::<Vec<u8>>::default(), store(&server, "tiers"));
    let m = meta("f", 1, 1_000.0);
    block_on(tiered.put(Entry { meta: m.clone(), value: b"abc".to_vec() })).unwrap();
    let hit_at = |t: f64| {
        let refresh = |meta: &mut Meta| {
            meta.hits += 1;
            meta.last_access_ms = t;
            meta.last_run = format!("run@{t}");
        };
        let mut seen = None;
        let taken = block_on(tiered.hit(
            "f",
            &m.key,
            |_, v: &Vec<u8>| {
                seen = Some(v.clone());
                true
            },
            refresh,
        ))
        .unwrap();
        taken.then_some(seen).flatten()
    };
    let in_redis = || {
        let e = block_on(tiered.shared.as_ref().unwrap().get("f", &m.key)).unwrap().unwrap();
        (e.meta.hits, e.meta.last_access_ms, e.meta.last_run)
    };
    assert_eq!(in_redis(), (0, 1_000.0, "r".to_string()));
    assert_eq!(hit_at(2_000.0).as_deref(), Some(&b"abc"[..]), "served by the local tier");
    assert_eq!(in_redis(), (1, 2_000.0, "run@2000".to_string()), "and reported");
    hit_at(30_000.0);
    assert_eq!(in_redis().0, 1, "not again within a minute");
    hit_at(63_000.0);
    assert_eq!(in_redis(), (2, 63_000.0, "run@63000".to_string()), "a minute later, reported again");

    // Behind an Rc (a store shared by several Memories) Redis is still Redis:
    // its claims are real leases and it hears of uses.
    let rc = std::rc::Rc::new(store(&server, "rc"));
    let flight = block_on(rc.claim("f", &m.key)).unwrap();
    assert!(matches!(flight, Flight::Held(Some(_))), "a lease, not the free claim of a private store");
    drop(flight);
    block_on(rc.put(Entry { meta: m.clone(), value: b"abc".to_vec() })).unwrap();
    block_on(rc.record_use("f", &m.key, 5_000.0, "rc-run")).unwrap();
    assert_eq!(block_on(rc.get("f", &m.key)).unwrap().unwrap().meta.hits, 1);

    // An entry the shared tier no longer has is not brought back by a report.
    block_on(tiered.shared.as_ref().unwrap().remove("f", &m.key)).unwrap();
    assert!(hit_at(200_000.0).is_some(), "still a local hit");
    assert!(block_on(tiered.shared.as_ref().unwrap().get("f", &m.key)).unwrap().is_none());
}

#[test]
fn single_flight_computes_a_missing_key_once_across_callers() {
    let server = Server::start();
    let computed = Arc::new(AtomicUsize::new(0));
    let url = server.url();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (computed, url) = (computed.clone(), url.clone());
            std::thread::spawn(move || {
                let s = RedisStore::open(&url, RedisOptions { prefix: "flight".into(), ..Default::default() }).unwrap();
                let mem = Memory::new(s, Limits::default(), "run".into(), Box::new(|| 0.0));
                let slow = mem.cache("slow", "1", |x: &i64| {
                    computed.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(300));
                    x * 2
                });
                slow.call(&21).unwrap()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 42);
    }
    assert_eq!(computed.load(Ordering::SeqCst), 1, "one caller computed, the others waited for it");
}

/// A lab for `toolmemo run --store`: a counting tool, and a local cache per "machine".
struct Lab {
    dir: PathBuf,
}

impl Lab {
    fn new(name: &str, body: &str) -> Lab {
        let dir = std::env::temp_dir().join(format!("toolmemo-redis-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("runs.log");
        let script = dir.join("tool.sh");
        std::fs::write(&script, format!("#!/bin/sh\necho run >> '{}'\n{body}\n", log.display())).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("in.txt"), "shared input\n").unwrap();
        let spec = json!({
            "name": "Slow", "command": script.to_string_lossy(),
            "inputs": {
                "in_file": {"type": {"File": {"exists": true}}, "argstr": "%s", "position": 0, "mandatory": true},
                "out_file": {"type": "File", "argstr": "%s", "position": 1, "genfile": true, "hash_files": false,
                             "name_source": ["in_file"], "name_template": "%s_out", "keep_extension": true}
            },
            "outputs": {"out_file": {"type": "File"}}
        });
        std::fs::write(dir.join("spec.json"), spec.to_string()).unwrap();
        Lab { dir }
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(self.dir.join("runs.log")).map_or(0, |s| s.lines().count())
    }

    /// `toolmemo run` as machine `machine` (its own local cache).
    fn command(&self, server_url: &str, machine: &str, extra: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(["run", "--json", "--spec", "spec.json", "--set", "in_file=in.txt", "--store", server_url])
            .args(extra)
            .current_dir(&self.dir)
            .env("TOOLMEMO_CACHE_DIR", self.dir.join(format!("cache-{machine}")))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Waits until `child`'s tool has started (it logs a line first thing).
    fn wait_for_the_tool(&self, child: &mut Child) {
        let until = Instant::now() + Duration::from_secs(30);
        while self.runs() == 0 {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("toolmemo ended ({status}) before its tool started: {err}");
            }
            assert!(Instant::now() < until, "the tool never started");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn run(&self, server_url: &str, machine: &str, extra: &[&str]) -> Output {
        self.command(server_url, machine, extra).output().unwrap()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn json_of(o: &Output) -> Json {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

const UPPER: &str = r#"tr a-z A-Z < "$1" > "$2""#;

#[test]
fn two_machines_share_a_run() {
    let server = Server::start();
    let lab = Lab::new("share", UPPER);
    let first = json_of(&lab.run(&server.url(), "m1", &[]));
    assert_eq!((first["cached"].clone(), first["fromShared"].clone()), (json!(false), json!(false)));
    let second = json_of(&lab.run(&server.url(), "m2", &[]));
    assert_eq!((second["cached"].clone(), second["fromShared"].clone()), (json!(true), json!(true)));
    assert_eq!(lab.runs(), 1, "the second machine did not run the tool");
    let out = second["outputs"]["out_file"].as_str().unwrap();
    assert!(out.starts_with(lab.dir.join("cache-m2").to_str().unwrap()), "{out}");
    assert_eq!(std::fs::read_to_string(out).unwrap(), "SHARED INPUT\n");
    let shared = store(&server, "toolmemo");
    let used = |what: &str| {
        let metas = block_on(shared.list()).unwrap();
        assert_eq!(metas.len(), 1, "{what}: one shared run");
        (metas[0].hits, metas[0].last_access_ms)
    };
    let (hits, last) = used("after m2 fetched it");
    assert_eq!(hits, 1);
    std::thread::sleep(Duration::from_millis(20));
    // Now a local hit on m2, served without reading Redis, but reported to it:
    // the shared store's eviction order must see that the run is in use.
    let third = json_of(&lab.run(&server.url(), "m2", &[]));
    assert_eq!((third["cached"].clone(), third["fromShared"].clone()), (json!(true), json!(false)));
    assert_eq!(third["note"], Json::Null, "the use was reported");
    let (hits_after, last_after) = used("after m2's local hit");
    assert_eq!(hits_after, 2);
    assert!(last_after > last, "last use moved: {last} -> {last_after}");
    // A shared store that cannot record the use (here its index is no longer
    // a sorted set) does not cost the local hit: it is served, with a note.
    let mut c = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    redis::cmd("SET").arg("toolmemo:idx").arg("not a sorted set").query::<()>(&mut c).unwrap();
    let fourth = json_of(&lab.run(&server.url(), "m2", &[]));
    assert_eq!(fourth["cached"], json!(true));
    assert!(fourth["note"].as_str().is_some_and(|n| n.contains("not told of this use")), "{fourth}");
}

#[test]
fn a_local_copy_whose_output_was_deleted_is_fetched_again_not_rerun_and_the_shared_run_stays() {
    let server = Server::start();
    let lab = Lab::new("refetch", UPPER);
    json_of(&lab.run(&server.url(), "m1", &[]));
    let second = json_of(&lab.run(&server.url(), "m2", &[]));
    let out = PathBuf::from(second["outputs"]["out_file"].as_str().unwrap());
    // The local copy's file goes (a user cleaning up); the shared run is whole.
    std::fs::remove_file(&out).unwrap();
    let third = json_of(&lab.run(&server.url(), "m2", &[]));
    assert_eq!((third["cached"].clone(), third["fromShared"].clone()), (json!(true), json!(true)));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "SHARED INPUT\n", "the output is back");
    assert_eq!(lab.runs(), 1, "nothing ran again");
    assert_eq!(block_on(store(&server, "toolmemo").list()).unwrap().len(), 1, "the shared run was not removed");
}

#[test]
fn machines_racing_on_one_missing_run_compute_it_once() {
    let server = Server::start();
    let lab = Lab::new("race", &format!("sleep 1\n{UPPER}"));
    let children: Vec<Child> =
        (0..3).map(|i| lab.command(&server.url(), &format!("m{i}"), &[]).spawn().unwrap()).collect();
    let answers: Vec<Json> = children.into_iter().map(|c| json_of(&c.wait_with_output().unwrap())).collect();
    assert_eq!(lab.runs(), 1, "one machine ran the tool");
    assert_eq!(answers.iter().filter(|a| a["cached"] == false).count(), 1);
    for a in &answers {
        assert_eq!(std::fs::read_to_string(a["outputs"]["out_file"].as_str().unwrap()).unwrap(), "SHARED INPUT\n");
    }
}

#[test]
fn when_the_computing_machine_dies_another_takes_over_after_the_lease() {
    let server = Server::start();
    let lab = Lab::new("lease", &format!("sleep 20\n{UPPER}"));
    let lease = ["--redis-lease", "1s"];
    let mut doomed = lab.command(&server.url(), "m1", &lease).spawn().unwrap();
    lab.wait_for_the_tool(&mut doomed);
    doomed.kill().unwrap(); // SIGKILL: its lease is no longer renewed
    doomed.wait().unwrap();
    // The second machine's tool is quick: replace the script's sleep.
    let script = lab.dir.join("tool.sh");
    let text = std::fs::read_to_string(&script).unwrap().replace("sleep 20", "true");
    std::fs::write(&script, text).unwrap();
    let started = Instant::now();
    let taken = json_of(&lab.run(&server.url(), "m2", &lease));
    assert_eq!(taken["cached"], false, "the second machine computed it");
    assert_eq!(lab.runs(), 2);
    assert!(started.elapsed() < Duration::from_secs(8), "waited {:?}: about one lease", started.elapsed());
}

#[test]
fn losing_redis_mid_run_is_a_clear_error_and_the_local_run_stays_whole() {
    let mut server = Server::start();
    let lab = Lab::new("lost", &format!("sleep 1\n{UPPER}"));
    let mut child = lab.command(&server.url(), "m1", &[]).spawn().unwrap();
    lab.wait_for_the_tool(&mut child);
    server.stop();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error[store]: redis at redis://127.0.0.1:"), "{err}");
    // The machine's own cache holds the whole run: a hit without Redis.
    let local = Command::new(BIN)
        .args(["run", "--json", "--spec", "spec.json", "--set", "in_file=in.txt"])
        .current_dir(&lab.dir)
        .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache-m1"))
        .env_remove("TOOLMEMO_STORE")
        .output()
        .unwrap();
    let local = json_of(&local);
    assert_eq!(local["cached"], true);
    assert_eq!(std::fs::read_to_string(local["outputs"]["out_file"].as_str().unwrap()).unwrap(), "SHARED INPUT\n");
    assert_eq!(lab.runs(), 1);
    // And with Redis gone, asking it is a clear error, not a hang.
    let down = lab.run(&server.url(), "m3", &[]);
    assert_eq!(down.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("cannot connect"),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
}

#[test]
fn a_run_too_large_to_share_stays_local_and_says_so() {
    let server = Server::start();
    let lab = Lab::new("large", "head -c 4096 /dev/zero > \"$2\"");
    let first = json_of(&lab.run(&server.url(), "m1", &["--redis-max-value", "1K"]));
    assert!(first["note"].as_str().unwrap().starts_with("not shared: the run's outputs"), "{}", first["note"]);
    let other = json_of(&lab.run(&server.url(), "m2", &["--redis-max-value", "1K"]));
    assert_eq!(other["cached"], false, "nothing partial was shared");
    assert_eq!(lab.runs(), 2);
    let ls = Command::new(BIN)
        .args(["ls", "--json", "--store", &server.url()])
        .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache-m1"))
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Json>(&ls.stdout).unwrap(), json!([]));
}
