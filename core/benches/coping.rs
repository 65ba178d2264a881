//! Coping benchmark: `cargo bench -p kinship-core --bench coping`.
//!
//! Prints a table and `bench <name> <value> <unit>` lines. Baselines measured in the same run:
//! suggest with an empty log (what the log adds), and parsing the library JSON into an untyped
//! value (what validation and typing add).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod support;

use std::time::{Duration, Instant};

use support::{median, median_of, us};

use chrono::{FixedOffset, TimeZone};
use kinship_core::coping::library::{Library, CATALOG_JSON};
use kinship_core::{Context, KdfParams, Kinship, NewTry};

const TRIES: usize = 1_000;
const PASS: &str = "benchmark passphrase";

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut results: Vec<(&str, f64, &str, &str)> = Vec::new();

    let library_load = median_of(200, || {
        std::hint::black_box(Library::load("en").expect("library"));
    });
    let json_only = median_of(200, || {
        std::hint::black_box(
            serde_json::from_str::<serde_json::Value>(CATALOG_JSON).expect("json"),
        );
    });
    results.push(("library_load", us(library_load), "us", "< 5000"));
    results.push(("library_json_parse_baseline", us(json_only), "us", "-"));
    results.push((
        "library_load_ratio",
        ratio(library_load, json_only),
        "x",
        "-",
    ));

    let kinship = Kinship::create_with_params(&dir.path().join("p"), PASS, KdfParams::MINIMUM)
        .expect("create");
    let coping = kinship.coping();
    let contexts = [Context::Anxious, Context::Lonely];
    let empty = median_of(500, || {
        std::hint::black_box(coping.suggest(6, &contexts, 5).expect("suggest"));
    });

    let ids: Vec<String> = coping
        .list(None)
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    let zone = FixedOffset::east_opt(0).expect("offset");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..TRIES {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (state >> 33) as usize;
        let before = (pick % 11) as u8;
        coping
            .log_try(
                NewTry {
                    strategy_id: ids[pick % ids.len()].clone(),
                    distress_before: before,
                    distress_after: before.saturating_sub((pick % 4) as u8),
                    note: Some("a short note about how it went".into()),
                },
                zone.timestamp_opt(1_700_000_000 + i as i64 * 3600, 0)
                    .single()
                    .expect("time"),
            )
            .expect("log");
    }
    let warm = median_of(500, || {
        std::hint::black_box(coping.suggest(6, &contexts, 5).expect("suggest"));
    });
    results.push(("suggest_1k_log", us(warm), "us", "< 1000"));
    results.push(("suggest_empty_log_baseline", us(empty), "us", "-"));
    results.push(("suggest_log_ratio", ratio(warm, empty), "x", "-"));

    // First suggestion after unlock: decrypts and tallies the whole log once.
    let mut cold = Vec::new();
    for _ in 0..5 {
        kinship.lock();
        kinship.unlock(PASS).expect("unlock");
        let started = Instant::now();
        std::hint::black_box(coping.suggest(6, &contexts, 5).expect("suggest"));
        cold.push(started.elapsed());
    }
    results.push(("suggest_cold_1k_log", us(median(&mut cold)), "us", "-"));

    support::print_results(&results);
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
