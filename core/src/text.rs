//! Text folding for search: case and accents ignored, words split at punctuation.
//!
//! Shared by the journal's search index, the coping library and (later) the directory, so
//! "Café", "cafe" and "CAFÉ" find the same things everywhere.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

/// Lowercases and strips accents: "Émile" and "emile" fold to the same text.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folded words of `text`, split at anything that is not a letter, digit or accent.
///
/// Splits before folding so the common all-ASCII word skips Unicode normalisation, which
/// otherwise dominates the cost of indexing a journal. Combining marks count as part of a word
/// so a decomposed "e\u{301}" is not cut in two.
pub fn fold_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_folded_word(text, |word| words.push(word.to_owned()));
    words
}

/// Calls `each` with every word [`fold_words`] returns for `text`, in the same order, without
/// allocating a string per word: for indexing, where most words are already known.
///
/// An all-lowercase ASCII word is passed as a slice of `text`; any other goes through a scratch
/// buffer that is wiped before this returns, so no folded copy lingers in freed memory.
pub fn for_each_folded_word(text: &str, mut each: impl FnMut(&str)) {
    let mut scratch = Zeroizing::new(String::new());
    let bytes = text.as_bytes();
    let mut word_start = None;
    // Whether the current word is lowercase ASCII letters and digits only: most are.
    let mut plain = true;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let (in_word, width) = if byte.is_ascii() {
            (byte.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[at..].chars().next().unwrap_or(' ');
            (is_word_char(c), c.len_utf8())
        };
        if in_word {
            if word_start.is_none() {
                word_start = Some(at);
                plain = true;
            }
            plain &= byte.is_ascii_lowercase() || byte.is_ascii_digit();
        } else if let Some(start) = word_start.take() {
            visit_word(&text[start..at], plain, &mut scratch, &mut each);
        }
        at += width;
    }
    if let Some(start) = word_start {
        visit_word(&text[start..], plain, &mut scratch, &mut each);
    }
}

/// Folds one word (split as [`fold_words`] splits) and passes it on; `plain` when it is
/// lowercase ASCII already.
fn visit_word(word: &str, plain: bool, scratch: &mut String, each: &mut impl FnMut(&str)) {
    if plain {
        each(word);
    } else if word.is_ascii() {
        if scratch.capacity() < word.len() {
            // Growing would free the old buffer unwiped.
            scratch.zeroize();
            *scratch = String::with_capacity(word.len().max(32));
        }
        scratch.clear();
        scratch.push_str(word);
        scratch.make_ascii_lowercase();
        each(scratch);
    } else {
        // Folding can itself produce separators (e.g. a lone combining mark vanishes).
        let folded = Zeroizing::new(fold(word));
        folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .for_each(each);
    }
}

/// Letters, digits and combining marks (for the non-ASCII characters; ASCII is tested inline).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Whether every word of `query` is a prefix of some word in `words` (both folded).
pub fn matches_all_prefixes(query_words: &[String], words: &[String]) -> bool {
    query_words
        .iter()
        .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Émile ÇA Naïve"), "emile ca naive");
        assert_eq!(
            fold_words("Hello, wörld! It's 2026"),
            ["hello", "world", "it", "s", "2026"]
        );
    }

    #[test]
    fn visiting_words_gives_what_fold_words_returns() {
        let text = "Émile's CAFÉ, naïve e\u{301}te; \u{301}x ALLCAPS lower 42";
        let mut visited = Vec::new();
        for_each_folded_word(text, |w| visited.push(w.to_owned()));
        assert_eq!(visited, fold_words(text));
        assert_eq!(
            visited,
            ["emile", "s", "cafe", "naive", "ete", "x", "allcaps", "lower", "42"]
        );
    }

    #[test]
    fn every_query_word_must_prefix_some_word() {
        let words = fold_words("Box breathing for calm");
        assert!(matches_all_prefixes(&fold_words("BRE cal"), &words));
        assert!(!matches_all_prefixes(
            &fold_words("breathing sleep"),
            &words
        ));
    }
}
