//! Text folding for search: case and accents ignored, words split at punctuation.
//!
//! Shared by the journal's search index, the coping library and (later) the directory, so
//! "Café", "cafe" and "CAFÉ" find the same things everywhere.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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
    text.split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c)))
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            if word.is_ascii() {
                vec![word.to_ascii_lowercase()]
            } else {
                // Folding can itself produce separators (e.g. a lone combining mark vanishes).
                fold(word)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
        })
        .collect()
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
    fn every_query_word_must_prefix_some_word() {
        let words = fold_words("Box breathing for calm");
        assert!(matches_all_prefixes(&fold_words("BRE cal"), &words));
        assert!(!matches_all_prefixes(
            &fold_words("breathing sleep"),
            &words
        ));
    }
}
