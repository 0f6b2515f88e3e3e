//! Splitting a filter into words: whitespace separates, double quotes group (and are removed),
//! a `/regex/` (optionally negated) keeps its spaces.

use super::FilterError;

/// Whitespace-separated terms; double quotes group (and are removed); a `/regex/` (optionally
/// negated) keeps its spaces.
pub fn split_terms(s: &str) -> Result<Vec<String>, FilterError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_regex = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_regex {
            cur.push(c);
            if c == '/' && !escaped {
                in_regex = false;
            }
            escaped = c == '\\' && !escaped;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            '/' if !quoted && matches!(cur.as_str(), "" | "-" | "!") => {
                in_regex = true;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(FilterError::UnclosedQuote);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}
