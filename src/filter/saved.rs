//! Saved filters (the config file's `[filters]`), named `@name` in `--filter`, in an alert
//! rule's `filter`, in the dashboard's filter bar and in other saved filters.
//!
//! A name stands for its whole filter, alternatives and all: `@name` next to other terms means
//! "what `@name` matches, and those terms", so a saved `a | b` used as `@x c` is `a c | b c`.
//! Names are resolved all the way down; a name that names itself, through any chain, is refused
//! with the chain (`@a → @b → @a`), and so is a name nothing saves. A negated name (`-@x`: what
//! `@x` does not match) stays one term, checked here and made a filter of its own by
//! [`super::Filter`].

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::split::split_terms;
use super::{is_or, FilterError};

/// The saved filters by name.
pub type Saved = BTreeMap<String, String>;

/// A filter as alternatives (any may match), each the words that must all match.
pub type Alternatives = Vec<Vec<String>>;

/// At most this many words and alternatives once every name is resolved: names that use each
/// other several times multiply.
pub const MAX_TERMS: usize = 10_000;

/// Resolves `@name`s against the saved filters, each name once however often it is used.
pub struct Resolver<'a> {
    saved: &'a Saved,
    done: HashMap<&'a str, Rc<Alternatives>>,
    /// The names being resolved, outermost first: a name met again is a cycle.
    open: Vec<&'a str>,
}

