//! Timing helpers shared by the benchmarks.
#![allow(dead_code)]

pub mod corpus;

use std::time::{Duration, Instant};

/// Median wall time of `runs` calls of `f`.
pub fn median_of(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    median(&mut times)
}

pub fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints the table, then one `bench <name> <value> <unit>` line per row.
pub fn print_results(results: &[(&str, f64, &str, &str)]) {
    println!("{:<28} {:>12} {:<4} target", "name", "value", "unit");
    for (name, value, unit, target) in results {
        println!("{name:<28} {value:>12.3} {unit:<4} {target}");
    }
    for (name, value, unit, _) in results {
        println!("bench {name} {value:.3} {unit}");
    }
}
