//! Fuzz targets for every Vigil parser that reads what someone else wrote (issue 19).
//!
//! The checks live in `checks.rs` so that the core's stable test suite can replay the
//! committed regression inputs through exactly the same code (`core/tests/fuzz_regressions.rs`
//! includes the file by path).

pub mod checks;
