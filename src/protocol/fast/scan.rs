//! A validating one-pass reader for the JSON objects failwatch knows: named fields come back
//! borrowed from the text (a string is copied only when it holds escapes), every other value is
//! skipped while still being checked. It is the fast path in front of serde: anything it is not
//! sure about — a malformed value, a duplicate or escaped field name, deep nesting — makes it
//! answer `None`, and the caller asks serde, whose answer (and rejection kind) stands. So it
//! must never accept a text serde would refuse, and never read one differently.

use std::borrow::Cow;

/// A named field's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Val<'a> {
    #[default]
    Absent,
    Null,
    Bool(bool),
    Str(Cow<'a, str>),
    /// A nested object, as its exact text (like serde's `RawValue`).
    Object(&'a str),
    /// A number or an array: valid, but not a shape any named field takes.
    Other,
}

impl<'a> Val<'a> {
    /// A field read as `Option<string>`: `Some(None)` when absent or null, `None` when it holds
    /// anything but a string (serde would refuse it).
    pub fn opt_str(self) -> Option<Option<Cow<'a, str>>> {
        match self {
            Val::Absent | Val::Null => Some(None),
            Val::Str(s) => Some(Some(s)),
            _ => None,
        }
    }

    /// A field read as `Option<bool>`, likewise.
    #[cfg(test)]
    pub fn opt_bool(&self) -> Option<Option<bool>> {
        match self {
            Val::Absent | Val::Null => Some(None),
            Val::Bool(b) => Some(Some(*b)),
            _ => None,
        }
    }
}

/// A value as a walk met it, copying nothing: where it lies in the text (which it must be read
/// against, [`Raw::val`]). Small and plain, so readers can keep many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Raw {
    #[default]
    Absent,
    Null,
    Bool(bool),
    /// A string's text between its quotes, and whether it holds escapes.
    Str {
        start: u32,
        end: u32,
        escaped: bool,
    },
    /// A nested object, quotes and braces included.
    Object {
        start: u32,
        end: u32,
    },
    /// A number or an array.
    Other,
}

impl Raw {
    /// A field read as `Option<string>` (see [`Val::opt_str`]), straight from where it lies.
    #[inline]
    pub fn opt_str(self, text: &str) -> Option<Option<Cow<'_, str>>> {
        match self {
            Raw::Absent | Raw::Null => Some(None),
            Raw::Str {
                start,
                end,
                escaped: false,
            } => Some(Some(Cow::Borrowed(text.get(start as usize..end as usize)?))),
            Raw::Str { .. } => self.val(text)?.opt_str(),
            _ => None,
        }
    }

    /// A field read as `Option<bool>`.
    #[inline]
    pub fn opt_bool(self) -> Option<Option<bool>> {
        match self {
            Raw::Absent | Raw::Null => Some(None),
            Raw::Bool(b) => Some(Some(b)),
            _ => None,
        }
    }

    /// The value, read against the text the walk went over; `None` for a string whose escapes
    /// do not make whole characters (serde's to decide).
    pub fn val(self, text: &str) -> Option<Val<'_>> {
        Some(match self {
            Raw::Absent => Val::Absent,
            Raw::Null => Val::Null,
            Raw::Bool(b) => Val::Bool(b),
            Raw::Str {
                start,
                end,
                escaped,
            } => {
                let raw = text.get(start as usize..end as usize)?;
                Val::Str(match escaped {
                    true => Cow::Owned(unescape(raw)?),
                    false => Cow::Borrowed(raw),
                })
            }
            Raw::Object { start, end } => Val::Object(text.get(start as usize..end as usize)?),
            Raw::Other => Val::Other,
        })
    }
}

/// Nesting deeper than this is left to serde (whose own limit is 128).
pub(crate) const MAX_DEPTH: usize = 64;

/// The fields `names` of the JSON object that is all of `text` (surrounding JSON whitespace
/// allowed), or `None` when the text is not plainly such an object.
#[inline]
pub fn object<'a, const N: usize>(text: &'a str, names: [&str; N]) -> Option<[Val<'a>; N]> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    let fields = c.object_fields(&names, 1)?;
    c.skip_ws();
    (c.at == c.bytes.len()).then_some(fields)
}

