#![no_main]
//! See `vigil_fuzz::checks::geojson` for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::checks::geojson(data));
