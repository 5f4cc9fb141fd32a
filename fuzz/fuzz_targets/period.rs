#![no_main]
//! `cargo +nightly fuzz run period`: see `axon_fuzzing::period` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::period(data));
