//! The journal workload shared by `core/benches/journal.rs` and `benches/sqlcipher` (which
//! includes this file by path): the same entries, dates, row ids and plain JSON rows, so the
//! two benchmarks insert exactly the same bytes.

use chrono::{DateTime, FixedOffset, TimeZone};
use kinship_core::NewEntry;

/// Entries in the full-size insert workload.
pub const ENTRIES: usize = 10_000;
/// Bytes of text in each entry's body (at least).
pub const BODY_BYTES: usize = 1_000;

/// The date of the `i`th entry: 97 minutes apart from 2024-01-01 08:00 +01:00.
pub fn at(i: usize) -> DateTime<FixedOffset> {
    let zone = FixedOffset::east_opt(3600).expect("offset");
    zone.with_ymd_and_hms(2024, 1, 1, 8, 0, 0)
        .single()
        .expect("date")
        + chrono::Duration::minutes(i as i64 * 97)
}

/// The random-looking 32-hex-digit row id of the `i`th entry in a plain table.
pub fn row_id(i: usize) -> String {
    format!(
        "{:032x}",
        (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    )
}

/// The unsealed row of the `i`th entry: the same fields the core seals, serialised the same
/// way (serde derive, JSON).
pub fn plain_document(i: usize, entry: &NewEntry) -> Vec<u8> {
    let document = PlainEntry {
        created_at: at(i),
        updated_at: at(i),
        title: entry.title.as_deref(),
        body: &entry.body,
        mood: entry.mood,
        tags: &entry.tags,
    };
    serde_json::to_vec(&document).expect("json")
}

#[derive(serde::Serialize)]
struct PlainEntry<'a> {
    created_at: DateTime<FixedOffset>,
    updated_at: DateTime<FixedOffset>,
    title: Option<&'a str>,
    body: &'a str,
    mood: Option<u8>,
    tags: &'a [String],
}

/// Deterministic journal-like text: a vocabulary of made-up words with a skewed frequency,
/// so common prefixes match thousands of entries and rare words a handful.
pub struct Corpus {
    words: Vec<String>,
    seed: u64,
}

impl Corpus {
    pub fn new(seed: u64) -> Self {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ren", "sa", "tu", "vel", "zo", "an", "bri", "cor", "da", "el",
            "fin", "gra", "ho", "is", "jun", "ke", "lum", "mor", "nu", "op", "qui",
        ];
        let mut rng = seed;
        let words = (0..5_000)
            .map(|_| {
                let n = 2 + (next(&mut rng) % 3) as usize;
                (0..n)
                    .map(|_| SYLLABLES[(next(&mut rng) % 24) as usize])
                    .collect()
            })
            .collect();
        Corpus { words, seed }
    }

    pub fn entry(&self, i: usize) -> NewEntry {
        let mut rng = self.seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut body = String::with_capacity(BODY_BYTES + 16);
        while body.len() < BODY_BYTES {
            body.push_str(self.word(&mut rng));
            body.push(' ');
        }
        NewEntry {
            title: Some(format!("{} {}", self.word(&mut rng), self.word(&mut rng))),
            body,
            mood: Some(1 + (next(&mut rng) % 5) as u8),
            tags: (0..2).map(|_| self.word(&mut rng).to_owned()).collect(),
            strategy_ids: Vec::new(),
        }
    }

    pub fn queries(&self) -> Vec<String> {
        vec![
            self.words[0][..3].to_owned(),
            self.words[1].clone(),
            format!("{} {}", self.words[2], &self.words[3][..3]),
            self.words[4_000].clone(),
            format!("{} {}", self.words[10], self.words[11]),
        ]
    }

    /// Zipf-like pick: low indexes are much more frequent.
    fn word(&self, rng: &mut u64) -> &str {
        let r = (next(rng) % 1_000_000) as f64 / 1_000_000.0;
        let index = ((self.words.len() as f64).powf(r) as usize).min(self.words.len() - 1);
        &self.words[index]
    }
}

fn next(state: &mut u64) -> u64 {
    // xorshift64*: fast, deterministic, good enough for test text.
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}
