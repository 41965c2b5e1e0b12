//! The fuzz targets (`careguide::fuzz`, run by cargo-fuzz from `fuzz/`) as a regular test: every
//! target on every file of its seed corpus in `fuzz/corpus/<target>/`, then on random inputs
//! (a fixed number of proptest cases, built from the syntax each parser cares about and from
//! mutated seeds). A panic names the target and the input.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use careguide::fuzz::TARGETS;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::REPO;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(REPO).join("fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no seed corpus for {target} in {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn run(f: fn(&[u8]), data: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| f(data))).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn every_target_survives_its_seed_corpus() {
    let mut failures = Vec::new();
    for (name, f) in TARGETS {
        let files = corpus(name);
        assert!(!files.is_empty(), "{name} has no seeds");
        for (path, data) in files {
            if let Err(e) = run(*f, &data) {
                failures.push(format!("{name} on {path}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Text made of the pieces each parser reacts to, so random cases reach past the first check.
fn syntax() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("---\n".to_string()),
        Just(":::".to_string()),
        Just(" patient".to_string()),
        Just(" clinician".to_string()),
        Just("[@".to_string()),
        Just("]".to_string()),
        Just(";".to_string()),
        Just("@".to_string()),
        Just("`".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\n".to_string()),
        Just("  - ".to_string()),
        Just(": ".to_string()),
        Just("title".to_string()),
        Just("review:\n  status: draft\n".to_string()),
        Just("TY  - ".to_string()),
        Just("ER  - \n".to_string()),
        Just("PMID- ".to_string()),
        Just("@article{".to_string()),
        Just("\"id\":".to_string()),
        Just("dose=".to_string()),
        Just("step=".to_string()),
        Just("reduction_percent=".to_string()),
        Just("start=2026-12-01".to_string()),
        "[0-9.]{1,12}",
        "[a-z ,.]{1,8}",
        "\\PC{1,3}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

#[test]
fn every_target_survives_random_inputs() {
    // Fixed case count and seed: the same inputs every run, so CI is stable.
    const CASES: u32 = 400;
    let mut failures = Vec::new();
    for (name, f) in TARGETS {
        let seeds: Vec<Vec<u8>> = corpus(name).into_iter().map(|(_, d)| d).collect();
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: CASES,
                failure_persistence: None,
                ..Config::default()
            },
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        );
        let mutated = (
            0..seeds.len(),
            prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        )
            .prop_map(move |(i, edits)| {
                let mut d = seeds[i].clone();
                for (at, b) in edits {
                    if d.is_empty() {
                        d.push(b);
                    } else {
                        let at = at % d.len();
                        match b % 3 {
                            0 => d[at] = b,
                            1 => d.insert(at, b),
                            _ => {
                                d.remove(at);
                            }
                        }
                    }
                }
                d
            });
        let input = prop_oneof![syntax().prop_map(String::into_bytes), mutated];
        let result = runner.run(&input, |data| {
            run(*f, &data).map_err(|e| {
                TestCaseError::fail(format!("{e}: {:?}", String::from_utf8_lossy(&data)))
            })
        });
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
