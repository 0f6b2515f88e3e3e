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
/// Each byte's value as a lowercase hex digit; `NOT_HEX` for any other byte.
const NOT_HEX: u8 = 0xff;
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

impl IdKey {
    #[inline]
    pub fn of(id: &str) -> IdKey {
        match uuid_bytes(id.as_bytes()) {
            Some(n) => IdKey::Uuid((n >> 64) as u64, n as u64),
            None => IdKey::Text(id.into()),
        }
    }

    /// The id's text.
    pub fn to_arc(&self) -> Arc<str> {
        Arc::from(self.to_string())
    }
}

/// A canonical lowercase UUID's 128 bits; `None` for any other text.
#[inline]
fn uuid_bytes(text: &[u8]) -> Option<u128> {
    if text.len() != UUID_LEN {
        return None;
    }
    let mut n: u128 = 0;
    for (from, to) in GROUPS {
        if to < UUID_LEN && text[to] != b'-' {
            return None;
        }
        for &b in &text[from..to] {
            let digit = HEX[usize::from(b)];
            if digit == NOT_HEX {
                return None;
            }
            n = n << 4 | u128::from(digit);
        }
    }
    Some(n)
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