/// A position in a JSON text, for readers that walk an object themselves.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Where the quotes are, when the text has no backslash and no control byte: then every
    /// quote opens or closes a string, and a string ends at the next one.
    quotes: Option<Quotes>,
}

/// Texts shorter than this have their quotes mapped (a frame line is a few hundred bytes).
const MAPPED_BYTES: usize = 1024;

/// One bit per byte of the text: set where a quote is.
struct Quotes([u64; MAPPED_BYTES / 64]);

impl Quotes {
    /// The quotes of `bytes`, or `None` when it holds a backslash or a control byte (strings
    /// must then be read byte by byte) or is too long.
    fn of(bytes: &[u8]) -> Option<Quotes> {
        if bytes.len() >= MAPPED_BYTES {
            return None;
        }
        let mut map = Quotes([0; MAPPED_BYTES / 64]);
        let mut other = 0;
        let mut blocks = bytes.chunks_exact(16);
        for (i, block) in blocks.by_ref().enumerate() {
            let (q, o) = quotes_in_block(block.try_into().ok()?);
            map.0[i / 4] |= u64::from(q) << (16 * (i % 4));
            other |= o;
        }
        // The last few bytes, padded with spaces (neither quotes nor anything else counted).
        let tail = blocks.remainder();
        let mut last = [b' '; 16];
        last[..tail.len()].copy_from_slice(tail);
        let (q, o) = quotes_in_block(&last);
        let i = bytes.len() / 16;
        map.0[i / 4] |= u64::from(q) << (16 * (i % 4));
        (other | o == 0).then_some(map)
    }

