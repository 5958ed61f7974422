#![no_main]
//! See `vigil_fuzz::checks::watch_message` for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::checks::watch_message(data));