impl<'a> Resolver<'a> {
    pub fn new(saved: &'a Saved) -> Resolver<'a> {
        Resolver {
            saved,
            done: HashMap::new(),
            open: Vec::new(),
        }
    }

    /// A filter's alternatives, every `@name` in it resolved.
    pub fn expand(&mut self, source: &str) -> Result<Alternatives, FilterError> {
        let words = split_terms(source)?;
        let mut out = Vec::new();
        if words.is_empty() {
            // The empty filter matches everything: one alternative of no terms.
            out.push(Vec::new());
            return Ok(out);
        }
        let mut cost = 0;
        for side in words.split(|w| is_or(w)) {
            if side.is_empty() {
                return Err(FilterError::EmptyAlternative);
            }
            let mut alternatives: Alternatives = vec![Vec::new()];
            for word in side {
                match named(word) {
                    Some((false, name)) => {
                        let stands_for = self.named(name)?;
                        alternatives = both(&alternatives, &stands_for)?;
                    }
                    Some((true, name)) => {
                        // Resolved only to prove it resolves; it stays one term.
                        self.named(name)?;
                        alternatives.iter_mut().for_each(|a| a.push(word.clone()));
                    }
                    None => alternatives.iter_mut().for_each(|a| a.push(word.clone())),
                }
                within_bound(size(&alternatives))?;
            }
            cost += size(&alternatives);
            within_bound(cost)?;
            out.extend(alternatives);
        }
        Ok(out)
    }

    /// What `@name` stands for, resolved.
    pub fn named(&mut self, name: &str) -> Result<Rc<Alternatives>, FilterError> {
        if let Some(at) = self.open.iter().position(|open| *open == name) {
            let chain: Vec<String> = self.open[at..]
                .iter()
                .chain([&name])
                .map(|n| format!("@{n}"))
                .collect();
            return Err(FilterError::SavedCycle(chain.join(" → ")));
        }
        if let Some(done) = self.done.get(name) {
            return Ok(done.clone());
        }
        let (name, text) = self
            .saved
            .get_key_value(name)
            .ok_or_else(|| FilterError::UnknownSaved(name.to_owned()))?;
        self.open.push(name);
        let expanded = self.expand(text);
        self.open.pop();
        let expanded = Rc::new(expanded?);
        self.done.insert(name, expanded.clone());
        Ok(expanded)
    }
}

/// Every saved filter well made, and every name in it resolved: the first that is not, by name,
/// with why.
pub fn check(saved: &Saved) -> Result<(), (&str, FilterError)> {
    let mut resolver = Resolver::new(saved);
    for (name, text) in saved {
        // Each filter's own terms (a term is parsed where it is written, not once per use) …
        super::Filter::parse(text).map_err(|e| (name.as_str(), e))?;
        // … and the names it uses.
        resolver.named(name).map_err(|e| (name.as_str(), e))?;
    }
    Ok(())
}

/// The name a word uses (`@name`, or negated `-@name`), if it uses one: (negated, name).
pub fn named(word: &str) -> Option<(bool, &str)> {
    let (negated, rest) = match word.strip_prefix(['-', '!']) {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    rest.strip_prefix('@')
        .filter(|n| !n.is_empty())
        .map(|name| (negated, name))
}

/// Every alternative of `left` with every alternative of `right`: what both match.
fn both(left: &Alternatives, right: &Alternatives) -> Result<Alternatives, FilterError> {
    within_bound(left.len().saturating_mul(right.len()))?;
    let mut out = Vec::with_capacity(left.len() * right.len());
    for l in left {
        for r in right {
            within_bound(l.len() + r.len())?;
            out.push(l.iter().chain(r).cloned().collect());
        }
    }
    Ok(out)
}

/// What alternatives cost against [`MAX_TERMS`]: their words, and each alternative one.
fn size(alternatives: &Alternatives) -> usize {
    alternatives.iter().map(|a| a.len() + 1).sum()
}

fn within_bound(cost: usize) -> Result<(), FilterError> {
    match cost <= MAX_TERMS {
        true => Ok(()),
        false => Err(FilterError::TooLarge(MAX_TERMS)),
    }
}

/// Alternatives as a filter one could type: words quoted where they hold spaces, alternatives
/// between `|`.
pub fn show(alternatives: &Alternatives) -> String {
    let word = |w: &String| match w.contains(char::is_whitespace) {
        true => format!("\"{w}\""),
        false => w.clone(),
    };
    alternatives
        .iter()
        .map(|a| a.iter().map(word).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(pairs: &[(&str, &str)]) -> Saved {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn expanded(source: &str, pairs: &[(&str, &str)]) -> Result<String, FilterError> {
        let saved = saved(pairs);
        Resolver::new(&saved).expand(source).map(|a| show(&a))
    }

    #[test]
    fn a_name_inside_a_saved_filter_is_resolved() {
        let pairs = [("lost", "outcome:dropped"), ("mine", "@lost agent:a1")];
        assert_eq!(
            expanded("@mine reason:timeout", &pairs).unwrap(),
            "outcome:dropped agent:a1 reason:timeout"
        );
        let chain = [("a", "@b"), ("b", "@c"), ("c", "task:t1")];
        assert_eq!(expanded("@a", &chain).unwrap(), "task:t1");
    }

    #[test]
    fn alternatives_keep_their_meaning_next_to_other_terms() {
        let pairs = [("either", "reason:timeout | reason:runtime_offline")];
        assert_eq!(
            expanded("@either agent:a1", &pairs).unwrap(),
            "reason:timeout agent:a1 | reason:runtime_offline agent:a1"
        );
        assert_eq!(
            expanded("task:t9 | @either", &pairs).unwrap(),
            "task:t9 | reason:timeout | reason:runtime_offline"
        );
    }

    #[test]
    fn cycles_are_refused_with_their_names() {
        let two = [("a", "@b"), ("b", "@a")];
        assert_eq!(
            expanded("@a", &two),
            Err(FilterError::SavedCycle("@a → @b → @a".into()))
        );
        assert_eq!(
            expanded("@self", &[("self", "reason:x @self")]),
            Err(FilterError::SavedCycle("@self → @self".into()))
        );
        // Reached through another name, the cycle is named from where it starts.
        let tail = [("top", "@a"), ("a", "@b"), ("b", "@a")];
        assert_eq!(
            expanded("@top", &tail),
            Err(FilterError::SavedCycle("@a → @b → @a".into()))
        );
    }

    #[test]
    fn a_name_used_twice_is_no_cycle() {
        let pairs = [("x", "reason:timeout"), ("y", "@x | @x agent:a1")];
        assert_eq!(
            expanded("@y @x", &pairs).unwrap(),
            "reason:timeout reason:timeout | reason:timeout agent:a1 reason:timeout"
        );
    }

    #[test]
    fn unknown_names_are_errors_and_negated_ones_stay_one_term() {
        assert_eq!(
            expanded("@mine", &[("mine", "@nope")]),
            Err(FilterError::UnknownSaved("nope".into()))
        );
        // A negated name stays one term, but must resolve.
        assert_eq!(
            expanded("-@lost", &[("lost", "outcome:dropped")]).unwrap(),
            "-@lost"
        );
        assert_eq!(
            expanded("-@mine", &[("mine", "@nope")]),
            Err(FilterError::UnknownSaved("nope".into()))
        );
        assert_eq!(
            expanded("-@a", &[("a", "-@b"), ("b", "@a")]),
            Err(FilterError::SavedCycle("@a → @b → @a".into()))
        );
        // A lone `@` and words that only contain one are words.
        assert_eq!(
            expanded("@ bob@example.com", &[]).unwrap(),
            "@ bob@example.com"
        );
    }

    #[test]
    fn names_that_multiply_are_bounded() {
        // Each level doubles the one below: 2^40 words unless bounded.
        let mut pairs = vec![("l0".to_owned(), "a | b".to_owned())];
        for i in 1..40 {
            pairs.push((format!("l{i}"), format!("@l{} @l{}", i - 1, i - 1)));
        }
        let saved: Saved = pairs.into_iter().collect();
        let started = std::time::Instant::now();
        assert_eq!(
            Resolver::new(&saved).expand("@l39"),
            Err(FilterError::TooLarge(MAX_TERMS))
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Alternatives without a word count too: the empty filter matches everything.
        let mut pairs = vec![
            ("e".to_owned(), String::new()),
            ("l0".to_owned(), "@e | @e".to_owned()),
        ];
        for i in 1..40 {
            pairs.push((format!("l{i}"), format!("@l{} @l{}", i - 1, i - 1)));
        }
        let saved: Saved = pairs.into_iter().collect();
        assert_eq!(
            Resolver::new(&saved).expand("@l39"),
            Err(FilterError::TooLarge(MAX_TERMS))
        );
    }

    #[test]
    fn check_names_the_filter_at_fault() {
        assert_eq!(check(&saved(&[("a", "@b"), ("b", "reason:x")])), Ok(()));
        assert_eq!(
            check(&saved(&[("a", "reason:x"), ("b", "outcome:nope")])),
            Err(("b", FilterError::UnknownOutcome("nope".into())))
        );
        assert_eq!(
            check(&saved(&[("a", "@b"), ("b", "@a")])),
            Err(("a", FilterError::SavedCycle("@a → @b → @a".into())))
        );
        assert_eq!(
            check(&saved(&[("a", "task:t1"), ("b", "@gone")])),
            Err(("b", FilterError::UnknownSaved("gone".into())))
        );
    }

    #[test]
    fn quoted_words_and_regexes_survive() {
        let pairs = [("slow", "\"timed out\" /took \\d+ ?s/")];
        let saved = saved(&pairs);
        let alternatives = Resolver::new(&saved).expand("@slow").unwrap();
        assert_eq!(alternatives, [["timed out", "/took \\d+ ?s/"]]);
        assert_eq!(show(&alternatives), "\"timed out\" \"/took \\d+ ?s/\"");
    }
}
