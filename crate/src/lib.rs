//! toolmemo: typed specs for command-line tools, rendered exactly as nipype renders them.
//!
//! # The grammar
//!
//! An [`Interface`] is made from a spec (`Interface::from_json_str`) and answers
//! three verbs about a set of inputs (a JSON object of input names to values):
//!
//! - [`Interface::cmdline`] — the command line, or the first [`Error`]
//!   ([`Interface::script`] for an SPM interface: its MATLAB batch script);
//! - [`Interface::validate`] — every problem, empty exactly when `cmdline` works;
//! - [`Interface::help`] — the nipype-style description of the interface.
//!
//! Data flows one way: **spec** (`spec`: parse and cross-check) → **validate**
//! (`typecheck`, `bind`: values become typed, nipype's set-time and run-time checks
//! are replayed in nipype's order) → **render** (`names`, `render`, with Python's
//! `%` operator in `pyfmt`). Every failure is an [`Error`] with a stable
//! [`ErrorKind`] code. Path existence is asked of a [`PathProbe`], so the same
//! core runs natively, under Node and in a browser; the `wasm` module is the only
//! place that knows about JavaScript.
//!
//! The memoization half has the same shape, one core with thin front ends:
//!
//! - a [`memory::Store`] keeps entries (metadata and a value in one of the
//!   [`memory::format`]s) and nothing else: in memory, the filesystem (native
//!   and Node, one layout: `docs/cache-layout.md`), IndexedDB, Redis; wrappers
//!   add read-only locations ([`memory::WithReadOnly`]) and tiers
//!   ([`memory::Tiered`]: a local store in front of a shared one, entries with
//!   folders carried there packed, [`memory::Carry`]);
//! - a [`memory::Memory`] over a store holds the policy: `Memory::call` is every
//!   cached call (lookup, judgement of what was found, single-flight claim,
//!   compute, insert, limits), and eviction, listings and statistics;
//! - front ends key a call and judge its value: [`memory::cached`] for Rust
//!   closures, `runner` for tool runs (stage → execute → collect over a
//!   `runner::Host`: `std` natively, Node's processes and files under Node;
//!   the Rust runner's store is a [`memory::Tiered`], so Redis is one more tier),
//!   the `toolmemo` program over both, and `wasm` for JavaScript.
//!
//! ```
//! use toolmemo::{Interface, path::NoFilesystem};
//! let bet = Interface::from_json_str(r#"{"name": "BET", "command": "bet",
//!     "inputs": {"in_file": {"type": "File", "argstr": "%s", "position": 0, "mandatory": true},
//!                "frac": {"type": "Float", "argstr": "-f %.2f"}}}"#).unwrap();
//! let line = bet.cmdline(&serde_json::json!({"in_file": "f3.nii", "frac": 0.5}), &NoFilesystem).unwrap();
//! assert_eq!(line, "bet f3.nii -f 0.50");
//! ```

pub mod error;
pub mod fingerprint;
pub mod host;
pub mod memory;
pub mod path;
pub mod pyfmt;
#[cfg(any(feature = "native", all(target_arch = "wasm32", feature = "node-fs")))]
pub mod runner;
pub mod spec;
pub mod typescript;
pub mod value;

mod argv;
mod bind;
mod help;
mod interface;
mod names;
mod render;
mod script;
mod typecheck;
mod version;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use bind::Bound;
pub use error::{Error, ErrorKind, Result};
pub use interface::{parse_json, Interface};
pub use path::{PathKind, PathProbe};
pub use value::Value;
pub use version::compare_versions;
