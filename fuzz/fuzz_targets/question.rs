#![no_main]
//! `cargo +nightly fuzz run question`: see `axon_fuzzing::question` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::question(data));
