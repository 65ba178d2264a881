//! Sync benchmark: `cargo bench -p kinship-e2e --bench sync`.
//!
//! A real kinship-server on loopback with 1,000 events. Baseline in the same run: fetching the
//! same pages over HTTP without applying them, so the ratio shows what sealing and storing cost.

use std::time::{Duration, Instant};

use kinship_core::groups::EventQuery;
use kinship_e2e::{event, phone, Server};
use kinship_protocol::{EventInput, FeedPage, Visibility};

const EVENTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let server = Server::start().await;
    let group = server.group("Benchmark group", Visibility::Public).await;
    let store = server.store().await;
    // Varied text, so compression is measured on something like real listings.
    const WORDS: [&str; 16] = [
        "picnic", "workshop", "trans", "youth", "reading", "circle", "march", "pride", "coffee",
        "film", "night", "support", "allies", "parents", "art", "walk",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..EVENTS {
        let mut words = Vec::new();
        for _ in 0..24 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            words.push(WORDS[(seed % 16) as usize]);
        }
        let mut value = event(&format!("{} {} #{i}", words[0], words[1]));
        value["description"] = words.join(" ").into();
        let input: EventInput = serde_json::from_value(value).expect("event");
        store
            .create_event(&group.group_id, &input, None)
            .await
            .expect("create");
    }

    let mut first = Vec::new();
    let mut noop = Vec::new();
    for _ in 0..3 {
        let (kinship, _dir) = phone();
        let groups = kinship.groups();
        groups
            .follow(&server.base, &group.group_id, None)
            .await
            .expect("follow");
        let started = Instant::now();
        let report = groups.sync_now().await.expect("sync");
        first.push(started.elapsed());
        assert_eq!(report.groups[0].new, EVENTS);
        let everything = EventQuery {
            from: chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
                .expect("date")
                .to_utc(),
            days: 365,
            group_id: None,
            category: None,
            include_cancelled: true,
        };
        assert_eq!(groups.upcoming(&everything).expect("events").len(), EVENTS);
        for _ in 0..10 {
            let started = Instant::now();
            let report = groups.sync_now().await.expect("poll");
            noop.push(started.elapsed());
            assert!(report.groups[0].not_modified && report.requests == 1);
        }
    }

    let http = reqwest::Client::new();
    let mut fetch_only = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let (mut cursor, mut count) = ("0".to_owned(), 0);
        loop {
            let page: FeedPage = http
                .get(format!(
                    "{}/v1/groups/{}/events?since={cursor}&limit=200",
                    server.base, group.group_id
                ))
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("page");
            count += page.changes.len();
            cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(count, EVENTS);
        fetch_only.push(started.elapsed());
    }

    // Bytes on the wire: gzip-compressed pages, as a phone downloads them.
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let (mut cursor, mut wire_bytes) = ("0".to_owned(), 0usize);
    loop {
        let response = raw
            .get(format!(
                "{}/v1/groups/{}/events?since={cursor}&limit=200",
                server.base, group.group_id
            ))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("get");
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip")
        );
        let body = response.bytes().await.expect("body");
        wire_bytes += body.len();
        let page: FeedPage = http
            .get(format!(
                "{}/v1/groups/{}/events?since={cursor}&limit=200",
                server.base, group.group_id
            ))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("page");
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }

    let first_ms = ms(median(&mut first));
    let fetch_ms = ms(median(&mut fetch_only));
    let results = [
        ("first_sync_1k", first_ms, "ms", "< 300"),
        ("first_sync_fetch_only_baseline", fetch_ms, "ms", "-"),
        ("first_sync_vs_fetch_ratio", first_ms / fetch_ms, "x", "-"),
        ("noop_poll", ms(median(&mut noop)), "ms", "one request, 304"),
        (
            "bytes_per_event",
            wire_bytes as f64 / EVENTS as f64,
            "bytes",
            "gzip on the wire",
        ),
    ];
    println!("{:<32} {:>12} {:<5} target", "name", "value", "unit");
    for (name, value, unit, target) in &results {
        println!("{name:<32} {value:>12.3} {unit:<5} {target}");
    }
    for (name, value, unit, _) in &results {
        println!("bench {name} {value:.3} {unit}");
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
