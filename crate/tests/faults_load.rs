//! Fault and load tests of the filesystem store, each with a figure
//! (printed; recorded in docs/reliability.md): writers SIGKILLed mid-write,
//! concurrent writers and readers for a fixed time, a store filled past its
//! limits, a full disk (a 2 MiB tmpfs), and a damaged entry of every kind.
//! The rule throughout: zero wrong hits, and no entry whose insert returned
//! is lost (unless evicted or removed on purpose).

#![cfg(all(feature = "native", unix, not(target_arch = "wasm32")))]

#[path = "common/soak.rs"]
mod soak_common;
use serde_json::Value as Json;
use soak_common::{compute, worker};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, NewEntry, Store};
use toolmemo::ErrorKind;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-faults-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn new_entry(name: &str, bytes: usize) -> NewEntry {
    NewEntry {
        key: function_key(name, "v:1", &[]).key,
        kind: Kind::Function,
        name: name.into(),
        bytes: bytes as u64,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::json!({"n": name}),
        format: toolmemo::memory::format::JSON,
    }
}

fn mem_on(
    store: FsStore<toolmemo::memory::StdDisk>,
    limits: Limits,
) -> Memory<FsStore<toolmemo::memory::StdDisk>, Vec<u8>> {
    Memory::new(store, limits, "t".into(), Box::new(toolmemo::memory::cached::system_clock_ms))
}

