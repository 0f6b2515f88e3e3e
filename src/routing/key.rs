//! Ids as map keys. Every event passes through the correlation and retry memories, so their keys
//! must be small, cheap to hash and compare: a UUID in the servers' form (lowercase, hyphens) is
//! kept as its 16 bytes; any other id as its text.

use std::fmt;
use std::sync::Arc;

/// An id as a map key. Two keys are equal exactly when their ids are the same text: only the
/// one text of a UUID's bytes is kept as bytes, so no text key can equal a UUID key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum IdKey {
    /// A canonical UUID (`8-4-4-4-12` lowercase hex digits), its bytes in two halves.
    Uuid(u64, u64),
    Text(Box<str>),
}

/// A canonical UUID's hex digit groups, between its hyphens.
const GROUPS: [(usize, usize); 5] = [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)];
const UUID_LEN: usize = 36;

impl IdKey {
    #[inline]
    pub fn of(id: &str) -> IdKey {
        match uuid_bytes(id.as_bytes()) {
            Some(n) => IdKey::Uuid((n >> 64) as u64, n as u64),
            None => IdKey::Text(id.into()),
        }
    }

    /// The id's text, shared.
    pub fn to_arc(&self) -> Arc<str> {
        match self {
            IdKey::Uuid(..) => Arc::from(self.to_string()),
            IdKey::Text(t) => Arc::from(&**t),
        }
    }
}

/// A canonical lowercase UUID's 128 bits; `None` for any other text.
#[inline]
fn uuid_bytes(text: &[u8]) -> Option<u128> {
    let text: &[u8; UUID_LEN] = text.try_into().ok()?;
    // A hyphen after every group but the last.
    if GROUPS[..4].iter().any(|&(_, end)| text[end] != b'-') {
        return None;
    }
    let word = |at: usize| u64::from_le_bytes(text[at..at + 8].try_into().unwrap_or_default());
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            text[at..at + 4].try_into().unwrap_or_default(),
        ))
    };
    // Eight digits at a time: the first group, the two of four, the next two, the last eight.
    let a = hex8(word(0))?;
    let b = hex8(half(9) | half(14) << 32)?;
    let c = hex8(half(19) | half(24) << 32)?;
    let d = hex8(word(28))?;
    Some(u128::from(a) << 96 | u128::from(b) << 64 | u128::from(c) << 32 | u128::from(d))
}

/// Eight lowercase hex digits (the first in the lowest byte) as their value; `None` if any
/// byte is not one. Eight bytes checked and combined at once.
#[inline]
fn hex8(v: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * ONES;
    // Each byte below 0x80, so adding to one never carries into the next.
    let ascii = v & HIGH == 0;
    let at_least = |low: u8| v.wrapping_add(u64::from(0x80 - low) * ONES) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let letter = at_least(b'a') & !at_least(b'f' + 1);
    if !ascii || (digit | letter) != HIGH {
        return None;
    }
    // '0'..'9' are 0x30..0x39, 'a'..'f' 0x61..0x66: the low nibble, plus 9 for a letter.
    let nibbles = (v & (0x0f * ONES)) + (letter >> 7) * 9;
    // Pairs of nibbles into bytes, pairs of bytes into 16 bits, then the two halves; the
    // first digit ends up highest.
    let bytes = (nibbles & 0x000f_000f_000f_000f) << 4 | (nibbles >> 8) & 0x000f_000f_000f_000f;
    let shorts = (bytes & 0x0000_00ff_0000_00ff) << 8 | (bytes >> 16) & 0x0000_00ff_0000_00ff;
    Some(((shorts & 0xffff) << 16 | (shorts >> 32) & 0xffff) as u32)
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKey::Uuid(hi, lo) => {
                let mut text = [b'-'; UUID_LEN];
                let mut bits = u128::from(*hi) << 64 | u128::from(*lo);
                for (from, to) in GROUPS.into_iter().rev() {
                    for b in text[from..to].iter_mut().rev() {
                        *b = b"0123456789abcdef"[(bits & 0xf) as usize];
                        bits >>= 4;
                    }
                }
                // Hex digits and hyphens only.
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
            }
            IdKey::Text(t) => f.write_str(t),
        }
    }
}

impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agrees(a: &str, b: &str) {
        let key = IdKey::of(a);
        assert_eq!(key.to_string(), a);
        assert_eq!(&*key.to_arc(), a);
        assert_eq!(key == IdKey::of(b), a == b, "{a:?} {b:?}");
    }

    #[test]
    fn a_key_is_its_text_and_equal_keys_are_equal_texts() {
        let ids = [
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f60718",
            "0198C8A3-7D3E-7F5A-A061-C3D4E5F60718",
            "0198c8a3-7d3e-7f5a-a061-C3d4e5f60718",
            "0198c8a37d3e7f5aa061c3d4e5f60718",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f6071",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f607189",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f6071g",
            "0198c8a3-7d3e-7f5a-a061+c3d4e5f60718",
            "0198c8a3-7d3e-7f5a-a061-c3d4e5f60718\0",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "t1",
            "t1\0",
            "",
            "名前",
        ];
        for a in ids {
            for b in ids {
                agrees(a, b);
            }
        }
        assert!(matches!(IdKey::of(ids[0]), IdKey::Uuid(..)));
        for other in &ids[1..9] {
            assert!(matches!(IdKey::of(other), IdKey::Text(_)), "{other}");
        }
    }

    #[test]
    fn a_uuid_key_is_made_only_of_lowercase_hex_digits_in_their_places() {
        let uuid = "0198c8a3-7d3e-7f5a-a061-c3d4e5f60718";
        let digit_places = [0, 7, 9, 12, 14, 17, 19, 22, 24, 27, 28, 35];
        for place in digit_places {
            for b in 0u8..0x80 {
                let mut text = uuid.as_bytes().to_vec();
                text[place] = b;
                let text = String::from_utf8(text).unwrap();
                let hex = b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
                assert_eq!(matches!(IdKey::of(&text), IdKey::Uuid(..)), hex, "{text:?}");
                agrees(&text, uuid);
            }
            // A character beyond ASCII in a digit's place (two bytes for two places).
            let mut text = uuid.to_owned();
            text.replace_range(place.min(34)..place.min(34) + 2, "é");
            assert!(matches!(IdKey::of(&text), IdKey::Text(_)), "{text:?}");
            agrees(&text, uuid);
        }
        for hyphen in [8, 13, 18, 23] {
            let mut text = uuid.as_bytes().to_vec();
            text[hyphen] = b'0';
            let text = String::from_utf8(text).unwrap();
            assert!(matches!(IdKey::of(&text), IdKey::Text(_)), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn keys_are_equal_exactly_when_texts_are(
            a in "[0-9a-fA-F-]{36}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|.{0,40}",
            b in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            flip in 0usize..36,
        ) {
            agrees(&a, &b);
            agrees(&b, &b);
            // The same UUID but for one byte is another key.
            let mut c = b.clone().into_bytes();
            c[flip] = if c[flip] == b'0' { b'1' } else { b'0' };
            let c = String::from_utf8(c).unwrap();
            agrees(&b, &c);
            agrees(&c, &c);
        }
    }
}
