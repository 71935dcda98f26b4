//! A writer process for the filesystem store's fault tests (`tests/faults.rs`):
//! publishes entries whose correct value is known from their name, until told
//! count is reached or until it is killed.
//!
//!     fault_writer DIR many   # keys k0..k9, over and over (to be SIGKILLed)
//!     fault_writer DIR one N  # the key "shared", N times
//!     fault_writer DIR read N SECS  # reads k0..k{N-1} for SECS s: prints "hits misses incidents"

use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, NewEntry};

/// The only correct value of entry `name`: 64 KiB derived from the name.
pub fn expected(name: &str) -> Vec<u8> {
    let seed = toolmemo::fingerprint::sha256(name.as_bytes());
    seed.iter().cycle().take(64 * 1024).copied().collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store = FsStore::open(&args[1]).expect("open the store");
    let mem = Memory::new(store, Limits::default(), format!("writer-{}", std::process::id()), Box::new(|| 0.0));
    let put = |name: &str| {
        let value = expected(name);
        let new = NewEntry {
            key: function_key(name, "v:1", &[]).key,
            kind: Kind::Function,
            name: name.into(),
            bytes: value.len() as u64,
            duration_ms: 0.0,
            code: None,
            args: None,
            sidecar: serde_json::Value::Null,
            format: toolmemo::memory::format::JSON,
        };
        block_on(mem.insert(new, value)).expect("insert");
    };
    match args[2].as_str() {
        // Reads k0..k{n} for `secs` seconds; exits 1 on an error, 2 on a wrong value.
        "read" => {
            let n: usize = args[3].parse().unwrap();
            let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(args[4].parse().unwrap());
            let store = mem.store();
            let (mut hits, mut misses) = (0u64, 0u64);
            while std::time::Instant::now() < until {
                for i in 0..n {
                    let name = format!("k{i}");
                    match block_on(toolmemo::memory::Store::get(store, &name, &function_key(&name, "v:1", &[]).key)) {
                        Ok(Some(e)) if e.value == expected(&name) => hits += 1,
                        Ok(Some(_)) => {
                            eprintln!("wrong value for {name}");
                            std::process::exit(2);
                        }
                        Ok(None) => misses += 1,
                        Err(e) => {
                            eprintln!("error reading {name}: {e}");
                            std::process::exit(1);
                        }
                    }
                }
            }
            let incidents = store.take_incidents();
            println!("{hits} {misses} {}", incidents.len());
            for i in incidents {
                eprintln!("{i}");
            }
        }
        "many" => loop {
            for i in 0..10 {
                put(&format!("k{i}"));
            }
        },
        _ => {
            for _ in 0..args[3].parse::<usize>().unwrap() {
                put("shared");
            }
        }
    }
}
