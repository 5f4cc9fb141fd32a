//! Replays every committed corpus file of `fuzz/corpus/<target>/` (and any reproducer kept in
//! `fuzz/regressions/<target>/`) through the function its cargo-fuzz target calls, on the
//! stable toolchain: CI runs what the fuzzer found, and a crash that was fixed stays fixed.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_file_replays_without_a_panic() {
    for target in axon_fuzzing::TARGETS {
        let corpus = files(&root().join("corpus").join(target));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{target}/ is empty: the target has no committed corpus"
        );
        let regressions = files(&root().join("regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(|| axon_fuzzing::run(target, &data));
            assert!(outcome.is_ok(), "{target}: {} panics", path.display());
        }
    }
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for target in axon_fuzzing::TARGETS {
        let file = root().join("fuzz_targets").join(format!("{target}.rs"));
        let src = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{} is missing", file.display()));
        assert!(
            src.contains(&format!("axon_fuzzing::{target}(")),
            "{} must call axon_fuzzing::{target}",
            file.display()
        );
    }
}
