//! The sanitizing boundary's first step: what no output may carry. Terminal control sequences
//! and control characters, and the invisible characters that hide or reorder text.

use std::borrow::Cow;

/// Invisible format characters (Unicode category Cf, and the line and paragraph separators):
/// bidi marks, overrides and isolates, zero-width spaces and joiners, the soft hyphen, the BOM,
/// tags. They can hide or reorder text on a terminal and split a secret so no rule sees it.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00ad}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061c}'
        | '\u{06dd}'
        | '\u{070f}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08e2}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}'
        | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}')
}

/// Characters that are not format characters but show nothing either: the rest of Unicode's
/// default-ignorable code points (the combining grapheme joiner, the Hangul fillers, Khmer's
/// inherent vowels, Mongolian's variation selectors, the variation selectors, the reserved
/// tags) and the blanks drawn as nothing (the Braille blank, a musical null notehead). Each can
/// split a secret as invisibly as a zero-width space.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{034f}'
        | '\u{115f}'..='\u{1160}'
        | '\u{17b4}'..='\u{17b5}'
        | '\u{180b}'..='\u{180f}'
        | '\u{2800}'
        | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{ffa0}'
        | '\u{fff0}'..='\u{fff8}'
        | '\u{1d159}'
        | '\u{e0000}'..='\u{e0fff}')
}

pub(super) fn is_stripped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_format(c) || is_invisible(c)
}

/// UTF-8 lead bytes of every character [`is_stripped`] removes: text without any has nothing
/// to strip (CJK ideographs, from 0xE4 on, and ordinary punctuation never use them).
fn suspicious(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t')
        | (b == 0x7f)
        | (b == 0xc2)
        | (b == 0xcd)
        | (b == 0xd8)
        | (b == 0xdb)
        | (b == 0xdc)
        | (b == 0xe0)
        | (b == 0xe1)
        | (b == 0xe2)
        | (b == 0xe3)
        | (b == 0xef)
        | (b == 0xf0)
        | (b == 0xf3)
}

/// Neither printable ASCII nor a newline or tab: the only bytes worth a closer look.
fn unusual(b: u8) -> bool {
    (b.wrapping_sub(0x20) >= 0x5f) & (b != b'\n') & (b != b'\t')
}

/// Whether [`strip_controls`] has anything to remove. Blocks of printable ASCII (most text)
/// are passed over a block at a time (the branch-free test is vectorized); in the others only
/// the characters starting at a suspicious byte are decoded and checked.
pub(super) fn has_stripped(input: &str) -> bool {
    const BLOCK: usize = 32;
    let bytes = input.as_bytes();
    (0..bytes.len()).step_by(BLOCK).any(|at| {
        let block = &bytes[at..bytes.len().min(at + BLOCK)];
        block.iter().fold(false, |any, &b| any | unusual(b))
            && block.iter().enumerate().any(|(i, &b)| {
                // A suspicious byte is ASCII or a lead byte: a character starts there.
                suspicious(b) && input[at + i..].chars().next().is_some_and(is_stripped)
            })
    })
}

/// Remove terminal control sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character ESC
/// sequences), every other C0 and C1 control except newline and tab, DEL, and invisible format
/// characters. Returns the text and how many were removed.
pub fn strip_controls(input: &str) -> (Cow<'_, str>, u32) {
    let (clean, removed, _) = strip_controls_at(input);
    (clean, removed)
}

/// [`strip_controls`], with where in the text it returns something was removed (byte offsets,
/// ascending, one per run of removed characters).
pub(super) fn strip_controls_at(input: &str) -> (Cow<'_, str>, u32, Vec<usize>) {
    if !has_stripped(input) {
        return (Cow::Borrowed(input), 0, Vec::new());
    }
    let mut out = String::with_capacity(input.len());
    let mut removed = 0u32;
    let mut cuts = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_stripped(c) {
            out.push(c);
            continue;
        }
        removed += 1;
        if cuts.last() != Some(&out.len()) {
            cuts.push(out.len());
        }
        // C1 CSI (U+009B) and OSC (U+009D) open sequences too.
        let kind = match c {
            '\u{1b}' => chars.next_if(|n| !is_stripped(*n) || *n == '\u{1b}'),
            '\u{9b}' => Some('['),
            '\u{9d}' => Some(']'),
            '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => Some('P'),
            _ => None,
        };
        match kind {
            // CSI: parameters and intermediates, then one final byte in @..~.
            Some('[') => {
                for n in chars.by_ref() {
                    if ('@'..='~').contains(&n) || is_stripped(n) {
                        break;
                    }
                }
            }
            // OSC / DCS / SOS / PM / APC: a string ended by BEL or ST (ESC \ or U+009C).
            Some(']' | 'P' | 'X' | '^' | '_') => {
                while let Some(n) = chars.next() {
                    if n == '\u{7}' || n == '\u{9c}' {
                        break;
                    }
                    if n == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            // Two-character escapes (ESC c, ESC 7, ESC ( B …): drop the next char, and one
            // more for charset designations.
            Some('(' | ')' | '*' | '+' | '#' | '%') => {
                chars.next();
            }
            _ => {}
        }
    }
    (Cow::Owned(out), removed, cuts)
}

/// One line of text: controls and invisible characters removed, and line breaks and tabs turned
/// into spaces (ids, codes, type names and messages never span lines).
pub fn strip_line(input: &str) -> Cow<'_, str> {
    strip_line_at(input).0
}

/// [`strip_line`], with where something was removed (as [`strip_controls_at`] gives it).
pub(super) fn strip_line_at(input: &str) -> (Cow<'_, str>, Vec<usize>) {
    let (clean, _, cuts) = strip_controls_at(input);
    if !clean.contains(['\n', '\t']) {
        return (clean, cuts);
    }
    // One byte for one: the places of the cuts hold.
    (Cow::Owned(clean.replace(['\n', '\t'], " ")), cuts)
}