    /// The first quote at or after `from`.
    #[inline(always)]
    fn next(&self, from: usize) -> Option<usize> {
        let mut word = from / 64;
        let mut bits = *self.0.get(word)? & (!0u64 << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            bits = *self.0.get(word)?;
        }
    }
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            bytes: text.as_bytes(),
            at: 0,
            quotes: Quotes::of(text.as_bytes()),
        }
    }

    /// Where the cursor is, in bytes from the start of the text.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    /// Nothing but whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.at == self.bytes.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        // Compact JSON has none: one test for the usual case.
        while let Some(&b) = self.bytes.get(self.at) {
            if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return;
            }
            self.at += 1;
        }
    }

    pub(crate) fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// Walk the object at the cursor (nested `depth` deep): `field` is given each name's bytes
    /// (`None` when it holds escapes) with the cursor on its value, and must read or skip that
    /// value.
    pub(crate) fn each_field(
        &mut self,
        depth: usize,
        mut field: impl FnMut(&mut Self, Option<&'a [u8]>) -> Option<()>,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.skip_ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let (start, end, escaped) = self.string_at()?;
            self.punctuation(b':')?;
            field(self, (!escaped).then(|| &self.bytes[start..end]))?;
            match self.punctuation_of(b',', b'}')? {
                b',' => {}
                _ => return Some(()),
            }
        }
    }

    /// `mark` (whitespace around it allowed), then the cursor past any whitespace after it.
    #[inline(always)]
    fn punctuation(&mut self, mark: u8) -> Option<()> {
        self.punctuation_of(mark, mark).map(|_| ())
    }

    /// One of two marks (whitespace before it allowed), which; after a `,` or a `:` the cursor
    /// goes past any whitespace too (a `}` ends a value, whose text stops there). Compact JSON
    /// has none: the usual case is one test.
    #[inline(always)]
    fn punctuation_of(&mut self, a: u8, b: u8) -> Option<u8> {
        let mut next = *self.bytes.get(self.at)?;
        if next != a && next != b {
            self.skip_ws();
            next = self.peek()?;
            if next != a && next != b {
                return None;
            }
        }
        self.at += 1;
        if next != b'}' && self.bytes.get(self.at).is_some_and(|&c| c <= b' ') {
            self.skip_ws();
        }
        Some(next)
    }

    /// An object at the cursor (nested `depth` deep), keeping the named fields.
    pub(crate) fn object_fields<const N: usize>(
        &mut self,
        names: &[&str; N],
        depth: usize,
    ) -> Option<[Val<'a>; N]> {
        let raws = self.object_raws(names, depth)?;
        let mut out = std::array::from_fn(|_| Val::Absent);
        for (slot, raw) in out.iter_mut().zip(raws) {
            *slot = raw.val(self.text)?;
        }
        Some(out)
    }

    /// An object at the cursor (nested `depth` deep), noting where the named fields lie.
    pub(crate) fn object_raws<const N: usize>(
        &mut self,
        names: &[&str; N],
        depth: usize,
    ) -> Option<[Raw; N]> {
        let mut out = [Raw::Absent; N];
        self.each_field(depth, |c, key| {
            let Some(key) = key else {
                // An escaped name could spell a named field: serde's reading decides.
                return if N > 0 { None } else { c.skip_value(depth) };
            };
            match names.iter().position(|n| n.as_bytes() == key) {
                Some(i) => {
                    if out[i] != Raw::Absent {
                        return None; // serde refuses a duplicate field
                    }
                    out[i] = c.raw_value()?;
                    Some(())
                }
                None => c.skip_value(depth),
            }
        })?;
        Some(out)
    }

    /// A named field's value at the cursor, checked, where it lies. A string's escapes are
    /// checked to make whole characters, as when it is read.
    pub(crate) fn raw_value(&mut self) -> Option<Raw> {
        let start = u32::try_from(self.at).ok()?;
        let raw = match self.peek()? {
            b'"' => {
                let (from, to, escaped) = self.string_at()?;
                if escaped {
                    unescape(self.text.get(from..to)?)?;
                }
                Raw::Str {
                    start: u32::try_from(from).ok()?,
                    end: u32::try_from(to).ok()?,
                    escaped,
                }
            }
            b'{' => {
                self.skip_value(1)?;
                Raw::Object {
                    start,
                    end: u32::try_from(self.at).ok()?,
                }
            }
            b'n' => self.literal("null", Raw::Null)?,
            b't' => self.literal("true", Raw::Bool(true))?,
            b'f' => self.literal("false", Raw::Bool(false))?,
            _ => {
                self.skip_value(1)?;
                Raw::Other
            }
        };
        Some(raw)
    }

    fn literal<T>(&mut self, word: &str, val: T) -> Option<T> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            val
        })
    }

    /// A string at the cursor: where its text between the quotes lies, and whether it holds
    /// escapes. Refuses what serde refuses: control characters, unknown escapes, a missing end.
    #[inline(always)]
    fn string_at(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.bytes;
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        if let Some(quotes) = &self.quotes {
            let end = quotes.next(start)?;
            self.at = end + 1;
            return Some((start, end, false));
        }
        self.string_by_bytes(start)
    }

    /// [`Cursor::string_at`] of a text whose quotes are not mapped, from after the opening one.
    #[inline(never)]
    fn string_by_bytes(&mut self, start: usize) -> Option<(usize, usize, bool)> {
        let bytes = self.bytes;
        let mut at = start;
        let mut escaped = false;
        loop {
            at += next_special(bytes.get(at..)?)?;
            match bytes[at] {
                b'"' => {
                    self.at = at + 1;
                    return Some((start, at, escaped));
                }
                b'\\' => {
                    escaped = true;
                    at += match bytes.get(at + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' if bytes.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                        _ => return None,
                    };
                }
                _ => return None,
            }
        }
    }

    /// Skip one value, checking it.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string_at().map(|_| ()),
            b'{' => self.object_raws(&[], depth + 1).map(|_: [Raw; 0]| ()),
            b'[' => {
                self.at += 1;
                self.skip_ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => {
                            self.at += 1;
                            self.skip_ws();
                        }
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'n' => self.literal("null", ()),
            b't' => self.literal("true", ()),
            b'f' => self.literal("false", ()),
            _ => self.number(),
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as JSON (and serde) define it.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }
}

