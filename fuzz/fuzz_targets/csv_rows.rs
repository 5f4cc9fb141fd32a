#![no_main]
//! `cargo +nightly fuzz run csv_rows`: see `axon_fuzzing::csv_rows` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::csv_rows(data));
