#![no_main]
//! `cargo +nightly fuzz run filters`: see `axon_fuzzing::filters` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::filters(data));