/// Where a string's next quote, backslash or control byte is. Most strings here are ids and
/// codes a few dozen bytes long: they are passed over 16 bytes at a time.
#[inline]
fn next_special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(block) = bytes.get(at..at + 16) {
        let found = special_in_block(block.try_into().ok()?);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize);
        }
        at += 16;
    }
    let special = |b: u8| (b == b'"') | (b == b'\\') | (b < 0x20);
    bytes[at..].iter().position(|&b| special(b)).map(|i| at + i)
}

/// A bit for each byte of `block` that is a quote, and one for each that is a backslash or a
/// control byte.
// Unsafe for the SSE2 intrinsics only, which every x86_64 target has.
#[allow(unsafe_code)]
#[cfg(target_arch = "x86_64")]
#[inline]
fn quotes_in_block(block: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: as in `special_in_block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        let low = _mm_set1_epi8(0x1f);
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
        (
            _mm_movemask_epi8(quote) as u32,
            _mm_movemask_epi8(_mm_or_si128(backslash, control)) as u32,
        )
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn quotes_in_block(block: &[u8; 16]) -> (u32, u32) {
    block.iter().enumerate().fold((0, 0), |(q, o), (i, &b)| {
        (
            q | (u32::from(b == b'"') << i),
            o | (u32::from((b == b'\\') | (b < 0x20)) << i),
        )
    })
}

/// A bit for each byte of `block` that is a quote, a backslash or a control byte.
// Unsafe for the SSE2 intrinsics only, which every x86_64 target has.
#[allow(unsafe_code)]
#[cfg(target_arch = "x86_64")]
#[inline]
fn special_in_block(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target, and the load reads the 16 bytes of `block`
    // (an unaligned load).
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // b <= 0x1f exactly when max(b, 0x1f) == 0x1f (unsigned).
        let low = _mm_set1_epi8(0x1f);
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn special_in_block(block: &[u8; 16]) -> u32 {
    block.iter().enumerate().fold(0, |bits, (i, &b)| {
        bits | (u32::from((b == b'"') | (b == b'\\') | (b < 0x20)) << i)
    })
}

/// The text of a string holding escapes (already checked by [`Cursor::string_span`]); `None` for
/// a `\u` escape that is not a whole character (a lone surrogate), left to serde.
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes();
        let (ch, used) = match b[i + 1] {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            _ => {
                let hi = hex4(rest.get(i + 2..i + 6)?)?;
                if (0xD800..0xDC00).contains(&hi) {
                    let lo = rest
                        .get(i + 6..i + 8)
                        .filter(|s| *s == "\\u")
                        .and_then(|_| hex4(rest.get(i + 8..i + 12)?))
                        .filter(|lo| (0xDC00..0xE000).contains(lo))?;
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    (char::from_u32(c)?, 12)
                } else {
                    (char::from_u32(hi)?, 6)
                }
            }
        };
        out.push(ch);
        rest = &rest[i + used..];
    }
    out.push_str(rest);
    Some(out)
}

fn hex4(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde reads for the same fields, for comparison.
    #[derive(serde::Deserialize, Debug)]
    struct Fields<'a> {
        #[serde(borrow)]
        a: Option<Cow<'a, str>>,
        b: Option<bool>,
        #[serde(borrow)]
        c: Option<&'a serde_json::value::RawValue>,
    }

    fn both(text: &str) -> (Option<[Val<'_>; 3]>, Result<Fields<'_>, serde_json::Error>) {
        (
            object(text, ["a", "b", "c"]),
            serde_json::from_str::<Fields>(text),
        )
    }

    /// Whenever the scanner answers, serde agrees on every field.
    fn agrees(text: &str) -> bool {
        let (fast, serde) = both(text);
        let Some([a, b, c]) = fast else { return false };
        let serde =
            serde.unwrap_or_else(|e| panic!("scanner accepted what serde refuses: {text}: {e}"));
        let c = match c {
            Val::Absent | Val::Null => None,
            Val::Object(o) => Some(o),
            other => panic!("{other:?}"),
        };
        assert_eq!(a.opt_str(), Some(serde.a), "{text}");
        assert_eq!(b.opt_bool(), Some(serde.b), "{text}");
        assert_eq!(c, serde.c.map(|r| r.get()), "{text}");
        true
    }

    #[test]
    fn reads_what_serde_reads() {
        for text in [
            r#"{"a":"x","b":true,"c":{"d":[1,-2.5e+3,null,{"e":"\u00e9"}]}}"#,
            r#" { "a" : "tab\there \"q\" \u00e9 \ud83d\ude00 \/" , "z":[[],{}], "b":false } "#,
            r#"{"a":null,"b":null,"c":null,"x":0,"y":-0.0,"w":1E9}"#,
            r#"{}"#,
            r#"{"c":{},"a":""}"#,
            r#"{"c" : { "d" : [ 1 ] } , "a" : "x" }"#,
        ] {
            assert!(agrees(text), "scanner refused a plain object: {text}");
        }
    }

    #[test]
    fn refuses_what_serde_refuses_or_reads_otherwise() {
        for text in [
            r#"{"a":"x""#,
            r#"{"a":"x",}"#,
            r#"{"a":"x"} x"#,
            r#"{"a":"x","a":"y"}"#,
            r#"{"\u0061":"x"}"#,
            r#"{"a\u0031":"x","a":"y"}"#,
            "{\"a\":\"con\u{1}trol\"}",
            r#"{"x":01}"#,
            r#"{"x":1.}"#,
            r#"{"x":.5}"#,
            r#"{"x":-}"#,
            r#"{"x":1e}"#,
            r#"{"x":tru}"#,
            r#"{"x":"\q"}"#,
            r#"{"x":"\u12"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\udc00\ud800"}"#,
            r#"{"a":1}"#,
            r#"{"b":"yes"}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":[1 2]}"#,
            r#"[1]"#,
            "",
        ] {
            let (fast, serde) = both(text);
            // A field of the wrong type is found when the caller reads it as its type.
            let typed = fast.and_then(|[a, b, _]| Some((a.opt_str()?, b.opt_bool()?)));
            assert!(
                typed.is_none(),
                "scanner should leave {text:?} to serde ({serde:?})"
            );
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(object(&deep, ["a"]).is_none(), "deep nesting is serde's");
        let fine = format!("{{\"x\":{}{}}}", "[".repeat(60), "]".repeat(60));
        assert!(object(&fine, ["a"]).is_some());
    }

    /// Texts short enough to have their quotes mapped, and just too long, read alike: a quote,
    /// a backslash or a control byte at every place around the block and length limits.
    #[test]
    fn reads_alike_around_the_quote_map_limits() {
        for len in (0..40).chain(1000..1030) {
            let filler = "x".repeat(len);
            let text = format!(r#"{{"a":"{filler}","b":true,"c":{{"d":"e"}}}}"#);
            assert!(agrees(&text), "{}", text.len());
            for at in [6, 7, 21, 22, 63, 64, 65, 1000, 1020, 1021, 1022, 1023, 1024] {
                for with in [b'"', b'\\', 1u8, b'\t'] {
                    let mut bytes = text.as_bytes().to_vec();
                    if at < bytes.len() {
                        bytes[at] = with;
                    }
                    if let Ok(t) = std::str::from_utf8(&bytes) {
                        if both(t).0.is_some() {
                            agrees(t);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn never_accepts_what_serde_refuses_on_mangled_inputs() {
        let base = r#"{"a":"va\"l\u00e9","b":true,"c":{"d":[1,2.5,{"e":null}],"f":"g"},"h":-1e-3}"#;
        let mut accepted = 0;
        // Every truncation and every single-byte change of a known-good object.
        for cut in 0..base.len() {
            let t = &base[..cut];
            if both(t).0.is_some() {
                agrees(t);
            }
        }
        for i in 0..base.len() {
            for b in [
                b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b' ', b'0', b'x', 1u8,
            ] {
                let mut bytes = base.as_bytes().to_vec();
                bytes[i] = b;
                let Ok(t) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                if agrees(t) {
                    accepted += 1;
                }
            }
        }
        assert!(accepted > 0, "some changes keep the object valid");
    }
}
