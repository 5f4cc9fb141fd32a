#![no_main]
//! `cargo +nightly fuzz run tracker_body`: see `axon_fuzzing::tracker_body` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::tracker_body(data));
