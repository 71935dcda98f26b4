//! Replacing an entry never leaves its key without one: a writer killed while
//! republishing keys that already have entries loses nothing fully written.
//! (Found by the reliability suite: the old entry used to be moved into
//! `.trash/` before the new one was renamed in; now the two are swapped in one
//! `renameat2(RENAME_EXCHANGE)` where the platform has it.)

#![cfg(all(feature = "native", unix, not(target_arch = "wasm32")))]

#[path = "common/soak.rs"]
mod soak_common;
use soak_common::compute;
use std::process::Command;
use std::time::Duration;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Store};

#[test]
fn a_writer_killed_while_replacing_an_entry_loses_nothing_fully_written() {
    let exe = soak_common::worker();
    let dir = std::env::temp_dir().join(format!("toolmemo-replace-window-{}", std::process::id()));
    let log = dir.with_extension("log");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&log);
    FsStore::open(&dir).unwrap();
    let mut seed = 0x9E3779B97F4A7C15u64;
    for _ in 0..200 {
        // Every writer starts again at w0: each publish replaces an entry.
        let mut child =
            Command::new(&exe).args(["log", dir.to_str().unwrap(), log.to_str().unwrap(), "0"]).spawn().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(3_000 + seed % 20_000));
        child.kill().unwrap();
        child.wait().unwrap();
        let store = FsStore::open(&dir).unwrap();
        for i in std::fs::read_to_string(&log).unwrap().lines().filter_map(|l| l.parse::<u64>().ok()) {
            let name = format!("w{i}");
            let got = block_on(store.get(&name, &function_key(&name, "v:1", &[]).key)).unwrap();
            assert_eq!(got.map(|e| e.value), Some(compute(i)), "w{i} was fully written, then lost");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&log);
}
