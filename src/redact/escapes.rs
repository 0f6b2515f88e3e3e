//! Characters written as escapes: percent-encoded (`%20`, `%3A`, `%22`, `%2F`, `%E2%80%8B`),
//! JSON-escaped (`\u0020`, `\"`, `\/`, `\n`), and spaces other than ASCII's. A rule must read
//! `Bearer%20token` as it reads `Bearer token`, so a view of the text with these decoded is
//! masked too; the escapes masking left whole are then written back as they were, so the text
//! reads as sent but for the secrets.
//!
//! An escaped invisible or control character (`%E2%80%8B`, `\u200b`) hides a part of a secret
//! as the character itself would: those are seen through first, before any other (see
//! [`Which`]).

use std::ops::Range;

use super::clean::is_stripped;

/// A text seen through its escapes.
pub(super) struct View<'a> {
    pub source: &'a str,
    /// The text with its escapes decoded: a separator or other printable ASCII character as
    /// itself, any space as an ASCII space, a control or invisible character as nothing.
    pub text: String,
    /// Each decoded escape: where its character stands in `text`, and where it was written in
    /// the source.
    escapes: Vec<(Range<usize>, Range<usize>)>,
    /// Where characters were removed, in `text`: the source's own cuts and each escape decoded
    /// as nothing.
    pub cuts: Vec<usize>,
}

/// Which escapes a view decodes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    /// Only those of a character that is removed (an invisible or control character): the
    /// text is read as if it stood there. Others are left as written, so a separator's escape
    /// inside a credential (`u:p%40ss@`) stays part of it.
    Hiding,
    /// Every escape.
    All,
}

/// Whether `text` may hold an escape: a `%`, a `\`, or a lead byte of a space beyond ASCII.
pub(super) fn may_hold_escapes(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'%' | b'\\' | 0xc2 | 0xe1 | 0xe2 | 0xe3))
}

/// `text` (with characters removed at `cuts`) seen through its escapes of `which`, or `None`
/// when it has none.
pub(super) fn decode<'a>(text: &'a str, cuts: &[usize], which: Which) -> Option<View<'a>> {
    if !may_hold_escapes(text) {
        return None;
    }
    let mut view = View {
        source: text,
        text: String::with_capacity(text.len()),
        escapes: Vec::new(),
        cuts: Vec::new(),
    };
    let mut cuts = cuts.iter().copied().peekable();
    let mut at = 0;
    let mut plain = 0;
    while at < text.len() {
        if text.as_bytes()[at..].starts_with(b"\\\\") {
            // An escaped backslash: what follows it is not an escape.
            at += 2;
            continue;
        }
        let Some((len, decoded)) =
            escape_at(text, at).filter(|(_, c)| which == Which::All || c.is_none())
        else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        view.text.push_str(&text[plain..at]);
        let shift = at - view.text.len();
        while let Some(cut) = cuts.next_if(|&c| c <= at) {
            view.cuts.push(cut - shift);
        }
        let start = view.text.len();
        match decoded {
            Some(c) => view.text.push(c),
            None => view.cuts.push(start),
        }
        // A cut inside the escape stands after it.
        while cuts.next_if(|&c| c < at + len).is_some() {
            view.cuts.push(view.text.len());
        }
        view.escapes.push((start..view.text.len(), at..at + len));
        at += len;
        plain = at;
    }
    if view.escapes.is_empty() {
        return None;
    }
    view.text.push_str(&text[plain..]);
    let shift = text.len() - view.text.len();
    view.cuts.extend(cuts.map(|c| c - shift));
    view.cuts.sort_unstable();
    view.cuts.dedup();
    Some(view)
}

impl View<'_> {
    /// Every unit of the source in order (a character as it is, or an escape): where it stands
    /// in the source and in the decoded text.
    pub fn units(&self) -> Vec<(Range<usize>, Range<usize>)> {
        let mut units = Vec::with_capacity(self.source.len());
        let mut escapes = self.escapes.iter().peekable();
        let (mut at, mut shift) = (0, 0isize);
        while at < self.source.len() {
            if let Some((decoded, written)) = escapes.next_if(|(_, w)| w.start == at) {
                units.push((written.clone(), decoded.clone()));
                shift += decoded.len() as isize - written.len() as isize;
                at = written.end;
                continue;
            }
            let len = self.source[at..].chars().next().map_or(1, char::len_utf8);
            let to = at.wrapping_add_signed(shift);
            units.push((at..at + len, to..to + len));
            at += len;
        }
        units
    }
}

/// The escape starting at byte `at` of `text`: its length, and what it decodes to (`None`: a
/// character that is removed).
fn escape_at(text: &str, at: usize) -> Option<(usize, Option<char>)> {
    let bytes = text.as_bytes();
    match bytes[at] {
        b'%' => percent(bytes, at),
        b'\\' => json(bytes, at),
        b if b >= 0x80 => {
            let c = text[at..].chars().next()?;
            c.is_whitespace().then_some((c.len_utf8(), Some(' ')))
        }
        _ => None,
    }
}

/// What a decoded character is read as: a space, itself (printable ASCII), nothing (removed);
/// `None` when it is left as written.
fn read_as(c: char) -> Option<Option<char>> {
    if is_stripped(c) {
        Some(None)
    } else if c.is_whitespace() {
        Some(Some(' '))
    } else if c.is_ascii_graphic() {
        Some(Some(c))
    } else {
        None
    }
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// `%XX`, or the `%XX` run of one UTF-8 character.
fn percent(bytes: &[u8], at: usize) -> Option<(usize, Option<char>)> {
    let byte = |i: usize| -> Option<u8> {
        let p = at + 3 * i;
        if bytes.get(p) != Some(&b'%') {
            return None;
        }
        Some((hex(*bytes.get(p + 1)?)? << 4 | hex(*bytes.get(p + 2)?)?) as u8)
    };
    let lead = byte(0)?;
    let n = match lead {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let mut buf = [0u8; 4];
    for (i, slot) in buf.iter_mut().enumerate().take(n) {
        *slot = byte(i)?;
    }
    let c = std::str::from_utf8(&buf[..n]).ok()?.chars().next()?;
    Some((3 * n, read_as(c)?))
}

/// `\"`, `\/`, `\n`, `\r`, `\t`, `\f`, `\b`, `\uXXXX` (a surrogate pair too). `\\` is left as
/// written, and so is what follows it.
fn json(bytes: &[u8], at: usize) -> Option<(usize, Option<char>)> {
    let unit = |p: usize| -> Option<u32> {
        if bytes.get(p..p + 2) != Some(b"\\u") {
            return None;
        }
        let digits = bytes.get(p + 2..p + 6)?;
        digits.iter().try_fold(0, |n, &b| Some(n << 4 | hex(b)?))
    };
    match *bytes.get(at + 1)? {
        b'"' => Some((2, Some('"'))),
        b'/' => Some((2, Some('/'))),
        b'n' | b'r' | b't' | b'f' => Some((2, Some(' '))),
        b'b' => Some((2, None)),
        b'u' => {
            let first = unit(at)?;
            let (len, code) = match first {
                0xd800..=0xdbff => {
                    let low = unit(at + 6).filter(|u| (0xdc00..=0xdfff).contains(u))?;
                    (12, 0x10000 + ((first - 0xd800) << 10) + (low - 0xdc00))
                }
                _ => (6, first),
            };
            Some((len, read_as(char::from_u32(code)?)?))
        }
        _ => None,
    }
}