#[test]
fn sigkill_during_writes_loses_no_entry_whose_insert_returned() {
    let kills = 200;
    let dir = scratch("kill");
    let log = dir.with_extension("log");
    let _ = std::fs::remove_file(&log);
    FsStore::open(&dir).unwrap();
    let mut seed = 0x9E3779B97F4A7C15u64;
    for run in 0..kills {
        // Each writer publishes new keys (faults_replace_window.rs kills
        // writers that replace entries).
        let start = (run * 1_000_000).to_string();
        let mut child =
            Command::new(worker()).args(["log", dir.to_str().unwrap(), log.to_str().unwrap(), &start]).spawn().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(3_000 + seed % 20_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // Every index logged was fully written (its insert returned): it must be there, exact.
    let store = FsStore::open(&dir).unwrap();
    let logged: Vec<u64> = std::fs::read_to_string(&log).unwrap().lines().filter_map(|l| l.parse().ok()).collect();
    let mut checked = 0;
    for &i in &logged {
        let name = format!("w{i}");
        let got = block_on(store.get(&name, &function_key(&name, "v:1", &[]).key)).unwrap();
        assert_eq!(got.map(|e| e.value), Some(compute(i)), "entry w{i} was written, then lost or damaged");
        checked += 1;
    }
    // And everything listed (including entries cut off before their log line) is exact.
    let mut listed = 0;
    for m in block_on(store.list()).unwrap() {
        let i: u64 = m.name[1..].parse().unwrap();
        if let Some(e) = block_on(store.get(&m.name, &m.key)).unwrap() {
            assert_eq!(e.value, compute(i), "wrong value for {}", m.name);
            listed += 1;
        }
    }
    assert!(store.take_incidents().is_empty(), "no entry was torn");
    eprintln!("sigkill: {kills} kills, {checked} logged entries all present and exact, {listed} listed entries exact");
    assert!(checked > kills, "writers published entries between kills ({checked})");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn concurrent_writers_and_readers_for_a_fixed_time_never_hit_wrong() {
    let (writers, readers, secs, keys) = (4, 4, 4, 64);
    let dir = scratch("load");
    FsStore::open(&dir).unwrap();
    let children: Vec<_> = (0..writers + readers)
        .map(|w| {
            let readonly = if w >= writers { "1" } else { "0" };
            Command::new(worker())
                .args([
                    "calls",
                    dir.to_str().unwrap(),
                    &(w * 31 + 5).to_string(),
                    "100000000",
                    &secs.to_string(),
                    &keys.to_string(),
                    readonly,
                ])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut calls, mut hits, mut reader_hits, mut incidents) = (0.0, 0.0, 0.0, 0.0);
    for (n, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let j: Json = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(j["wrong"], 0, "wrong hits in worker {n}: {j}");
        assert_eq!(j["errors"], 0, "store errors in worker {n}: {j}");
        calls += j["calls"].as_f64().unwrap();
        hits += j["hits"].as_f64().unwrap();
        incidents += j["incidents"].as_f64().unwrap();
        if n >= writers {
            reader_hits += j["hits"].as_f64().unwrap();
        }
    }
    eprintln!(
        "load: {writers} writers + {readers} readers, {secs} s: {calls} calls, {hits} hits ({reader_hits} by readers), 0 wrong, {incidents} entries reported damaged (races with removal)"
    );
    assert!(reader_hits > 100.0, "readers saw entries");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_filled_far_past_its_limits_keeps_within_them_and_keeps_the_newest() {
    let dir = scratch("full");
    let limits = Limits { bytes: Some(64 * 1024), items: Some(40), age_ms: None };
    let mem = mem_on(FsStore::open(&dir).unwrap().durable(false), limits);
    let n = 1500u64;
    let mut evicted = 0;
    for i in 0..n {
        let name = format!("f{i}");
        let value = compute(i * 13);
        evicted += block_on(mem.insert(new_entry(&name, value.len()), value)).unwrap().len();
        let stats = block_on(mem.stats()).unwrap();
        assert!(stats.entries <= 40 && stats.bytes <= 64 * 1024, "over the limits after {i}: {stats:?}");
        let key = function_key(&name, "v:1", &[]).key;
        assert!(block_on(mem.contains(&name, &key)).unwrap(), "the newest entry f{i} was evicted");
    }
    for m in block_on(mem.entries()).unwrap() {
        let i: u64 = m.name[1..].parse().unwrap();
        assert!(i >= n - 40, "an old entry {} survived newer ones", m.name);
        assert_eq!(block_on(mem.store().get(&m.name, &m.key)).unwrap().unwrap().value, compute(i * 13));
    }
    eprintln!(
        "filled: {n} inserts into 40 items / 64 KiB: {evicted} evicted, never over the limits, the newest always kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small tmpfs (root only; CI runs as root): inserts until the disk is full.
#[test]
fn a_full_disk_is_an_error_that_loses_and_damages_nothing() {
    let dir = scratch("diskfull");
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"]).arg(&dir).status();
    assert!(
        mounted.is_ok_and(|s| s.success()),
        "cannot mount a 2 MiB tmpfs at {} (needs root: run the tests as root, as CI does)",
        dir.display()
    );
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
            let _ = std::fs::remove_dir_all(self.0);
        }
    }
    let _guard = Unmount(&dir);
    let root = dir.join("cache");
    let mem = mem_on(FsStore::open(&root).unwrap(), Limits::default());
    let (mut ok, mut failed) = (Vec::new(), 0);
    for i in 0..200u64 {
        let name = format!("d{i}");
        let value: Vec<u8> = compute(i).into_iter().cycle().take(40 * 1024 + i as usize).collect();
        match block_on(mem.insert(new_entry(&name, value.len()), value)) {
            Ok(_) => ok.push(i),
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::Store, "{e}");
                assert!(e.message.contains("No space") || e.message.contains("space"), "{e}");
                failed += 1;
            }
        }
    }
    assert!(failed > 0, "the disk filled up");
    let check = |mem: &Memory<FsStore<toolmemo::memory::StdDisk>, Vec<u8>>, ids: &[u64]| {
        for &i in ids {
            let name = format!("d{i}");
            let v = block_on(mem.lookup_value(&name, &function_key(&name, "v:1", &[]).key, |_| true)).unwrap();
            let want: Vec<u8> = compute(i).into_iter().cycle().take(40 * 1024 + i as usize).collect();
            assert_eq!(v, Some(want), "d{i} was stored, then lost or damaged");
        }
    };
    check(&mem, &ok);
    // Hits still work on a full disk (the access record is rewritten in place).
    let listed = block_on(mem.entries()).unwrap().len();
    assert_eq!(listed, ok.len(), "only whole entries are listed");
    let leftovers = std::fs::read_dir(root.join("d0").join(".tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "failed writes left nothing behind in .tmp");
    // Space freed, writes work again.
    block_on(mem.reduce_size(&Limits { items: Some(ok.len() / 2), ..Limits::default() })).unwrap();
    let value = compute(999);
    block_on(mem.insert(new_entry("again", value.len()), value.clone())).unwrap();
    assert_eq!(
        block_on(mem.lookup_value("again", &function_key("again", "v:1", &[]).key, |_| true)).unwrap(),
        Some(value)
    );
    eprintln!("disk full: 2 MiB tmpfs, {} inserts succeeded, {failed} refused with a store error, 0 lost, 0 damaged, writes resume after eviction", ok.len());
}

/// Every kind of damage to an entry's files: a miss (then recomputed), never a wrong hit.
#[test]
fn a_damaged_entry_of_every_kind_is_a_miss_never_a_wrong_value() {
    type Damage = (&'static str, &'static str, fn(&Path));
    let write = |p: &Path, b: &[u8]| std::fs::write(p, b).unwrap();
    let _ = write;
    let damages: Vec<Damage> = vec![
        ("value", "missing", |p| std::fs::remove_file(p).unwrap()),
        ("value", "empty", |p| std::fs::write(p, b"").unwrap()),
        ("value", "truncated", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..b.len() / 2]).unwrap()
        }),
        ("value", "extended", |p| {
            let mut b = std::fs::read(p).unwrap();
            b.push(0);
            std::fs::write(p, b).unwrap()
        }),
        ("value", "one bit flipped", |p| {
            let mut b = std::fs::read(p).unwrap();
            let n = b.len() / 3;
            b[n] ^= 4;
            std::fs::write(p, b).unwrap()
        }),
        ("value", "zeroed (a torn page)", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, vec![0; b.len()]).unwrap()
        }),
        ("value", "a folder", |p| {
            std::fs::remove_file(p).unwrap();
            std::fs::create_dir(p).unwrap()
        }),
        ("meta.json", "missing", |p| std::fs::remove_file(p).unwrap()),
        ("meta.json", "empty", |p| std::fs::write(p, b"").unwrap()),
        ("meta.json", "truncated", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..b.len() / 2]).unwrap()
        }),
        ("meta.json", "not JSON", |p| std::fs::write(p, b"\x00\xff garbage").unwrap()),
        ("meta.json", "JSON of another shape", |p| std::fs::write(p, b"[1, 2, 3]").unwrap()),
        ("meta.json", "another entry's key", |p| {
            let t = std::fs::read_to_string(p).unwrap();
            let j: Json = serde_json::from_str(&t).unwrap();
            let k = j["meta"]["key"].as_str().unwrap().to_string();
            std::fs::write(p, t.replace(&k, &"0".repeat(64))).unwrap()
        }),
        ("meta.json", "wrong recorded length", |p| {
            let mut j: Json = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            j["value"]["bytes"] = (j["value"]["bytes"].as_u64().unwrap() + 1).into();
            std::fs::write(p, j.to_string()).unwrap()
        }),
        ("meta.json", "wrong recorded sha256", |p| {
            let mut j: Json = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            j["value"]["sha256"] = "ab".repeat(32).into();
            std::fs::write(p, j.to_string()).unwrap()
        }),
        ("meta.json", "a folder", |p| {
            std::fs::remove_file(p).unwrap();
            std::fs::create_dir(p).unwrap()
        }),
        ("access", "missing", |p| std::fs::remove_file(p).unwrap()),
        ("access", "truncated", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..10]).unwrap()
        }),
        ("access", "one bit flipped", |p| {
            let mut b = std::fs::read(p).unwrap();
            b[14] ^= 1;
            std::fs::write(p, b).unwrap()
        }),
        ("access", "garbage", |p| std::fs::write(p, [0xAAu8; 69]).unwrap()),
        // Earlier versions also wrote the readable inputs there; nothing reads it.
        ("sidecar.json", "garbage", |p| std::fs::write(p, b"{{{{").unwrap()),
        ("", "entry folder emptied", |p| {
            for f in std::fs::read_dir(p).unwrap() {
                let _ = std::fs::remove_file(f.unwrap().path());
            }
        }),
        ("", "entry folder replaced by a file", |p| {
            std::fs::remove_dir_all(p).unwrap();
            std::fs::write(p, b"x").unwrap()
        }),
    ];
    let value: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 253) as u8).collect();
    let mut kinds = 0;
    for compressed in [false, true] {
        for (file, how, damage) in &damages {
            let dir = scratch("damage");
            let open = || {
                let s = FsStore::open(&dir).unwrap();
                if compressed {
                    s.compress(6)
                } else {
                    s
                }
            };
            let mem = mem_on(open(), Limits::default());
            let key = function_key("f", "v:1", &[]).key;
            block_on(mem.insert(new_entry("f", value.len()), value.clone())).unwrap();
            // A hit, so the entry has an access record (an insert writes none).
            assert!(block_on(mem.lookup_value("f", &key, |_| true)).unwrap().is_some());
            let entry = mem.store().entry_dir("f", &key);
            damage(&if file.is_empty() { entry.clone() } else { entry.join(file) });
            let mem = mem_on(open(), Limits::default());
            let what = format!("{file} {how} (compressed: {compressed})");
            let listed = block_on(mem.entries());
            assert!(listed.is_ok() || *how == "entry folder replaced by a file", "{what}: listing failed: {listed:?}");
            match block_on(mem.lookup_value("f", &key, |_| true)) {
                Ok(Some(v)) => assert_eq!(v, value, "{what}: a wrong hit"),
                Ok(None) => {}
                Err(e) => assert_eq!(e.kind, ErrorKind::Store, "{what}: {e}"),
            }
            // The caller recomputes and stores again; then it is a hit, exact.
            if !(*how == "entry folder replaced by a file" || (*how == "a folder" && !file.is_empty())) {
                block_on(mem.insert(new_entry("f", value.len()), value.clone()))
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(block_on(mem.lookup_value("f", &key, |_| true)).unwrap(), Some(value.clone()), "{what}");
            }
            kinds += 1;
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    eprintln!("damage: {kinds} kinds of damage (plain and compressed), 0 wrong hits");
}
