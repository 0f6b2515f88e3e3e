//! Secrets broken across a line break (a wrapped log line, a hostile split): the two pieces are
//! joined, and where the join holds a secret neither piece holds alone, both are masked.

/// Characters a token or a credential URL is made of.
pub(super) fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '+' | '=' | ':' | '@' | '%')
}

pub(super) const PLACEHOLDER: &str = "[REDACTED SPLIT SECRET]";
/// Pieces shorter than this are words, not halves of a secret.
const MIN_PIECE: usize = 3;

/// Mask the secrets split by line breaks in `text`, given `hits` (how many secrets a string
/// holds); returns the new text and how many were masked, or `None` when there were none.
pub(super) fn join_split_tokens(text: &str, hits: impl Fn(&str) -> u32) -> Option<(String, u32)> {
    if !text.contains('\n') {
        return None;
    }
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for (nl, _) in text.match_indices('\n') {
        let left_end = if text[..nl].ends_with('\r') {
            nl - 1
        } else {
            nl
        };
        let left_start = text[..left_end]
            .char_indices()
            .rev()
            .take_while(|(_, c)| token_char(*c))
            .last()
            .map_or(left_end, |(i, _)| i);
        let right_start = nl + 1;
        let right_end = text[right_start..]
            .char_indices()
            .find(|(_, c)| !token_char(*c))
            .map_or(text.len(), |(i, _)| right_start + i);
        let (left, right) = (&text[left_start..left_end], &text[right_start..right_end]);
        if left.len() < MIN_PIECE || right.len() < MIN_PIECE {
            continue;
        }
        if regions.last().is_some_and(|(_, end)| *end > left_start) {
            continue;
        }
        let joined = format!("{left}{right}");
        if hits(&joined) > hits(left) + hits(right) {
            regions.push((left_start, right_end));
        }
    }
    if regions.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in &regions {
        out.push_str(&text[at..*start]);
        out.push_str(PLACEHOLDER);
        at = *end;
    }
    out.push_str(&text[at..]);
    Some((out, regions.len() as u32))
}
