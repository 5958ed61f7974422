#![no_main]
//! See `vigil_fuzz::checks::directory_content` for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::checks::directory_content(data));
