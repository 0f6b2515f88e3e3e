//! A literal a filter looks for, ASCII case ignored. Its searcher is built the first time it
//! is looked for: a filter only checked (each saved filter of a config file is) never builds
//! one, and building is most of what parsing a word costs.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

#[derive(Debug, Clone)]
pub struct Needle {
    text: String,
    searcher: OnceLock<AhoCorasick>,
}

impl Needle {
    pub fn new(text: &str) -> Needle {
        Needle {
            text: text.to_owned(),
            searcher: OnceLock::new(),
        }
    }

    /// The literal looked for.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `haystack` holds the literal, ASCII case ignored.
    pub fn is_match(&self, haystack: &str) -> bool {
        self.searcher
            .get_or_init(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build([&self.text])
                    .expect("a single literal pattern always builds")
            })
            .is_match(haystack)
    }

    /// Whether the searcher was built yet.
    #[cfg(test)]
    fn built(&self) -> bool {
        self.searcher.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_when_first_looked_for_and_then_kept() {
        let needle = Needle::new("Quota");
        assert!(!needle.built());
        assert!(needle.is_match("402 insufficient QUOTA left"));
        assert!(needle.built());
        assert!(!needle.clone().is_match("rate limited"));
    }
}
