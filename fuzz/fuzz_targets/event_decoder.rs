#![no_main]
//! `cargo +nightly fuzz run event_decoder`: see `axon_fuzzing::event_decoder` for what the bytes mean.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| axon_fuzzing::event_decoder(data));
