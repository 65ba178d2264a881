//! Directory benchmark: `cargo bench -p kinship-core --bench directory`.
//!
//! Baselines in the same run: parsing the bundled JSON into an untyped value (what typing and
//! validation add to start-up) and a bare scan comparing each entry's country (what ranking,
//! text folding and opening hours add to a query).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod support;

use chrono::{TimeZone, Utc};
use kinship_core::directory::{builtin_json, Channel, Directory, DirectoryQuery, Kind};
use support::{median_of, ms, us};

fn main() {
    let mut results: Vec<(&str, f64, &str, &str)> = Vec::new();
    // What the first load does: inflate the compiled-in data, parse and validate it.
    let load = median_of(30, || {
        let json = builtin_json().expect("inflate");
        std::hint::black_box(Directory::parse(&json).expect("directory"));
    });
    let inflate = median_of(30, || {
        std::hint::black_box(builtin_json().expect("inflate"));
    });
    let json = builtin_json().expect("inflate");
    let json_only = median_of(30, || {
        std::hint::black_box(serde_json::from_str::<serde_json::Value>(&json).expect("json"));
    });
    results.push(("directory_load", ms(load), "ms", "< 20"));
    results.push(("directory_inflate", ms(inflate), "ms", "-"));
    results.push(("directory_json_parse_baseline", ms(json_only), "ms", "-"));

    let directory = Directory::parse(&json).expect("directory");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 25, 19, 0, 0)
        .single()
        .expect("time");
    let query = DirectoryQuery {
        text: Some("support line".into()),
        country: Some("GB".into()),
        kind: Some(Kind::CrisisHotline),
        audience: vec![],
        language: None,
        channel: Some(Channel::Phone),
        open_now: true,
        limit: Some(20),
    };
    let filtered = median_of(2000, || {
        std::hint::black_box(directory.search(&query, &[], at));
    });
    let everything = median_of(500, || {
        std::hint::black_box(directory.search(&DirectoryQuery::default(), &[], at));
    });
    let scan = median_of(2000, || {
        std::hint::black_box(
            directory
                .entries()
                .iter()
                .filter(|e| e.serves("GB"))
                .count(),
        );
    });
    results.push(("directory_query", us(filtered), "us", "< 1000"));
    results.push(("directory_query_all", us(everything), "us", "-"));
    results.push(("directory_scan_baseline", us(scan), "us", "-"));

    let crisis = median_of(2000, || {
        std::hint::black_box(directory.crisis_contacts("US", at));
    });
    results.push(("crisis_contacts", us(crisis), "us", "< 100"));
    results.push((
        "crisis_vs_scan_ratio",
        crisis.as_secs_f64() / scan.as_secs_f64(),
        "x",
        "-",
    ));
    support::print_results(&results);
}
