//! The fuzz targets of toolmemo (see `targets.rs`).
pub mod targets;
